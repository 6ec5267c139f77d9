"""Assessments, payment intents, the sandbox gateway and its webhooks."""

from __future__ import annotations

import time
import uuid

import pytest
from django.core import mail

from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent
from declarations import hooks
from declarations.models import Declaration
from payments import ledger, services, tasks
from payments.models import Account, Assessment, GatewayEvent, JournalEntry, PaymentIntent, Receipt
from payments.sandbox.models import GatewayCharge, GatewayNotification
from tests.payments.factories import (
    declaration_awaiting_payment,
    deliver_and_process,
    pay_card_at_gateway,
    signed_post,
    start_payment,
)

pytestmark = pytest.mark.django_db
Status = PaymentIntent.Status


def test_an_assessment_is_created_once_when_a_declaration_awaits_payment(trader_a):
    declaration = declaration_awaiting_payment(trader_a)
    hooks.declaration_awaiting_payment.send(sender=Declaration, declaration=declaration)
    hooks.declaration_awaiting_payment.send(sender=Declaration, declaration=declaration)
    assessment = Assessment.objects.get(declaration=declaration)
    assert (assessment.customs_duty_jpy, assessment.consumption_tax_jpy, assessment.local_consumption_tax_jpy) == (
        10_000,
        16_300,
        4_500,
    )
    assert assessment.total_jpy == 30_800
    assert assessment.company == trader_a.company
    assert assessment.due_date is not None
    assert JournalEntry.objects.filter(assessment=assessment, kind="assessment").count() == 1
    assert ledger.balances(declaration_id=declaration.pk)[Account.RECEIVABLE] == 30_800


def test_card_payment_captures_once_issues_a_receipt_and_permits_the_declaration(
    assessment_a, trader_a, django_capture_on_commit_callbacks
):
    payment = start_payment(assessment_a, trader_a)
    assert payment.status == Status.PENDING
    assert payment.amount_jpy == 30_800
    pay_card_at_gateway(payment)
    payment.refresh_from_db()
    assert payment.status == Status.PENDING  # nothing changes until the webhook arrives

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_and_process(payment) == ["succeeded"]
    payment.refresh_from_db()
    assessment_a.refresh_from_db()
    assert payment.status == Status.SUCCEEDED
    assert payment.card_last4 == "4242"
    assert assessment_a.status == Assessment.Status.PAID
    assert assessment_a.declaration.status == Declaration.Status.PERMITTED
    receipt = Receipt.objects.get(payment=payment)
    assert receipt.number.startswith("R-")
    balances = ledger.balances(declaration_id=assessment_a.declaration_id)
    assert balances[Account.RECEIVABLE] == 0
    assert balances[Account.CLEARING_CARD] == 30_800 - 462  # 1.5 % sandbox fee
    assert balances[Account.FEES] == 462
    assert ledger.unbalanced_entries() == []
    assert AuditEvent.objects.filter(action="payment.succeeded", actor_label="sandbox-gateway").count() == 1


def test_the_receipt_is_emailed_once_with_the_pdf(assessment_a, trader_a):
    payment = start_payment(assessment_a, trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    receipt = Receipt.objects.get(payment=payment)
    assert services.receipt_send_email(receipt_id=receipt.pk) is True
    assert services.receipt_send_email(receipt_id=receipt.pk) is False
    assert len(mail.outbox) == 1
    name, content, mimetype = mail.outbox[0].attachments[0]
    assert name == f"{receipt.number}.pdf" and content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("card", "code"),
    [
        ("4000000000000002", "card_declined"),
        ("4000000000009995", "insufficient_funds"),
        ("4000000000000069", "expired_card"),
        ("4111111111111111", "card_not_supported"),
    ],
)
def test_declined_cards_fail_the_payment_with_the_gateways_code(assessment_a, trader_a, card, code):
    payment = start_payment(assessment_a, trader_a)
    pay_card_at_gateway(payment, card)
    assert deliver_and_process(payment) == ["failed"]
    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == (Status.FAILED, code)
    assessment_a.refresh_from_db()
    assert assessment_a.status == Assessment.Status.OPEN
    # After a failure the trader may try again.
    assert start_payment(assessment_a, trader_a).status == Status.PENDING


def test_a_card_number_failing_the_luhn_check_is_refused_and_changes_nothing(assessment_a, trader_a):
    from payments.sandbox import gateway

    payment = start_payment(assessment_a, trader_a)
    with pytest.raises(gateway.GatewayError) as refused:
        pay_card_at_gateway(payment, "4242424242424241")
    assert refused.value.code == "invalid_number"
    assert GatewayCharge.objects.get(token=payment.gateway_token).status == "requires_payment"
    assert not GatewayNotification.objects.exists()


