"""A real Celery worker of two processes takes an uploaded manifest end to end: validation,
import, and the bulk screening of its parcels in chunks, two at a time."""

from __future__ import annotations

import csv
import io
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from customs_portal.models import Notification
from declarations.models import Declaration, DeclarationStatusChange, Manifest, ManifestScreeningChunk
from declarations.tariff.models import week_start_of
from payments.models import Assessment
from tests.celery_worker import running_worker, wait_until
from tests.declarations.factories import CustomsOfficeFactory
from tests.tariff.factories import ExchangeRateFactory, TariffLineFactory

ROWS = 300


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_uploaded_manifest_is_validated_imported_and_screened_by_a_worker(api_for, trader_a):
    office = CustomsOfficeFactory(code="1A")
    TariffLineFactory(hs_code="610910000", rates={"general": "10.9%", "wto": "7.4%"})
    ExchangeRateFactory(currency="USD", week_start=week_start_of(timezone.localdate()), rate_jpy=Decimal("150"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["house_waybill", "consignee", "description", "hs_code", "value", "currency", "weight_kg", "origin"]
    )
    for n in range(ROWS):
        writer.writerow(
            [f"W{n:06d}", f"Consignee {n}", "Cotton T-shirts", "610910000", 20 + n % 500, "USD", "0.5", "CN"]
        )
    upload = io.BytesIO(out.getvalue().encode())
    upload.name = "worker.csv"

    phases = set()
    with running_worker(concurrency=2, MANIFEST_SCREEN_CHUNK="70") as worker:
        response = api_for(trader_a).post(
            "/api/v1/manifests/", {"file": upload, "office": office.code}, format="multipart"
        )
        assert response.status_code == 201, response.content
        manifest_id = response.json()["id"]
        try:
            manifest = wait_until(
                lambda: Manifest.objects.filter(pk=manifest_id, status__in=["done", "rejected", "failed"]).first(),
                timeout=90,
            )
        except AssertionError:
            from tests.celery_worker import stop_worker

            raise AssertionError(stop_worker(worker)[-3000:]) from None
        # The import enqueues the screening of the parcels (on the ml queue) by itself.
        started = time.monotonic()

        def screened():
            status = api_for(trader_a).get(f"/api/v1/manifests/{manifest_id}/").json()
            phases.add(status["phase"])
            return status["finished"] and status

        try:
            status = wait_until(screened, timeout=300)
        except AssertionError:
            from tests.celery_worker import stop_worker

            raise AssertionError(stop_worker(worker)[-3000:]) from None
        print(f"Screened {ROWS} manifest parcels in {time.monotonic() - started:.1f} s.")

    assert manifest.status == Manifest.Status.DONE, manifest.failure
    assert (manifest.rows_done, manifest.rows_total, manifest.declarations_created) == (ROWS, ROWS, ROWS)
    assert Declaration.objects.filter(company=trader_a.company, source=Declaration.Source.MANIFEST).count() == ROWS
    assert (status["status"], status["phase"], status["percent"], status["parcels_screened"]) == (
        "done",
        "screened",
        100,
        ROWS,
    )
    assert phases <= {"validating", "importing", "screening", "screened"}
    chunks = ManifestScreeningChunk.objects.filter(manifest_id=manifest_id)
    assert chunks.count() == 5 and not chunks.exclude(status="done").exists()
    parcels = Declaration.objects.filter(company=trader_a.company, source=Declaration.Source.MANIFEST)
    # Every parcel went through screening to the green lane (the rule: nothing flags them).
    assert not parcels.filter(status__in=["submitted", "screening"]).exists()
    assert (
        parcels.filter(lane=Declaration.Lane.GREEN, status=Declaration.Status.AWAITING_PAYMENT).count()
        + parcels.filter(lane=Declaration.Lane.GREEN, status=Declaration.Status.PERMITTED).count()
        == ROWS
    )
    assert DeclarationStatusChange.objects.filter(declaration__in=parcels, to_status="screening").count() == ROWS
    # Each parcel that owes tax has its assessment, created by payments in bulk.
    owing = parcels.filter(status=Declaration.Status.AWAITING_PAYMENT)
    assert owing.exists()
    assert Assessment.objects.filter(declaration__in=parcels).count() == owing.count()
    # One summary for the trader, not one message per parcel.
    assert Notification.objects.filter(company=trader_a.company, event="manifest.screened").count() == 1
    assert not Notification.objects.filter(event="declaration.status_changed").exists()
