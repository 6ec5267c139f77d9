"""End to end with a real worker and a tiny real model: a scanner sends a parcel and its
image through the API, the X-ray worker reads it, and the result is visible through the
API within seconds; a second send of the same image queues nothing."""

# The fixtures imported from fixtures_ml are pytest arguments, not redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from customs_portal.models import ModelVersion
from tests.celery_worker import running_worker, wait_until
from tests.xray.factories import ScannerFactory
from tests.xray.fixtures_ml import one_torch_thread, synthetic_data, trained, xray_artefact_root  # noqa: F401
from xray.parcels.models import Parcel, XrayImage
from xray.screening import ml, training
from xray.screening.models import ScreeningResult

BODY = {
    "item_number": "RR123456785JP",
    "origin_country": "US",
    "sender_name": "Jane Sender",
    "addressee_name": "Taro Yamada",
    "addressee_address": "1-1 Chiyoda, Tokyo",
    "weight_grams": 900,
    "items": [{"description": "Books", "hs_code": "490199", "value_jpy": 3000}],
}


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_an_image_sent_by_a_scanner_is_read_by_the_worker_and_shown_through_the_api(trained):
    outcome, images, labels = trained
    version = training.xray_model_register(outcome=outcome, images=images, labels=labels, system="test")
    assert version.status == ModelVersion.Status.ACTIVE
    scanner = ScannerFactory()
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Scanner {scanner.raw_token}")
    threat = next(image for image, label in zip(images, labels, strict=True) if ml.CLASSES[label] == "blade")
    with running_worker(OMP_NUM_THREADS="1") as worker:
        assert client.post("/api/v1/xray/parcels/", BODY, format="json").status_code == 201
        started = time.monotonic()
        sent = client.post(
            "/api/v1/xray/parcels/RR123456785JP/images/",
            {"image": SimpleUploadedFile("scan.png", _png(threat))},
            format="multipart",
        )
        assert sent.status_code == 201, sent.json()

        def screened():
            body = client.get("/api/v1/xray/parcels/RR123456785JP/").json()
            return body if body["status"] == "screened" else None

        try:
            body = wait_until(screened, timeout=90, interval=0.3)
        except AssertionError:
            from tests.celery_worker import stop_worker

            pytest.fail(stop_worker(worker)[-4000:])
        elapsed = time.monotonic() - started
        again = client.post(
            "/api/v1/xray/parcels/RR123456785JP/images/",
            {"image": SimpleUploadedFile("scan.png", _png(threat))},
            format="multipart",
        )
    assert again.status_code == 200 and again.json()["duplicate"] is True
    result = body["images"][0]["result"]
    assert result["model_name"] == "xray" and result["model_version"] == version.version
    assert set(result["probabilities"]) == set(ml.CLASSES)
    assert sum(result["probabilities"].values()) == pytest.approx(1, abs=1e-4)
    assert result["threshold"] == pytest.approx(outcome.predictor.threshold)
    assert result["decision"] == ("inspect" if result["threat_score"] >= result["threshold"] else "release")
    parcel = Parcel.objects.get()
    assert parcel.threat_score == pytest.approx(result["threat_score"])
    stored = ScreeningResult.objects.get()
    assert stored.heatmap.size > 0 and stored.input_sha256 == XrayImage.objects.get().sha256
    assert XrayImage.objects.count() == 1
    print(f"upload to screened result via the API: {elapsed:.1f} s")
    assert elapsed < 60
