"""A payment still open at the gateway: the payer continues it or cancels it, so that
the assessment can be paid again; one the gateway has captured cannot be cancelled."""

from __future__ import annotations

import pytest
from django.test import Client

from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent
from payments import services
from payments.models import Assessment, PaymentIntent, Receipt
from payments.sandbox.models import GatewayCharge
from tests.payments.factories import pay_card_at_gateway, start_payment

pytestmark = pytest.mark.django_db
Status = PaymentIntent.Status


@pytest.fixture
def pending(assessment_a, trader_a):
    return start_payment(assessment_a, trader_a)


def test_the_return_page_of_a_pending_payment_offers_continue_and_cancel(pending, trader_a, client_for):
    page = client_for(trader_a).get(f"/payments/{pending.pk}/return/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'http-equiv="refresh"' in page
    assert f'href="{pending.redirect_url}"' in page and "Continue to the payment page" in page
    assert f'action="/payments/{pending.pk}/cancel/"' in page and "Cancel this payment" in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_continuing_leads_back_to_the_gateways_page(pending, trader_a, client_for):
    gateway_page = client_for(trader_a).get(pending.redirect_url, HTTP_ACCEPT_LANGUAGE="en")
    assert gateway_page.status_code == 200 and b"card_number" in gateway_page.content


def test_the_trader_cancels_a_pending_payment_and_can_pay_again(pending, assessment_a, trader_a, client_for):
    client = client_for(trader_a)
    response = client.post(f"/payments/{pending.pk}/cancel/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == f"/payments/assessments/{assessment_a.pk}/pay/"
    pending.refresh_from_db()
    assert pending.status == Status.CANCELLED
    assert GatewayCharge.objects.get(token=pending.gateway_token).status == GatewayCharge.Status.CANCELED
    event = AuditEvent.objects.get(action="payment.cancelled")
    assert (event.actor, event.before, event.object_id) == (trader_a, {"status": "pending"}, str(pending.pk))

    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert b"is cancelled. You can pay again." in page.content and b'name="idempotency_key"' in page.content
    again = start_payment(assessment_a, trader_a)
    assert again.status == Status.PENDING and again.pk != pending.pk
    # The cancelled session is closed at the gateway: it can no longer be paid.
    assert b"card_number" not in client.get(pending.redirect_url).content


def test_a_payment_the_gateway_captured_cannot_be_cancelled_and_is_booked(pending, assessment_a, trader_a, client_for):
    pay_card_at_gateway(pending)  # captured at the gateway; its notification has not arrived yet
    client = client_for(trader_a)
    response = client.post(f"/payments/{pending.pk}/cancel/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == f"/payments/{pending.pk}/return/"
    pending.refresh_from_db()
    assessment_a.refresh_from_db()
    assert pending.status == Status.SUCCEEDED and assessment_a.status == Assessment.Status.PAID
    assert not AuditEvent.objects.filter(action="payment.cancelled").exists()
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "has already taken payment" in page and Receipt.objects.get().number in page
    assert "Cancel this payment" not in page


def test_cancelling_a_finished_payment_is_refused_and_changes_nothing(pending, trader_a, api_for):
    services.payment_cancel(payment=pending, cancelled_by=trader_a)
    response = api_for(trader_a).post(f"/api/v1/payments/{pending.pk}/cancel/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "payment_not_open"
    assert AuditEvent.objects.filter(action="payment.cancelled").count() == 1


def test_the_api_cancels_and_reports_the_new_actions(pending, trader_a, api_for):
    response = api_for(trader_a).post(f"/api/v1/payments/{pending.pk}/cancel/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["allowed_actions"]) == ("cancelled", [])


def test_only_the_paying_company_cancels(pending, trader_b, clearance_officer, client_for, api_for):
    assert client_for(trader_b).post(f"/payments/{pending.pk}/cancel/").status_code == 404
    assert client_for(clearance_officer).post(f"/payments/{pending.pk}/cancel/").status_code == 403
    assert api_for(clearance_officer).post(f"/api/v1/payments/{pending.pk}/cancel/").status_code == 403
    with pytest.raises(ApplicationError) as refused:
        services.payment_cancel(payment=pending, cancelled_by=clearance_officer)
    assert refused.value.code == "permission_denied"
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_cancelling_needs_a_post_with_the_csrf_token(pending, trader_a, client_for):
    page = client_for(trader_a).get(f"/payments/{pending.pk}/cancel/", HTTP_ACCEPT_LANGUAGE="en")
    assert (page.status_code, page["Allow"]) == (405, "POST")
    assert "This page cannot be opened directly" in page.content.decode()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(trader_a)
    assert strict.post(f"/payments/{pending.pk}/cancel/").status_code == 403
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_cancelling_a_payment_the_gateway_declined_records_the_decline(pending, trader_a, client_for):
    pay_card_at_gateway(pending, "4000000000000002")  # declined; its notification has not arrived yet
    client = client_for(trader_a)
    response = client.post(f"/payments/{pending.pk}/cancel/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.failure_code) == (Status.FAILED, "card_declined")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "is cancelled" not in page and "The card issuer declined the payment." in page
    assert 'name="idempotency_key"' in page


def test_the_api_keeps_its_json_405(pending, trader_a, api_for):
    response = api_for(trader_a).get(f"/api/v1/payments/{pending.pk}/cancel/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
