"""The scanners' API: token authentication, parcels registered idempotently, images
sent and recognised when sent twice, every refusal clear and nothing half-saved."""

from __future__ import annotations

import copy
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from customs_portal.models import AuditEvent, OutboxTask, Role
from tests.customs_portal.factories import UserFactory
from tests.xray.factories import ParcelFactory, ScannerFactory, XrayImageFactory
from tests.xray.fixtures_intake import model_version_serve
from tests.xray.images import bomb_png_bytes, image_bytes, png_bytes, truncated_png_bytes
from xray.parcels import services
from xray.parcels.models import Parcel, XrayImage
from xray.screening.models import ScreeningResult

pytestmark = pytest.mark.django_db

PARCELS = "/api/v1/xray/parcels/"
BODY = {
    "item_number": "RR123456785JP",
    "origin_country": "US",
    "sender_name": "Jane Sender",
    "sender_address": "1 Main Street, Springfield",
    "addressee_name": "Taro Yamada",
    "addressee_address": "1-1 Chiyoda, Tokyo",
    "customs_form": "CN23",
    "weight_grams": 900,
    "items": [{"description": "Books", "hs_code": "490199", "quantity": 2, "value_jpy": 3000}],
}


@pytest.fixture
def scanner():
    return ScannerFactory()


def scanner_client(scanner) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Scanner {scanner.raw_token}")
    return client


def upload(client: APIClient, item_number: str, data: bytes, name: str = "scan.png"):
    return client.post(f"{PARCELS}{item_number}/images/", {"image": SimpleUploadedFile(name, data)}, format="multipart")


