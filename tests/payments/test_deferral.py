"""Deferred payment (納期限延長): release before payment up to the unused security,
and the month's total as one assessment due at the end of the next month."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from customs_portal.errors import ApplicationError
from declarations.models import Declaration
from payments import ledger
from payments.deferral import assessment_defer, deferral_approve, deferred_month_consolidate, security_unused_jpy
from payments.models import Account, Assessment
from tests.payments.factories import assessment_for, deliver_and_process, pay_card_at_gateway, start_payment

pytestmark = pytest.mark.django_db


def test_an_approved_trader_defers_up_to_the_unused_security(trader_a, supervisor, django_capture_on_commit_callbacks):
    deferral_approve(company=trader_a.company, security_jpy=70_000, approved_by=supervisor)
    first, second, third = (assessment_for(trader_a) for _ in range(3))  # ¥30,800 each
    with django_capture_on_commit_callbacks(execute=True):
        assessment_defer(assessment=first, requested_by=trader_a)
    first.refresh_from_db()
    assert first.status == Assessment.Status.DEFERRED
    assert first.declaration.status == Declaration.Status.PERMITTED
    assessment_defer(assessment=second, requested_by=trader_a)
    assert security_unused_jpy(company_id=trader_a.company_id) == 70_000 - 61_600
    with pytest.raises(ApplicationError) as refused:
        assessment_defer(assessment=third, requested_by=trader_a)
    assert refused.value.code == "security_exceeded"
    assert "¥8,400 of security left unused" in refused.value.message
    assert ledger.balances(company_id=trader_a.company_id)[Account.DEFERRED_RECEIVABLE] == 61_600


def test_a_company_without_approval_cannot_defer(trader_a, trader_b, supervisor):
    assessment = assessment_for(trader_a)
    with pytest.raises(ApplicationError) as refused:
        assessment_defer(assessment=assessment, requested_by=trader_a)
    assert refused.value.code == "deferral_not_approved"
    deferral_approve(company=trader_a.company, security_jpy=100_000, approved_by=supervisor)
    with pytest.raises(ApplicationError):
        assessment_defer(assessment=assessment, requested_by=trader_b)
    with pytest.raises(ApplicationError):
        deferral_approve(company=trader_b.company, security_jpy=1, approved_by=trader_a)


def test_a_paid_assessment_cannot_be_deferred(trader_a, supervisor):
    deferral_approve(company=trader_a.company, security_jpy=100_000, approved_by=supervisor)
    assessment = assessment_for(trader_a)
    payment = start_payment(assessment, trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    with pytest.raises(ApplicationError) as refused:
        assessment_defer(assessment=assessment, requested_by=trader_a)
    assert (refused.value.code, refused.value.status) == ("not_deferrable", 409)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.PAID
    assert ledger.balances(company_id=trader_a.company_id).get(Account.DEFERRED_RECEIVABLE, 0) == 0


def test_the_months_deferred_total_becomes_one_assessment_due_end_of_next_month(trader_a, supervisor):
    deferral_approve(company=trader_a.company, security_jpy=100_000, approved_by=supervisor)
    for _ in range(2):
        assessment_defer(assessment=assessment_for(trader_a), requested_by=trader_a)
    month_start = timezone.localdate().replace(day=1)
    created = deferred_month_consolidate(month_start=month_start)
    assert deferred_month_consolidate(month_start=month_start) == []  # idempotent
    [monthly] = created
    assert monthly.kind == Assessment.Kind.DEFERRED_MONTHLY
    assert monthly.total_jpy == 61_600
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    assert monthly.due_date == (next_month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    assert monthly.deferred_assessments.count() == 2
    # Paying the monthly total frees the security again and clears the books.
    payment = start_payment(monthly, trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    assert security_unused_jpy(company_id=trader_a.company_id) == 100_000
    balances = ledger.balances(company_id=trader_a.company_id)
    assert balances[Account.RECEIVABLE] == 0 and balances[Account.DEFERRED_RECEIVABLE] == 0
    assert ledger.unbalanced_entries() == []


def test_the_pay_page_offers_deferral_and_the_button_defers(trader_a, supervisor, client_for):
    deferral_approve(company=trader_a.company, security_jpy=100_000, approved_by=supervisor)
    assessment = assessment_for(trader_a)
    client = client_for(trader_a)
    page = client.get(f"/payments/assessments/{assessment.pk}/pay/", HTTP_ACCEPT_LANGUAGE="en")
    assert b"Unused security" in page.content
    assert client.post(f"/payments/assessments/{assessment.pk}/defer/").status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DEFERRED


def test_only_a_supervisor_approves_deferral_through_the_api(trader_a, supervisor, clearance_officer, api_for):
    body = {"company": trader_a.company_id, "security_jpy": 1_000_000}
    assert api_for(clearance_officer).post("/api/v1/payments/deferrals/", body).status_code == 403
    assert api_for(trader_a).post("/api/v1/payments/deferrals/", body).status_code == 403
    response = api_for(supervisor).post("/api/v1/payments/deferrals/", body)
    assert response.status_code == 201
    assert response.json()["unused_security_jpy"] == 1_000_000


def test_an_officer_is_refused_deferral_for_role_not_company(trader_a, supervisor, clearance_officer, api_for):
    deferral_approve(company=trader_a.company, security_jpy=100_000, approved_by=supervisor)
    assessment = assessment_for(trader_a)
    response = api_for(clearance_officer).post(
        f"/api/v1/payments/assessments/{assessment.pk}/defer/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert "Only traders" in response.json()["error"]["message"]
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.OPEN
