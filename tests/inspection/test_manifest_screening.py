"""Bulk screening of a manifest's parcels with a real (tiny) risk model: the same lanes,
scores and assessments as screening each parcel on its own, written once however often
it runs."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from customs_portal.models import AuditEvent, Notification
from declarations.core.services import submission
from declarations.manifests import screening
from declarations.manifests import services as manifests
from declarations.models import Declaration, Manifest
from declarations.tariff.models import week_start_of
from inspection import synthetic
from inspection.models import RiskScore
from payments.models import Assessment, JournalEntry
from tests.declarations.factories import CustomsOfficeFactory
from tests.tariff.factories import ExchangeRateFactory, TariffLineFactory

HEADER = ["house_waybill", "consignee", "description", "hs_code", "value", "currency", "weight_kg", "origin"]
CODES = [line[0] for line in synthetic.TARIFF_LINES[:6]]


@pytest.fixture
def parcels_csv(db) -> bytes:
    """60 parcels of the history's tariff lines and origins, some under-valued, some
    with a description of another chapter; about a third under the ¥10,000 exemption."""
    for code in CODES:
        TariffLineFactory(hs_code=code, rates={"general": "12%", "wto": "8%"})
    ExchangeRateFactory(currency="USD", week_start=week_start_of(timezone.localdate()), rate_jpy=Decimal("150"))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n in range(60):
        code, words = synthetic.TARIFF_LINES[n % 6][:2]
        description = "leather handbags" if n % 7 == 0 else words
        value = 30 + (n * 37) % 900 if n % 5 else 2 + n % 4  # every fifth parcel declared far too cheaply
        weight = f"{0.5 + (n % 9) * 1.5:.1f}"
        writer.writerow(
            [f"P{n:04d}", f"Consignee {n}", description, code, value, "USD", weight, synthetic.ORIGINS[n % 5]]
        )
    return out.getvalue().encode()


def imported(trader, office, data: bytes) -> Manifest:
    result = manifests.manifest_upload(
        company=trader.company, uploaded_by=trader, office=office, data=data, file_name="parcels.csv"
    )
    assert manifests.manifest_process(manifest_id=result.manifest.pk) == "done"
    return Manifest.objects.get(pk=result.manifest.pk)


def outcome(manifest: Manifest) -> dict[str, tuple]:
    """Per house waybill: what screening decided and wrote."""
    rows = {}
    for declaration in Declaration.objects.filter(number__startswith=f"MF-{manifest.pk}-").order_by("pk"):
        score = RiskScore.objects.filter(declaration=declaration).first()
        assessment = Assessment.objects.filter(declaration=declaration).first()
        rows[declaration.manifest_reference] = (
            declaration.status,
            declaration.lane,
            declaration.screening_reasons,
            score and (score.lane, score.exploration, score.expected_revenue_jpy, score.threshold_jpy, score.reasons),
            assessment and (assessment.total_jpy, assessment.due_date, assessment.status),
            list(declaration.status_changes.order_by("id").values_list("from_status", "to_status", "actor_label")),
        )
    return rows


@pytest.mark.django_db
def test_bulk_screening_gives_the_lanes_scores_and_assessments_of_screening_one_by_one(
    trained_model, trader_a, parcels_csv, settings, django_capture_on_commit_callbacks
):
    settings.MANIFEST_SCREEN_CHUNK = 25
    settings.INSPECTION_EXPLORATION_SHARE = 0.2
    # Narrow bands, so that the new importer's parcels are not all above the yellow one.
    settings.RISK_RED_MAX_SHARE = 0.01
    office = CustomsOfficeFactory(code="1A", daily_inspection_capacity=4)
    manifest = imported(trader_a, office, parcels_csv)

    with transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            assert screening.manifest_screen_all(manifest_id=manifest.pk) == 60
        in_bulk = outcome(manifest)
        transaction.set_rollback(True)  # back to the imported parcels, same ids

    assert not RiskScore.objects.exists() and not Assessment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        for declaration_id in manifest_parcel_ids(manifest):
            with transaction.atomic():
                submission.declaration_screen(declaration_id=declaration_id, notify=False)
    one_by_one = outcome(manifest)

    assert in_bulk == one_by_one
    lanes = [row[1] for row in in_bulk.values()]
    # Not a trivial agreement: the model routes parcels to more than one lane, the
    # office's capacity caps the reds, and parcels owing tax get their assessment.
    assert len(set(lanes)) >= 2, lanes
    assert lanes.count(Declaration.Lane.RED) <= office.daily_inspection_capacity + 1
    owing = [row for row in in_bulk.values() if row[0] == Declaration.Status.AWAITING_PAYMENT]
    assert owing and all(row[4] is not None and row[4][0] > 0 for row in owing)
    assert all(row[3] is not None and row[3][0] == row[1] for row in in_bulk.values())


def manifest_parcel_ids(manifest: Manifest) -> list[int]:
    return list(
        Declaration.objects.filter(number__startswith=f"MF-{manifest.pk}-").order_by("pk").values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_screening_a_manifest_twice_writes_every_score_assessment_and_message_once(
    trained_model, trader_a, parcels_csv, settings, django_capture_on_commit_callbacks
):
    settings.MANIFEST_SCREEN_CHUNK = 20
    settings.RISK_RED_MAX_SHARE = 0.01
    office = CustomsOfficeFactory(code="1A", daily_inspection_capacity=4)
    manifest = imported(trader_a, office, parcels_csv)
    with django_capture_on_commit_callbacks(execute=True):
        assert screening.manifest_screen_all(manifest_id=manifest.pk) == 60
    counts = (
        RiskScore.objects.count(),
        Assessment.objects.count(),
        JournalEntry.objects.count(),
        AuditEvent.objects.filter(action="assessment.created").count(),
        AuditEvent.objects.filter(action="declaration.screening").count(),
    )
    assert counts[0] == 60 and counts[1] == counts[2] == counts[3] > 0 and counts[4] == 60

    # Every chunk's task run again (a redelivered message), and the whole manifest too.
    with django_capture_on_commit_callbacks(execute=True):
        for chunk in manifest.screening_chunks.all():
            assert screening.manifest_chunk_screen(chunk_id=chunk.pk).screened == 0
        assert screening.manifest_screen_all(manifest_id=manifest.pk) == 0

    assert (
        RiskScore.objects.count(),
        Assessment.objects.count(),
        JournalEntry.objects.count(),
        AuditEvent.objects.filter(action="assessment.created").count(),
        AuditEvent.objects.filter(action="declaration.screening").count(),
    ) == counts
    summaries = Notification.objects.filter(company=trader_a.company, event="manifest.screened")
    assert summaries.count() == 1
    assert summaries.get().payload["waiting"] == 0
    # The summary is the only message: none per parcel, none per assessment.
    assert set(Notification.objects.values_list("event", flat=True)) == {"manifest.imported", "manifest.screened"}
    # Each assessment's ledger entry balances.
    for entry in JournalEntry.objects.prefetch_related("lines"):
        assert sum(line.amount_jpy for line in entry.lines.all()) == 0