def test_a_scanner_registers_a_parcel_and_the_same_data_again_returns_it(scanner):
    client = scanner_client(scanner)
    created = client.post(PARCELS, BODY, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["item_number"] == "RR123456785JP"
    assert created.json()["status"] == "awaiting_image"
    assert created.json()["items"][0]["hs_code"] == "490199"
    again = client.post(PARCELS, BODY, format="json")
    assert again.status_code == 200
    assert Parcel.objects.count() == 1
    parcel = Parcel.objects.get()
    assert parcel.created_by == scanner.user and parcel.declared_value_jpy == 3000
    assert AuditEvent.objects.filter(action="xray.parcel_registered").count() == 1


def test_other_data_under_a_registered_item_number_is_a_conflict(scanner):
    client = scanner_client(scanner)
    client.post(PARCELS, BODY, format="json")
    other = copy.deepcopy(BODY)
    other["items"][0]["description"] = "Knife"
    response = client.post(PARCELS, other, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "parcel_conflict"


def test_a_wrong_check_digit_is_a_field_error_and_saves_nothing(scanner):
    response = scanner_client(scanner).post(PARCELS, {**BODY, "item_number": "RR123456784JP"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "check digit" in error["fields"]["item_number"][0]
    assert not Parcel.objects.exists()


def test_a_parcel_without_declared_lines_is_refused(scanner):
    response = scanner_client(scanner).post(PARCELS, {**BODY, "items": []}, format="json")
    assert response.status_code == 400
    assert "items" in response.json()["error"]["fields"]


@pytest.mark.parametrize("header", ["Scanner wrong-token", "Scanner", "Scanner a b"])
def test_a_wrong_token_is_401(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.post(PARCELS, BODY, format="json").status_code == 401
    assert not Parcel.objects.exists()


def test_a_revoked_scanner_is_401(scanner, supervisor):
    services.scanner_revoke(scanner=scanner, revoked_by=supervisor)
    assert scanner_client(scanner).post(PARCELS, BODY, format="json").status_code == 401


def test_the_token_is_kept_only_as_a_hash_and_shown_once(supervisor):
    scanner, raw = services.scanner_register(code="KIX-XR-01", office="Osaka", registered_by=supervisor)
    assert raw not in (scanner.token_hash, scanner.token_hint)
    assert scanner.user.role == Role.SCANNER and not scanner.user.has_usable_password()
    assert services.scanner_authenticate(raw_token=raw) == scanner


def test_an_image_is_stored_queued_and_recognised_when_sent_twice(scanner, django_capture_on_commit_callbacks):
    client = scanner_client(scanner)
    client.post(PARCELS, BODY, format="json")
    data = image_bytes(fmt="TIFF", mode="I;16", seed=11)
    with django_capture_on_commit_callbacks(execute=False):
        first = upload(client, "RR123456785JP", data, "scan.tif")
    assert first.status_code == 201, first.json()
    assert first.json()["duplicate"] is False
    assert first.json()["image"]["status"] == "queued"
    assert first.json()["image"]["original_mode"] == "I;16"
    second = upload(client, "RR123456785JP", data, "again.tif")
    assert second.status_code == 200
    assert second.json() == {**first.json(), "duplicate": True}
    assert XrayImage.objects.count() == 1
    assert OutboxTask.objects.filter(task_name="xray.tasks.xray_screen").count() == 1
    image = XrayImage.objects.get()
    assert image.scanner == scanner and image.uploaded_by == scanner.user


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"GIF89a fake bytes", 400, "image_invalid"),
        (truncated_png_bytes(), 400, "image_invalid"),
        (image_bytes(fmt="BMP", mode="RGB"), 400, "image_format_unsupported"),
        (bomb_png_bytes(), 400, "image_too_many_pixels"),
    ],
)
def test_bad_images_are_refused_clearly_and_nothing_is_saved(scanner, data, status, code):
    client = scanner_client(scanner)
    client.post(PARCELS, BODY, format="json")
    response = upload(client, "RR123456785JP", data)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["fields"]["image"]
    assert not XrayImage.objects.exists()
    assert not OutboxTask.objects.filter(task_name="xray.tasks.xray_screen").exists()


def test_an_image_over_the_size_limit_is_413(scanner, settings):
    settings.XRAY_IMAGE_MAX_BYTES = 2_000
    client = scanner_client(scanner)
    client.post(PARCELS, BODY, format="json")
    response = upload(client, "RR123456785JP", png_bytes(width=300, height=300))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "image_too_large"


def test_a_request_without_the_image_field_is_400(scanner):
    client = scanner_client(scanner)
    client.post(PARCELS, BODY, format="json")
    response = client.post(f"{PARCELS}RR123456785JP/images/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "image_missing"


def _screened_image(parcel: Parcel) -> XrayImage:
    version = model_version_serve()
    image = XrayImageFactory(parcel=parcel, status=XrayImage.Status.DONE)
    ScreeningResult.objects.create(
        image=image,
        model_version=version,
        model_name="xray",
        model_version_number=version.version,
        threshold=0.5,
        input_sha256=image.sha256,
        probabilities={"gun": 0.02, "blade": 0.9, "shuriken": 0.03, "other": 0.05},
        top_class="blade",
        threat_score=0.95,
        decision="inspect",
    )
    return image


def test_the_scanner_that_sent_a_parcel_reads_its_results(scanner):
    client = scanner_client(scanner)
    client.post(PARCELS, BODY, format="json")
    _screened_image(Parcel.objects.get())
    response = client.get(f"{PARCELS}RR123456785JP/")
    assert response.status_code == 200
    image = response.json()["images"][0]
    assert image["result"]["top_class"] == "blade"
    assert image["result"]["probabilities"]["blade"] == 0.9
    assert image["result"]["decision"] == "inspect"


def test_another_scanners_parcel_is_404(scanner):
    scanner_client(scanner).post(PARCELS, BODY, format="json")
    other = scanner_client(ScannerFactory())
    assert other.get(f"{PARCELS}RR123456785JP/").status_code == 404
    assert upload(other, "RR123456785JP", png_bytes()).status_code == 404
    # Registering the same number again does not tell another scanner what it holds.
    assert other.post(PARCELS, BODY, format="json").status_code == 404


def test_officers_read_any_parcel_and_inspection_officers_register_and_upload(
    api_for, inspection_officer, clearance_officer
):
    parcel = ParcelFactory()
    _screened_image(parcel)
    response = api_for(clearance_officer).get(f"{PARCELS}{parcel.item_number}/")
    assert response.status_code == 200 and response.json()["images"][0]["result"]["threat_score"] == 0.95
    officer = api_for(inspection_officer)
    assert officer.post(PARCELS, BODY, format="json").status_code == 201
    assert upload(officer, "RR123456785JP", png_bytes(seed=42)).status_code == 201
    # A clearance officer reads but does not take in parcels.
    assert api_for(clearance_officer).post(PARCELS, {**BODY, "item_number": "RR000000005JP"}).status_code == 403


def test_traders_see_no_parcel_and_register_none(api_for, trader_a):
    parcel = ParcelFactory()
    client = api_for(trader_a)
    assert client.get(f"{PARCELS}{parcel.item_number}/").status_code == 403
    assert client.post(PARCELS, BODY, format="json").status_code == 403
    assert upload(client, parcel.item_number, png_bytes()).status_code == 403


def test_a_kiosk_user_is_not_a_scanner(api_for):
    kiosk = UserFactory(role=Role.KIOSK, username="some-kiosk")
    assert api_for(kiosk).post(PARCELS, BODY, format="json").status_code == 403


CLOSED_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down(monkeypatch):
    """Points the Celery app at a port nothing listens on (as tests/customs_portal/test_outbox.py)."""
    from customs_portal.celery import app

    monkeypatch.setenv("CELERY_BROKER_URL", CLOSED_BROKER)
    monkeypatch.setitem(app.conf, "broker_url", CLOSED_BROKER)
    monkeypatch.setitem(app.conf, "broker_write_url", CLOSED_BROKER)
    app._pool = None
    app.amqp._producer_pool = None
    yield
    monkeypatch.undo()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_an_upload_still_succeeds_and_its_task_waits_in_the_outbox(scanner, broker_down):
    client = scanner_client(scanner)
    client.post(PARCELS, BODY, format="json")
    started = time.monotonic()
    response = upload(client, "RR123456785JP", png_bytes(seed=77))
    assert response.status_code == 201, response.content
    assert time.monotonic() - started < 5
    queued = OutboxTask.objects.get(task_name="xray.tasks.xray_screen")
    assert queued.args == [XrayImage.objects.get().pk]
    assert queued.sent_at is None and queued.attempts == 1 and queued.last_error
