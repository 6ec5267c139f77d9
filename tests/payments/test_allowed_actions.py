"""What each persona may do with assessments, payments and refunds: the actions the API
reports, the services that refuse the rest, and the buttons the pages show."""

from __future__ import annotations

import re
import uuid

import pytest
import yaml
from django.urls import reverse

from customs_portal.errors import ApplicationError
from customs_portal.models import Role
from payments import services
from payments.deferral import deferral_approve
from payments.models import PaymentIntent, Refund
from tests.customs_portal.factories import UserFactory
from tests.payments.factories import RETURN_URL, deliver_and_process, pay_card_at_gateway, start_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def captured(assessment_a, trader_a):
    payment = start_payment(assessment_a, trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    payment.refresh_from_db()
    return payment


@pytest.fixture
def awaiting_refund(captured, supervisor, settings):
    settings.PAYMENTS_REFUND_APPROVAL_THRESHOLD_JPY = 1_000
    return services.refund_request(payment=captured, amount_jpy=5_000, reason="Error", requested_by=supervisor)


@pytest.fixture
def second_supervisor():
    return UserFactory(role=Role.SUPERVISOR, username="supervisor-2")


def _assessment_actions(api, assessment) -> list[str]:
    rows = api.get("/api/v1/payments/assessments/").json()["results"]
    return next(row["allowed_actions"] for row in rows if row["id"] == assessment.pk)


def _pay_form_key(page) -> str | None:
    found = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page.content.decode())
    return found.group(1) if found else None


# --- The API reports the allowed actions --------------------------------------------


def test_an_open_assessment_can_be_paid_by_its_trader_only(
    assessment_a, trader_a, clearance_officer, supervisor, api_for
):
    assert _assessment_actions(api_for(trader_a), assessment_a) == ["pay"]
    assert _assessment_actions(api_for(clearance_officer), assessment_a) == []
    deferral_approve(company=trader_a.company, security_jpy=100_000, approved_by=supervisor)
    assert _assessment_actions(api_for(trader_a), assessment_a) == ["pay", "defer"]


def test_an_assessment_with_a_payment_in_flight_or_paid_offers_nothing(assessment_a, trader_a, api_for):
    payment = start_payment(assessment_a, trader_a)
    assert _assessment_actions(api_for(trader_a), assessment_a) == []
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    assert api_for(trader_a).get("/api/v1/payments/assessments/").json()["results"][0]["allowed_actions"] == []


def test_a_pending_payment_can_be_continued_or_cancelled_by_its_trader(
    assessment_a, trader_a, clearance_officer, api_for
):
    payment = start_payment(assessment_a, trader_a)
    url = f"/api/v1/payments/{payment.pk}/"
    assert api_for(trader_a).get(url).json()["allowed_actions"] == ["continue", "cancel"]
    assert api_for(clearance_officer).get(url).json()["allowed_actions"] == []


def test_an_expired_gateway_session_is_no_longer_offered_to_continue(assessment_a, trader_a, api_for):
    payment = start_payment(assessment_a, trader_a)
    PaymentIntent.objects.filter(pk=payment.pk).update(expires_at="2020-01-01T00:00:00Z")
    assert api_for(trader_a).get(f"/api/v1/payments/{payment.pk}/").json()["allowed_actions"] == ["cancel"]


def test_a_captured_payment_offers_the_receipt_and_refunds_to_finance_officers(
    captured, trader_a, clearance_officer, inspection_officer, api_for
):
    url = f"/api/v1/payments/{captured.pk}/"
    assert api_for(trader_a).get(url).json()["allowed_actions"] == ["receipt"]
    assert api_for(clearance_officer).get(url).json()["allowed_actions"] == ["refund", "receipt"]
    assert api_for(inspection_officer).get(url).json()["allowed_actions"] == ["receipt"]
    services.refund_request(payment=captured, amount_jpy=30_800, reason="All", requested_by=clearance_officer)
    assert api_for(clearance_officer).get(url).json()["allowed_actions"] == ["receipt"]


def test_a_refund_awaiting_approval_is_decided_by_another_supervisor_only(
    awaiting_refund, supervisor, second_supervisor, clearance_officer, api_for
):
    def actions(user) -> list[str]:
        return api_for(user).get("/api/v1/payments/refunds/").json()["results"][0]["allowed_actions"]

    assert actions(supervisor) == []
    assert actions(clearance_officer) == []
    assert actions(second_supervisor) == ["approve", "reject"]
    decided = api_for(second_supervisor).post(
        f"/api/v1/payments/refunds/{awaiting_refund.pk}/decide/", {"approve": True}, format="json"
    )
    assert decided.status_code == 200 and decided.json()["allowed_actions"] == []


def test_the_allowed_actions_are_in_the_openapi_schema(client_for):
    admin = UserFactory(role=Role.ADMIN, username="schema-admin")
    schema = yaml.safe_load(client_for(admin).get(reverse("api-schema")).content)
    components = schema["components"]["schemas"]

    def actions_of(output: str) -> list[str]:
        items = components[output]["properties"]["allowed_actions"]["items"]
        return components[items["$ref"].rsplit("/", 1)[1]]["enum"]

    assert actions_of("AssessmentOutput") == ["pay", "defer"]
    assert actions_of("PaymentOutput") == ["continue", "cancel", "refund", "receipt"]
    assert actions_of("RefundOutput") == ["approve", "reject"]
    assert "failure_message" in components["PaymentOutput"]["properties"]
    assert "/api/v1/payments/{payment_id}/cancel/" in schema["paths"]


