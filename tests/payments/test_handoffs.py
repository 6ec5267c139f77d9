"""The handoff sweep completes what a failed or lost step after commit left between
declarations and payments."""

from __future__ import annotations

from datetime import timedelta

import pytest

from declarations.models import Declaration
from payments import handoffs, tasks
from payments.models import Assessment
from tests.payments.factories import (
    assessment_for,
    declaration_awaiting_payment,
    deliver_and_process,
    pay_card_at_gateway,
    start_payment,
)

pytestmark = pytest.mark.django_db
Status = Declaration.Status
NOW = timedelta(0)


def test_the_sweep_creates_the_missing_assessment_of_a_declaration_awaiting_payment(trader_a):
    # The test's transaction never commits, so the assessment that normally follows on
    # commit is missing: the state a dead process or a failed receiver leaves.
    declaration = declaration_awaiting_payment(trader_a, duty=10_000, consumption=16_300, local=4_500)
    assert not Assessment.objects.filter(declaration=declaration).exists()
    assert handoffs.handoffs_repair(older_than=NOW) == handoffs.HandoffRepair(assessed=1, permitted=0)
    assessment = Assessment.objects.get(declaration=declaration)
    assert assessment.total_jpy == 30_800
    assert assessment.status == Assessment.Status.OPEN
    assert handoffs.handoffs_repair(older_than=NOW) == handoffs.HandoffRepair(assessed=0, permitted=0)


def test_the_sweep_permits_a_declaration_whose_assessment_was_paid(trader_a):
    assessment = assessment_for(trader_a)
    payment = start_payment(assessment, trader_a)
    pay_card_at_gateway(payment)
    assert "succeeded" in deliver_and_process(payment)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.PAID
    declaration = assessment.declaration
    declaration.refresh_from_db()
    assert declaration.status == Status.AWAITING_PAYMENT  # the permit on commit never ran
    assert handoffs.handoffs_repair(older_than=NOW) == handoffs.HandoffRepair(assessed=0, permitted=1)
    declaration.refresh_from_db()
    assert declaration.status == Status.PERMITTED
    assert declaration.status_changes.filter(to_status=Status.PERMITTED, actor_label=handoffs.SYSTEM).exists()


def test_the_sweep_leaves_recent_and_open_handoffs_alone(trader_a):
    fresh = declaration_awaiting_payment(trader_a)
    unpaid = assessment_for(trader_a)
    assert tasks.handoffs_repair() == {
        "assessed": 0,
        "permitted": 0,
        "parcels_assessed": 0,
    }  # both younger than two minutes
    assert not Assessment.objects.filter(declaration=fresh).exists()
    Declaration.objects.update(updated_at=fresh.updated_at - timedelta(minutes=5))
    assert tasks.handoffs_repair() == {"assessed": 1, "permitted": 0, "parcels_assessed": 0}
    unpaid.declaration.refresh_from_db()
    assert unpaid.declaration.status == Status.AWAITING_PAYMENT