@pytest.mark.parametrize("method", ["qr", "payeasy", "direct_debit"])
def test_other_methods_are_approved_at_the_gateway(assessment_a, trader_a, method):
    from payments.sandbox import gateway

    payment = start_payment(assessment_a, trader_a, method=method)
    gateway.charge_approve(token=payment.gateway_token, bank_account="MUFG 1234567")
    assert deliver_and_process(payment) == ["succeeded"]
    payment.refresh_from_db()
    assert payment.status == Status.SUCCEEDED
    assert ledger.balances()[f"clearing:{method}"] > 0


def test_a_webhook_delivered_five_times_changes_state_once(assessment_a, trader_a, client):
    from payments.sandbox import gateway

    payment = start_payment(assessment_a, trader_a)
    pay_card_at_gateway(payment)
    notification = GatewayNotification.objects.get(charge__token=payment.gateway_token)
    for _attempt in range(5):
        assert gateway.notification_deliver(notification_id=notification.pk) == 200
    event = GatewayEvent.objects.get()
    outcomes = [services.gateway_event_process(event_pk=event.pk) for _ in range(5)]
    assert outcomes == ["succeeded"] + ["already_processed"] * 4
    assert JournalEntry.objects.filter(kind="capture").count() == 1
    assert AuditEvent.objects.filter(action="payment.succeeded").count() == 1


