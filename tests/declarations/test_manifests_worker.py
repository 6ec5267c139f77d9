"""A real Celery worker processes an uploaded manifest end to end."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from declarations.models import Declaration, Manifest, week_start_of
from tests.celery_worker import running_worker, wait_until
from tests.declarations.factories import CustomsOfficeFactory, ExchangeRateFactory, TariffLineFactory

ROWS = 2_000


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

    assert manifest.status == Manifest.Status.DONE, manifest.error_summary
    assert (manifest.rows_done, manifest.rows_total, manifest.declarations_created) == (ROWS, ROWS, ROWS)
    assert Declaration.objects.filter(company=trader_a.company, source=Declaration.Source.MANIFEST).count() == ROWS
    status = api_for(trader_a).get(f"/api/v1/manifests/{manifest_id}/").json()
    assert (status["status"], status["percent"]) == ("done", 100)
