"""A dead worker costs time, not data: a worker SIGKILLed in the middle of a manifest's
import leaves the manifest to another worker, which imports every parcel exactly once."""

from __future__ import annotations

import csv
import io
import os
import signal
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Count
from django.utils import timezone

from declarations.manifests import tasks as manifest_tasks
from declarations.models import Declaration, Manifest
from declarations.tariff.models import week_start_of
from tests.celery_worker import running_worker, stop_worker, wait_until
from tests.declarations.factories import CustomsOfficeFactory
from tests.tariff.factories import ExchangeRateFactory, TariffLineFactory

ROWS = 30_000
LEASE_SECONDS = 3


def _manifest_csv() -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["house_waybill", "consignee", "description", "hs_code", "value", "currency", "weight_kg", "origin"]
    )
    for n in range(ROWS):
        writer.writerow(
            [f"K{n:06d}", f"Consignee {n}", "Cotton T-shirts", "610910000", 20 + n % 500, "USD", "0.5", "CN"]
        )
    upload = io.BytesIO(out.getvalue().encode())
    upload.name = "killed.csv"
    return upload


def _kill_tree(pid: int) -> None:
    """SIGKILLs the worker and its pool processes at once, as a lost machine would."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text().split()]
    for victim in [pid, *children]:
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_the_manifest_to_another_which_imports_each_parcel_once(
    api_for, trader_a, settings
):
    settings.MANIFEST_LEASE_SECONDS = LEASE_SECONDS
    office = CustomsOfficeFactory(code="1A")
    TariffLineFactory(hs_code="610910000", rates={"general": "10.9%", "wto": "7.4%"})
    ExchangeRateFactory(currency="USD", week_start=week_start_of(timezone.localdate()), rate_jpy=Decimal("150"))
    lease = {"MANIFEST_LEASE_SECONDS": str(LEASE_SECONDS)}

    with running_worker(**lease) as first:
        response = api_for(trader_a).post(
            "/api/v1/manifests/", {"file": _manifest_csv(), "office": office.code}, format="multipart"
        )
        assert response.status_code == 201, response.content
        manifest_id = response.json()["id"]
        # Killed inside the import transaction, with parcels copied but not committed.
        wait_until(
            lambda: Manifest.objects.filter(pk=manifest_id, status="importing", rows_done__gt=0).exists(),
            timeout=120,
            interval=0.05,
        )
        _kill_tree(first.pid)
        first.wait()
    manifest = Manifest.objects.get(pk=manifest_id)
    assert manifest.status == Manifest.Status.IMPORTING
    assert not Declaration.objects.filter(number__startswith=f"MF-{manifest_id}-").exists()

    with running_worker(**lease) as second:
        # The killed worker's message stays unacknowledged in Redis; beat's resume finds
        # the manifest once its lease has expired and queues it again.
        wait_until(lambda: manifest_tasks.manifest_resume_stalled() == 1, timeout=LEASE_SECONDS + 10, interval=0.5)
        try:
            done = wait_until(
                lambda: Manifest.objects.filter(pk=manifest_id, status__in=["done", "rejected", "failed"]).first(),
                timeout=180,
            )
        except AssertionError:
            raise AssertionError(stop_worker(second)[-3000:]) from None
        _kill_tree(second.pid)  # the parcels' screening is not part of this test
        second.wait()
    assert done.status == Manifest.Status.DONE, done.failure
    parcels = Declaration.objects.filter(number__startswith=f"MF-{manifest_id}-")
    assert parcels.count() == ROWS == done.declarations_created
    repeated = parcels.values("manifest_reference").annotate(n=Count("id")).filter(n__gt=1)
    assert not repeated.exists()


@pytest.mark.django_db
def test_the_task_retries_while_another_run_holds_the_lease_and_stops_once_the_manifest_is_done(trader_a):
    from celery.exceptions import Retry

    from declarations.manifests import services as manifests

    result = manifests.manifest_upload(
        company=trader_a.company,
        uploaded_by=trader_a,
        office=CustomsOfficeFactory(code="1A"),
        data=_manifest_csv().getvalue()[:2000].rsplit(b"\n", 1)[0] + b"\n",
        file_name="held.csv",
    )
    held = Manifest.objects.filter(pk=result.manifest.pk)
    held.update(status=Manifest.Status.IMPORTING, started_at=timezone.now(), heartbeat_at=timezone.now())
    with pytest.raises(Retry):
        manifest_tasks.manifest_process(result.manifest.pk)
    held.update(status=Manifest.Status.DONE)
    assert manifest_tasks.manifest_process(result.manifest.pk) == "skipped"
