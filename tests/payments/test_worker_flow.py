"""End to end with a real Celery worker: the gateway's webhook is sent by a task, the
portal's view queues the processing task, the worker applies it."""

from __future__ import annotations

import re

import pytest

from declarations.models import Declaration
from payments.models import GatewayEvent, JournalEntry, PaymentIntent, Receipt
from payments.sandbox.models import GatewayNotification
from tests.celery_worker import running_worker, wait_until
from tests.payments.factories import declaration_awaiting_payment

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_declaration_awaiting_payment_is_paid_by_card_and_permitted(trader_a, client_for, settings):
    from declarations import hooks

    # The sandbox sends every webhook twice, the copy after a random delay.
    settings.SANDBOX_GATEWAY_DELIVERY_CHAOS = True

    declaration = declaration_awaiting_payment(trader_a)
    hooks.declaration_awaiting_payment.send(sender=Declaration, declaration=declaration)
    assessment = declaration.assessment
    client = client_for(trader_a)
    with running_worker() as worker:
        page = client.get(f"/payments/assessments/{assessment.pk}/pay/")
        key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page.content.decode()).group(1)
        to_gateway = client.post(
            f"/payments/assessments/{assessment.pk}/pay/", {"method": "card", "idempotency_key": key}
        )
        client.post(
            to_gateway["Location"],
            {"card_number": "4242424242424242", "expiry_month": 12, "expiry_year": 2099, "cvc": "123"},
        )
        payment = PaymentIntent.objects.get()
        wait_until(lambda: PaymentIntent.objects.get(pk=payment.pk).status == "succeeded", timeout=60)
        wait_until(lambda: Declaration.objects.get(pk=declaration.pk).status == "permitted", timeout=30)
        wait_until(lambda: Receipt.objects.filter(payment=payment, emailed_at__isnull=False).exists(), timeout=30)
        notification = GatewayNotification.objects.get()
        wait_until(lambda: GatewayNotification.objects.get(pk=notification.pk).attempts == 2, timeout=30)
        assert worker.poll() is None
    assert GatewayEvent.objects.count() == 1
    assert JournalEntry.objects.filter(kind="capture").count() == 1
    page = client.get(f"/payments/{payment.pk}/return/", HTTP_ACCEPT_LANGUAGE="en")
    assert b"Paid" in page.content
