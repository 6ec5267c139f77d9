"""A real Celery worker processes an uploaded manifest end to end."""

from __future__ import annotations

import csv
import io
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from customs_portal.models import Notification
from declarations.models import Declaration, DeclarationStatusChange, Manifest
from declarations.tariff.models import week_start_of
from tests.celery_worker import running_worker, wait_until
from tests.declarations.factories import CustomsOfficeFactory
from tests.tariff.factories import ExchangeRateFactory, TariffLineFactory

ROWS = 300


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_manifest_is_validated_and_imported_by_a_worker(api_for, trader_a):
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

    with running_worker() as worker:
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
        try:
            wait_until(
                lambda: Notification.objects.filter(company=trader_a.company, event="manifest.screened").first(),
                timeout=300,
            )
        except AssertionError:
            from tests.celery_worker import stop_worker

            raise AssertionError(stop_worker(worker)[-3000:]) from None
        print(f"Screened {ROWS} manifest parcels in {time.monotonic() - started:.1f} s.")

    assert manifest.status == Manifest.Status.DONE, manifest.error_summary
    assert (manifest.rows_done, manifest.rows_total, manifest.declarations_created) == (ROWS, ROWS, ROWS)
    assert Declaration.objects.filter(company=trader_a.company, source=Declaration.Source.MANIFEST).count() == ROWS
    status = api_for(trader_a).get(f"/api/v1/manifests/{manifest_id}/").json()
    assert (status["status"], status["percent"]) == ("done", 100)
    parcels = Declaration.objects.filter(company=trader_a.company, source=Declaration.Source.MANIFEST)
    # Every parcel went through screening to the green lane (the rule: nothing flags them).
    assert not parcels.filter(status__in=["submitted", "screening"]).exists()
    assert (
        parcels.filter(lane=Declaration.Lane.GREEN, status=Declaration.Status.AWAITING_PAYMENT).count()
        + parcels.filter(lane=Declaration.Lane.GREEN, status=Declaration.Status.PERMITTED).count()
        == ROWS
    )
    assert DeclarationStatusChange.objects.filter(declaration__in=parcels, to_status="screening").count() == ROWS
    # One summary for the trader, not one message per parcel.
    assert Notification.objects.filter(company=trader_a.company, event="manifest.screened").count() == 1
    assert not Notification.objects.filter(event="declaration.status_changed").exists()
