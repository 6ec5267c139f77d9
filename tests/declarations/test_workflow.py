"""The declaration state machine: submission, screening, officer decisions, payment."""

from __future__ import annotations

import pytest

from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent, Notification
from declarations import hooks
from declarations.core import workflow
from declarations.core.services import submission
from declarations.models import Declaration, DeclarationAttachment
from declarations.tariff.models import TariffLine
from tests.declarations.factories import (
    DeclarationFactory,
    DeclarationLineFactory,
    declaration_moved_to,
    documents_attach,
)
from tests.tariff.factories import TariffRateFactory

pytestmark = pytest.mark.django_db
Status = Declaration.Status


@pytest.fixture
def draft(trader_a):
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a)
    DeclarationLineFactory(declaration=declaration, invoice_value=200_000)
    return documents_attach(declaration)


def _submit_and_screen(declaration, trader):
    submission.declaration_submit(declaration=declaration, submitted_by=trader)
    submission.declaration_screen(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    return declaration


def test_submission_computes_taxes_freezes_a_version_and_queues_screening(
    draft, trader_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        submission.declaration_submit(declaration=draft, submitted_by=trader_a)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    # 200,000 at the WTO rate of 5 %: duty 10,000; tax base 210,000 → 7.8 % = 16,380 → 16,300.
    assert draft.customs_duty_jpy == 10_000
    assert draft.consumption_tax_jpy == 16_300
    assert draft.versions.get().snapshot["header"]["total_tax_jpy"] == draft.total_tax_jpy
    assert len(callbacks) >= 1


def test_a_green_declaration_waits_for_payment_and_payment_permits_it(
    draft, trader_a, django_capture_on_commit_callbacks
):
    received = []

    def record(**kwargs):
        received.append(kwargs["declaration"].pk)

    hooks.declaration_awaiting_payment.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            declaration = _submit_and_screen(draft, trader_a)
    finally:
        hooks.declaration_awaiting_payment.disconnect(record)
    assert received == [draft.pk]
    assert (declaration.lane, declaration.status) == ("green", Status.AWAITING_PAYMENT)
    workflow.declaration_payment_settled(declaration=declaration)
    declaration.refresh_from_db()
    assert declaration.status == Status.PERMITTED
    assert declaration.permitted_at is not None


def test_screening_twice_changes_nothing_the_second_time(draft, trader_a):
    _submit_and_screen(draft, trader_a)
    assert submission.declaration_screen(declaration_id=draft.pk) == "skipped"
    assert draft.status_changes.count() == 3  # submitted, screening, awaiting payment


def test_a_yellow_declaration_is_decided_by_a_clearance_officer_only(trader_a, clearance_officer, inspection_officer):
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a, total_tax_jpy=5_000)
    declaration_moved_to(declaration, Status.SCREENING)
    workflow.declaration_assign_lane(declaration=declaration, decision=hooks.LaneDecision(lane="yellow"))
    assert declaration.status == Status.DOCUMENT_REVIEW

    with pytest.raises(ApplicationError) as refused:
        workflow.declaration_clear(declaration=declaration, officer=inspection_officer, reason="ok")
    assert refused.value.status == 403

    workflow.declaration_clear(declaration=declaration, officer=clearance_officer, reason="Certificate checked.")
    declaration.refresh_from_db()
    assert declaration.status == Status.AWAITING_PAYMENT
    assert declaration.decision_reason == "Certificate checked."


def test_a_preference_claim_is_screened_yellow_by_the_interim_rule(trader_a):
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a)
    line = DeclarationLineFactory(declaration=declaration, line_no=1)
    TariffRateFactory(tariff_line=TariffLine.objects.get(hs_code=line.hs_code), column="gsp", expression="free")
    declaration.lines.update(preference="gsp", origin_country="VN")
    documents_attach(declaration, DeclarationAttachment.Kind.ORIGIN_DOCUMENT)
    declaration = _submit_and_screen(declaration, trader_a)
    assert (declaration.lane, declaration.status) == ("yellow", Status.DOCUMENT_REVIEW)
    assert declaration.screening_reasons == [{"code": "preference_claimed", "params": {"lines": [1]}}]


def test_transitions_outside_the_state_machine_are_refused(draft, trader_a):
    with pytest.raises(ApplicationError) as refused:
        workflow.declaration_transition(declaration=draft, to=Status.PERMITTED, system="test")
    assert refused.value.code == "transition_not_allowed"
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_role_outside_a_transition_is_refused_and_is_not_offered_it(trader_a, clearance_officer):
    declaration = declaration_moved_to(
        DeclarationFactory(company=trader_a.company, declarant=trader_a), Status.DOCUMENT_REVIEW
    )
    changes = declaration.status_changes.count()
    assert workflow.allowed_targets(declaration=declaration, user=clearance_officer) == [
        Status.AWAITING_PAYMENT,
        Status.PERMITTED,
        Status.INSPECTION,
        Status.REJECTED,
    ]
    assert workflow.allowed_targets(declaration=declaration, user=trader_a) == [Status.SUBMITTED, Status.WITHDRAWN]
    with pytest.raises(ApplicationError) as refused:
        workflow.declaration_transition(declaration=declaration, to=Status.PERMITTED, actor=trader_a)
    assert (refused.value.code, refused.value.status) == ("permission_denied", 403)
    assert refused.value.message == "Your role may not move a declaration from Document review to Permitted."
    declaration.refresh_from_db()
    assert declaration.status == Status.DOCUMENT_REVIEW
    assert declaration.status_changes.count() == changes


def test_a_trader_of_another_company_cannot_move_the_declaration(draft, trader_b):
    with pytest.raises(ApplicationError):
        workflow.declaration_transition(declaration=draft, to=Status.WITHDRAWN, actor=trader_b)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_every_transition_is_audited_and_notified(draft, trader_a):
    _submit_and_screen(draft, trader_a)
    actions = set(AuditEvent.objects.filter(object_id=str(draft.pk)).values_list("action", flat=True))
    assert {"declaration.submitted", "declaration.screening", "declaration.awaiting_payment"} <= actions
    assert Notification.objects.filter(company=trader_a.company, event="declaration.status_changed").count() == 3


def test_a_newcomer_with_a_large_consignment_is_inspected(trader_a):
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a)
    DeclarationLineFactory(declaration=declaration, invoice_value=2_000_000)
    declaration = _submit_and_screen(documents_attach(declaration), trader_a)
    assert (declaration.lane, declaration.status) == ("red", Status.INSPECTION)