def test_a_replayed_event_is_recognised_and_changes_nothing(assessment_a, trader_a, client):
    payment = start_payment(assessment_a, trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    notification = GatewayNotification.objects.get(charge__token=payment.gateway_token)
    response = signed_post(client, notification.payload)
    assert response.status_code == 200
    assert response.json()["duplicate"] is True
    assert GatewayEvent.objects.count() == 1


def test_a_webhook_with_a_bad_signature_gets_400_and_changes_nothing(assessment_a, trader_a, client):
    payment = start_payment(assessment_a, trader_a)
    payload = {
        "id": "evt_forged",
        "type": "charge.succeeded",
        "created": int(time.time()),
        "data": {"token": payment.gateway_token, "status": "succeeded", "amount_jpy": payment.amount_jpy},
    }
    response = signed_post(client, payload, secret="not-the-secret")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_signature"
    stale = signed_post(client, payload, timestamp=int(time.time()) - 3600)
    assert stale.status_code == 400
    assert stale.json()["error"]["code"] == "stale_timestamp"
    unsigned = client.post("/payments/webhooks/gateway/", data=b"{}", content_type="application/json")
    assert unsigned.status_code == 400
    assert not GatewayEvent.objects.exists()
    payment.refresh_from_db()
    assert payment.status == Status.PENDING


def test_out_of_order_notifications_do_not_move_a_payment_backwards(assessment_a, trader_a, client):
    payment = start_payment(assessment_a, trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    late_failure = {
        "id": "evt_late_failure",
        "type": "charge.failed",
        "created": int(time.time()) - 10,
        "data": {"token": payment.gateway_token, "status": "failed", "amount_jpy": payment.amount_jpy},
    }
    assert signed_post(client, late_failure).status_code == 200
    event = GatewayEvent.objects.get(event_id="evt_late_failure")
    assert services.gateway_event_process(event_pk=event.pk) == "ignored"
    payment.refresh_from_db()
    assert payment.status == Status.SUCCEEDED


def test_a_gateway_timeout_leaves_the_payment_pending_until_the_poll_task_resolves_it(assessment_a, trader_a, settings):
    settings.SANDBOX_GATEWAY_TIMEOUT_SETTLE_SECONDS = 3600
    settings.PAYMENTS_POLL_AFTER_SECONDS = 0
    payment = start_payment(assessment_a, trader_a)
    pay_card_at_gateway(payment, "4000000000000119")
    assert not GatewayNotification.objects.exists()
    assert tasks.payments_poll_pending() == 0  # the gateway is still processing
    payment.refresh_from_db()
    assert payment.status == Status.PENDING

    settings.SANDBOX_GATEWAY_TIMEOUT_SETTLE_SECONDS = 0
    assert tasks.payments_poll_pending() == 1
    payment.refresh_from_db()
    assert payment.status == Status.SUCCEEDED
    # The gateway's late webhook then changes nothing.
    assert deliver_and_process(payment) == ["ignored"]
    assert JournalEntry.objects.filter(kind="capture").count() == 1


def test_unpaid_intents_expire_and_the_gateway_session_is_cancelled(assessment_a, trader_a):
    payment = start_payment(assessment_a, trader_a)
    PaymentIntent.objects.filter(pk=payment.pk).update(expires_at=payment.created_at)
    assert tasks.payments_expire_stale() == 1
    payment.refresh_from_db()
    assert payment.status == Status.EXPIRED
    assert GatewayCharge.objects.get(token=payment.gateway_token).status == "canceled"
    assert tasks.payments_expire_stale() == 0
    assert start_payment(assessment_a, trader_a).status == Status.PENDING


def test_the_server_computes_the_amount_and_ignores_a_tampered_one(assessment_a, trader_a, api_for):
    response = api_for(trader_a).post(
        "/api/v1/payments/create/",
        {"assessment": assessment_a.pk, "method": "card", "amount_jpy": 1},
        format="json",
        HTTP_IDEMPOTENCY_KEY="tamper-1",
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount_jpy"] == 30_800
    assert GatewayCharge.objects.get().amount_jpy == 30_800


def test_the_same_idempotency_key_returns_the_same_payment_and_another_body_is_409(assessment_a, trader_a, api_for):
    client = api_for(trader_a)
    first = client.post(
        "/api/v1/payments/create/", {"assessment": assessment_a.pk, "method": "card"}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        "/api/v1/payments/create/", {"assessment": assessment_a.pk, "method": "card"}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    other = client.post(
        "/api/v1/payments/create/", {"assessment": assessment_a.pk, "method": "qr"}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    missing = client.post("/api/v1/payments/create/", {"assessment": assessment_a.pk, "method": "card"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert first.json()["id"] == again.json()["id"]
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert missing.status_code == 400
    assert PaymentIntent.objects.count() == 1


def test_a_second_payer_is_told_clearly_that_a_payment_is_in_progress(assessment_a, trader_a):
    start_payment(assessment_a, trader_a)
    with pytest.raises(ApplicationError) as refused:
        start_payment(assessment_a, trader_a)
    assert refused.value.status == 409
    assert refused.value.code == "payment_in_progress"
    assert "in progress" in refused.value.message


def test_a_paid_assessment_cannot_be_paid_again(assessment_a, trader_a):
    payment = start_payment(assessment_a, trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    with pytest.raises(ApplicationError) as refused:
        start_payment(assessment_a, trader_a)
    assert refused.value.code == "assessment_settled"


def test_a_trader_cannot_pay_or_see_another_companys_assessment(assessment_a, trader_b, api_for):
    response = api_for(trader_b).post(
        "/api/v1/payments/create/",
        {"assessment": assessment_a.pk, "method": "card"},
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    assert response.status_code == 404
    assert api_for(trader_b).get("/api/v1/payments/assessments/").json()["results"] == []
    assert not PaymentIntent.objects.exists()


def test_a_capture_for_an_assessment_no_longer_open_is_refused_and_books_nothing(assessment_a, trader_a):
    payment = start_payment(assessment_a, trader_a)
    # Changed past the services (which would refuse to defer it with a payment open).
    Assessment.objects.filter(pk=assessment_a.pk).update(status=Assessment.Status.DEFERRED)
    pay_card_at_gateway(payment)

    assert "assessment_not_open" in deliver_and_process(payment)

    payment.refresh_from_db()
    assessment_a.refresh_from_db()
    assert payment.status == Status.PENDING
    assert assessment_a.status == Assessment.Status.DEFERRED
    assert not JournalEntry.objects.filter(payment=payment).exists()
    assert not Receipt.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["payment.succeeded", "assessment.paid"]).exists()
    # The poll task asks again and is refused the same way, without failing.
    assert services.payment_sync_from_gateway(payment_id=payment.pk) == "assessment_not_open"


def test_a_deferred_assessment_cannot_be_paid(assessment_a, trader_a, supervisor):
    from payments.deferral import assessment_defer, deferral_approve

    deferral_approve(company=trader_a.company, security_jpy=100_000, approved_by=supervisor)
    assessment_defer(assessment=assessment_a, requested_by=trader_a)
    with pytest.raises(ApplicationError) as refused:
        start_payment(assessment_a, trader_a)
    assert refused.value.code == "assessment_settled"
    assert not PaymentIntent.objects.exists()


@pytest.mark.parametrize("final", [Assessment.Status.PAID, Assessment.Status.DEFERRED])
def test_a_settled_assessment_is_final(assessment_a, trader_a, supervisor, final):
    from payments.deferral import assessment_defer, deferral_approve
    from payments.states import ASSESSMENT_MACHINE

    if final == Assessment.Status.PAID:
        payment = start_payment(assessment_a, trader_a)
        pay_card_at_gateway(payment)
        deliver_and_process(payment)
    else:
        deferral_approve(company=trader_a.company, security_jpy=100_000, approved_by=supervisor)
        assessment_defer(assessment=assessment_a, requested_by=trader_a)
    assessment_a.refresh_from_db()
    assert assessment_a.status == final
    for target in Assessment.Status.values:
        with pytest.raises(ApplicationError) as refused:
            ASSESSMENT_MACHINE.transition(assessment_a, to=target, settled_at=None)
        assert (refused.value.code, refused.value.status) == ("assessment_transition_not_allowed", 409)
    assessment_a.refresh_from_db()
    assert assessment_a.status == final
