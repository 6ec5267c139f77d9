"""The supervisors' screen for deferred-payment approvals: it lists the approvals with
the security in use and approves through the same service as the API."""

from __future__ import annotations

import pytest

from customs_portal.models import AuditEvent
from payments.deferral import assessment_defer, deferral_approve
from payments.models import DeferralApproval
from tests.payments.factories import assessment_for

pytestmark = pytest.mark.django_db

URL = "/payments/officer/deferrals/"


def test_a_supervisor_approves_a_company_through_the_page(trader_a, supervisor, client_for):
    client = client_for(supervisor)
    response = client.post(URL, {"company": trader_a.company_id, "security_jpy": "500000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    approval = DeferralApproval.objects.get(company=trader_a.company)
    assert approval.security_jpy == 500_000 and approval.approved_by == supervisor and approval.is_active
    assert AuditEvent.objects.filter(action="deferral.approved", actor=supervisor).count() == 1
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert trader_a.company.name.encode() in page.content and "¥500,000".encode() in page.content
    assert b"is approved for deferred payment" in page.content


def test_the_page_changes_the_registered_security(trader_a, supervisor, client_for):
    deferral_approve(company=trader_a.company, security_jpy=100_000, approved_by=supervisor)
    response = client_for(supervisor).post(URL, {"company": trader_a.company_id, "security_jpy": "250000"})
    assert response.status_code == 302
    assert DeferralApproval.objects.get(company=trader_a.company).security_jpy == 250_000
    assert AuditEvent.objects.filter(action="deferral.approved").count() == 2


def test_other_officers_and_traders_are_refused(trader_a, clearance_officer, client_for):
    for user in (clearance_officer, trader_a):
        client = client_for(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"company": trader_a.company_id, "security_jpy": "500000"}).status_code == 403
    assert not DeferralApproval.objects.exists()
    assert not AuditEvent.objects.filter(action="deferral.approved").exists()


@pytest.mark.parametrize("amount", ["0", "-5", "12.5", "abc", ""])
def test_a_bad_amount_is_a_form_error_and_nothing_is_saved(amount, trader_a, supervisor, client_for):
    response = client_for(supervisor).post(
        URL, {"company": trader_a.company_id, "security_jpy": amount}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.context["form"].errors["security_jpy"]
    assert not DeferralApproval.objects.exists()
    assert not AuditEvent.objects.filter(action="deferral.approved").exists()


def test_an_unknown_company_is_a_form_error(supervisor, client_for):
    response = client_for(supervisor).post(URL, {"company": "999999", "security_jpy": "1000"})
    assert response.status_code == 400
    assert response.context["form"].errors["company"]
    assert not DeferralApproval.objects.exists()


def test_the_list_shows_used_and_unused_security_in_pinned_queries(
    trader_a, trader_b, supervisor, client_for, django_assert_max_num_queries
):
    deferral_approve(company=trader_a.company, security_jpy=100_000, approved_by=supervisor)
    deferral_approve(company=trader_b.company, security_jpy=50_000, approved_by=supervisor)
    for _ in range(2):
        assessment_defer(assessment=assessment_for(trader_a), requested_by=trader_a)  # ¥30,800 each
    client = client_for(supervisor)
    with django_assert_max_num_queries(8):
        response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    rows = {approval.company_id: approval for approval in response.context["approvals"]}
    assert (rows[trader_a.company_id].used_jpy, rows[trader_a.company_id].unused_jpy) == (61_600, 38_400)
    assert (rows[trader_b.company_id].used_jpy, rows[trader_b.company_id].unused_jpy) == (0, 50_000)
    assert "¥38,400".encode() in response.content and "¥61,600".encode() in response.content


def test_the_officer_payments_page_links_supervisors_to_the_screen(supervisor, clearance_officer, client_for):
    assert URL.encode() in client_for(supervisor).get("/payments/officer/").content
    assert URL.encode() not in client_for(clearance_officer).get("/payments/officer/").content


def test_the_page_is_in_japanese_by_default(supervisor, client_for):
    from django.utils import translation

    with translation.override("ja"):
        response = client_for(supervisor).get(URL, HTTP_ACCEPT_LANGUAGE="ja")
    assert "納期限延長の承認" in response.content.decode()