# --- The services refuse what is not allowed ---------------------------------------


@pytest.mark.parametrize("persona", ["clearance_officer", "supervisor", "admin_user"])
def test_only_traders_pay_whoever_calls_the_service(assessment_a, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(ApplicationError) as refused:
        services.payment_create(
            assessment=assessment_a,
            method="card",
            created_by=user,
            idempotency_key=uuid.uuid4().hex,
            return_url=RETURN_URL,
        )
    assert (refused.value.code, refused.value.status) == ("permission_denied", 403)
    assert not PaymentIntent.objects.exists()


def test_a_trader_of_another_company_cannot_pay_through_the_service(assessment_a, trader_b):
    with pytest.raises(ApplicationError) as refused:
        start_payment(assessment_a, trader_b)
    assert refused.value.code == "not_found"
    assert not PaymentIntent.objects.exists()


def test_an_officer_paying_through_the_api_is_refused(assessment_a, clearance_officer, api_for):
    response = api_for(clearance_officer).post(
        "/api/v1/payments/create/", {"assessment": assessment_a.pk, "method": "card"}, HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not PaymentIntent.objects.exists()


def test_refund_decisions_follow_four_eyes_and_need_a_supervisor(
    awaiting_refund, supervisor, clearance_officer, audit_officer
):
    with pytest.raises(ApplicationError) as own:
        services.refund_decide(refund=awaiting_refund, approve=True, decided_by=supervisor)
    assert own.value.code == "four_eyes"
    for officer in (clearance_officer, audit_officer):
        with pytest.raises(ApplicationError) as not_supervisor:
            services.refund_decide(refund=awaiting_refund, approve=True, decided_by=officer)
        assert not_supervisor.value.code == "permission_denied"
    awaiting_refund.refresh_from_db()
    assert awaiting_refund.status == Refund.Status.AWAITING_APPROVAL


def test_a_trader_cannot_request_a_refund_through_the_service(captured, trader_a):
    with pytest.raises(ApplicationError) as refused:
        services.refund_request(payment=captured, amount_jpy=100, reason="Mine", requested_by=trader_a)
    assert refused.value.code == "permission_denied"
    assert not Refund.objects.exists()


def test_a_refund_decision_without_a_choice_changes_nothing(awaiting_refund, second_supervisor, client_for):
    response = client_for(second_supervisor).post(f"/payments/refunds/{awaiting_refund.pk}/decide/", {})
    assert response.status_code == 400
    awaiting_refund.refresh_from_db()
    assert awaiting_refund.status == Refund.Status.AWAITING_APPROVAL


# --- The pages show exactly the allowed buttons -------------------------------------


def test_the_pay_page_offers_paying_until_a_payment_is_in_flight(assessment_a, trader_a, client_for):
    client = client_for(trader_a)
    page = client.get(f"/payments/assessments/{assessment_a.pk}/pay/", HTTP_ACCEPT_LANGUAGE="en")
    assert _pay_form_key(page) and b"Continue to the payment gateway" in page.content
    assert b"Cancel this payment" not in page.content and b"Continue to the payment page" not in page.content

    payment = start_payment(assessment_a, trader_a)
    page = client.get(f"/payments/assessments/{assessment_a.pk}/pay/", HTTP_ACCEPT_LANGUAGE="en")
    assert _pay_form_key(page) is None
    assert f'href="{payment.redirect_url}"'.encode() in page.content
    assert f'action="/payments/{payment.pk}/cancel/"'.encode() in page.content


def test_the_trader_home_shows_pay_only_where_paying_is_allowed(assessment_a, trader_a, client_for):
    from tests.payments.factories import assessment_for

    other = assessment_for(trader_a)
    start_payment(other, trader_a)
    page = client_for(trader_a).get("/payments/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('role="button" href="/payments/assessments/') == 1
    assert f'role="button" href="/payments/assessments/{assessment_a.pk}/pay/"' in page
    assert "Payment in progress" in page


def test_the_payment_page_shows_the_refund_form_to_finance_officers_only(
    captured, trader_a, clearance_officer, inspection_officer, client_for
):
    refund_action = f'action="/payments/{captured.pk}/refund/"'.encode()
    assert (
        refund_action
        in client_for(clearance_officer).get(f"/payments/{captured.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    )
    assert (
        refund_action
        not in client_for(inspection_officer).get(f"/payments/{captured.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    )
    trader_page = client_for(trader_a).get(f"/payments/{captured.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    assert refund_action not in trader_page and b"Cancel this payment" not in trader_page
    assert f"/payments/receipts/{captured.receipt.pk}/".encode() in trader_page


def test_the_approvals_page_shows_decisions_only_to_another_supervisor(
    awaiting_refund, supervisor, second_supervisor, client_for
):
    decide = f'action="/payments/refunds/{awaiting_refund.pk}/decide/"'.encode()
    own = client_for(supervisor).get("/payments/officer/refunds/", HTTP_ACCEPT_LANGUAGE="en").content
    assert str(awaiting_refund).encode() in own and decide not in own
    other = client_for(second_supervisor).get("/payments/officer/refunds/", HTTP_ACCEPT_LANGUAGE="en").content
    assert decide in other and b'value="approve"' in other and b'value="reject"' in other
