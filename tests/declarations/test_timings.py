"""What a declaration waits for, and the typical time of that step at its office."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from declarations.core import timings
from declarations.models import Declaration, DeclarationStatusChange
from tests.declarations.factories import CustomsOfficeFactory, DeclarationFactory

pytestmark = pytest.mark.django_db
Status = Declaration.Status
NOW = timezone.now()


def _history(declaration, steps):
    """steps: (to_status, hours ago) in order; changed_at is set after creation because
    the model stamps it automatically."""
    previous = ""
    for to_status, hours_ago in steps:
        change = DeclarationStatusChange.objects.create(
            declaration=declaration, from_status=previous, to_status=to_status, actor_label="test"
        )
        DeclarationStatusChange.objects.filter(pk=change.pk).update(changed_at=NOW - dt.timedelta(hours=hours_ago))
        previous = to_status


def _reviewed(office, *, review_hours, days_ago=1):
    """A declaration that spent `review_hours` in document review, `days_ago` days ago."""
    declaration = DeclarationFactory(office=office, status=Status.PERMITTED)
    start = days_ago * 24
    _history(
        declaration,
        [
            (Status.SUBMITTED, start + 1),
            (Status.SCREENING, start + 0.9),
            (Status.DOCUMENT_REVIEW, start),
            (Status.PERMITTED, start - review_hours),
        ],
    )
    return declaration


@pytest.fixture
def tokyo():
    return CustomsOfficeFactory(code="1A")


@pytest.fixture
def osaka():
    return CustomsOfficeFactory(code="4A", name_en="Osaka Customs", name_ja="大阪税関")


def _waiting(office, status=Status.DOCUMENT_REVIEW, hours_ago=2):
    declaration = DeclarationFactory(office=office, status=status)
    _history(declaration, [(Status.SUBMITTED, hours_ago + 1), (status, hours_ago)])
    return declaration


def test_the_typical_time_is_the_median_and_p90_at_the_office(tokyo, osaka):
    for hours in (1, 2, 3, 4, 10):
        _reviewed(tokyo, review_hours=hours)
    _reviewed(osaka, review_hours=100)  # another office's history does not count
    waiting = timings.declaration_waiting_for(declaration=_waiting(tokyo), now=NOW)
    assert waiting.step == "document_review"
    assert waiting.since == NOW - dt.timedelta(hours=2)
    assert waiting.waited == dt.timedelta(hours=2)
    assert waiting.typical.scope == "office"
    assert waiting.typical.samples == 5
    assert waiting.typical.median == dt.timedelta(hours=3)
    # p90 of 1, 2, 3, 4, 10 by linear interpolation: 4 + 0.6 * (10 - 4) = 7.6 h.
    assert waiting.typical.p90 == dt.timedelta(hours=7.6)


def test_an_office_with_few_samples_falls_back_to_all_offices(tokyo, osaka):
    for hours in (1, 2, 3, 4, 10):
        _reviewed(tokyo, review_hours=hours)
    _reviewed(osaka, review_hours=6)
    waiting = timings.declaration_waiting_for(declaration=_waiting(osaka), now=NOW)
    assert waiting.typical.scope == "all"
    assert waiting.typical.samples == 6
    assert waiting.typical.median == dt.timedelta(hours=3.5)


def test_history_older_than_90_days_is_ignored(tokyo):
    _reviewed(tokyo, review_hours=5, days_ago=120)
    waiting = timings.declaration_waiting_for(declaration=_waiting(tokyo), now=NOW)
    assert waiting.typical is None


def test_a_step_still_in_progress_is_not_a_sample(tokyo):
    _waiting(tokyo)  # entered document review and has not left it
    _reviewed(tokyo, review_hours=2)
    waiting = timings.declaration_waiting_for(declaration=_waiting(tokyo), now=NOW)
    assert waiting.typical.samples == 1


def test_payment_and_inspection_are_their_own_steps(tokyo):
    paid = DeclarationFactory(office=tokyo, status=Status.PERMITTED)
    _history(paid, [(Status.SUBMITTED, 30), (Status.AWAITING_PAYMENT, 24), (Status.PERMITTED, 20)])
    waiting = timings.declaration_waiting_for(declaration=_waiting(tokyo, Status.AWAITING_PAYMENT), now=NOW)
    assert (waiting.step, waiting.typical.median) == ("payment", dt.timedelta(hours=4))
    inspected = timings.declaration_waiting_for(declaration=_waiting(tokyo, Status.INSPECTION), now=NOW)
    assert (inspected.step, inspected.typical) == ("inspection", None)


def test_screening_covers_submitted_and_screening(tokyo):
    _reviewed(tokyo, review_hours=1)
    waiting = timings.declaration_waiting_for(declaration=_waiting(tokyo, Status.SUBMITTED), now=NOW)
    assert waiting.step == "screening"
    assert waiting.typical.median == dt.timedelta(hours=0.9)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.PERMITTED, Status.REJECTED, Status.WITHDRAWN])
def test_drafts_and_closed_declarations_wait_for_nothing(tokyo, status):
    assert timings.declaration_waiting_for(declaration=DeclarationFactory(office=tokyo, status=status)) is None


def test_the_fragment_and_the_api(tokyo, api_for, trader_a, trader_b):
    for hours in (1, 2, 3, 4, 10):
        _reviewed(tokyo, review_hours=hours)
    declaration = DeclarationFactory(
        office=tokyo, status=Status.DOCUMENT_REVIEW, company=trader_a.company, declarant=trader_a
    )
    _history(declaration, [(Status.SUBMITTED, 3), (Status.DOCUMENT_REVIEW, 2)])
    html = render_to_string(
        "declarations/_waiting_for.html", {"waiting_for": timings.declaration_waiting_for(declaration=declaration)}
    )
    assert "Document review" in html and "3\xa0hours" in html
    body = api_for(trader_a).get(f"/api/v1/declarations/{declaration.pk}/waiting-for/").json()
    assert body["waiting_for"] == "document_review"
    assert body["typical"]["median_seconds"] == 3 * 3600
    assert body["typical"]["scope"] == "office"
    assert api_for(trader_b).get(f"/api/v1/declarations/{declaration.pk}/waiting-for/").status_code == 404
