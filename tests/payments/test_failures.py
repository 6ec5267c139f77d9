"""A failed payment keeps the reason as a code with parameters; pages and the API
render it as a message in the reader's language, never the gateway's raw code."""

from __future__ import annotations

import time

import pytest

from payments import services
from payments.models import GatewayEvent, PaymentIntent
from tests.payments.factories import deliver_and_process, pay_card_at_gateway, signed_post, start_payment

pytestmark = pytest.mark.django_db
DECLINED = "The card issuer declined the payment. Try another card or another payment method."


@pytest.fixture
def declined(assessment_a, trader_a):
    payment = start_payment(assessment_a, trader_a)
    pay_card_at_gateway(payment, "4000000000000002")
    deliver_and_process(payment)
    payment.refresh_from_db()
    return payment


def test_a_declined_card_is_stored_as_a_code_and_shown_as_a_message(declined, trader_a, client_for):
    assert (declined.status, declined.failure_code, declined.failure_params) == ("failed", "card_declined", {})
    client = client_for(trader_a)
    for url in (f"/payments/{declined.pk}/return/", f"/payments/{declined.pk}/"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert DECLINED in page and "card_declined" not in page
    pay_page = client.get(f"/payments/assessments/{declined.assessment_id}/pay/", HTTP_ACCEPT_LANGUAGE="en")
    assert f"Your last attempt, {declined}, failed:" in pay_page.content.decode()
    assert DECLINED in pay_page.content.decode() and b'name="idempotency_key"' in pay_page.content


def test_the_api_gives_the_code_and_the_message(declined, trader_a, api_for):
    body = api_for(trader_a).get(f"/api/v1/payments/{declined.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (body["failure_code"], body["failure_message"]) == ("card_declined", DECLINED)


def test_a_decline_code_the_portal_does_not_know_keeps_the_gateways_code_as_a_parameter(
    assessment_a, trader_a, client, api_for
):
    payment = start_payment(assessment_a, trader_a)
    event = {
        "id": "evt_unknown_decline",
        "type": "charge.failed",
        "created": int(time.time()),
        "data": {
            "token": payment.gateway_token,
            "status": "failed",
            "amount_jpy": payment.amount_jpy,
            "decline_code": "do_not_honor",
        },
    }
    assert signed_post(client, event).status_code == 200
    assert services.gateway_event_process(event_pk=GatewayEvent.objects.get().pk) == "failed"
    payment.refresh_from_db()
    assert (payment.failure_code, payment.failure_params) == ("gateway_declined", {"gateway_code": "do_not_honor"})
    body = api_for(trader_a).get(f"/api/v1/payments/{payment.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["failure_message"] == "The payment gateway declined the payment (code do_not_honor)."


def test_a_payment_that_did_not_fail_has_no_failure_message(assessment_a, trader_a, api_for):
    payment = start_payment(assessment_a, trader_a)
    body = api_for(trader_a).get(f"/api/v1/payments/{payment.pk}/").json()
    assert (body["failure_code"], body["failure_message"]) == ("", None)
    assert PaymentIntent.objects.get().failure_message == ""
