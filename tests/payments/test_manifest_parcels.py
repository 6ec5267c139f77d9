"""Parcels from a manifest owe tax like any declaration, without one message each."""

from __future__ import annotations

import pytest

from customs_portal.models import Notification
from declarations import hooks
from declarations.core import workflow
from declarations.models import Declaration
from payments.models import Assessment
from tests.declarations.factories import DeclarationFactory, declaration_moved_to

pytestmark = pytest.mark.django_db


def _cleared(trader, *, source, capture):
    declaration = DeclarationFactory(
        company=trader.company,
        declarant=trader,
        source=source,
        consumption_tax_jpy=7_800,
        local_consumption_tax_jpy=2_200,
        total_tax_jpy=10_000,
    )
    declaration_moved_to(declaration, Declaration.Status.SCREENING)
    with capture(execute=True):
        workflow.declaration_assign_lane(declaration=declaration, decision=hooks.LaneDecision(lane="green"))
    return declaration


def test_a_manifest_parcel_gets_its_assessment_without_a_message_of_its_own(
    trader_a, django_capture_on_commit_callbacks
):
    parcel = _cleared(trader_a, source=Declaration.Source.MANIFEST, capture=django_capture_on_commit_callbacks)
    assert Assessment.objects.get(declaration=parcel).total_jpy == 10_000
    assert not Notification.objects.filter(event="payment.assessment_created").exists()


def test_a_regular_declaration_announces_what_is_owed(trader_a, django_capture_on_commit_callbacks):
    _cleared(trader_a, source=Declaration.Source.PORTAL, capture=django_capture_on_commit_callbacks)
    assert Notification.objects.filter(company=trader_a.company, event="payment.assessment_created").count() == 1
