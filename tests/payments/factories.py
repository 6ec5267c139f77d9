"""Builders for payments tests: an import declaration awaiting payment and its
assessment, created through the real services, and helpers that pay through the
sandbox gateway the way a browser and the gateway's webhook would."""

from __future__ import annotations

import json
import time
import uuid

from django.conf import settings
from django.test import Client

from declarations.models import Declaration
from payments import services
from payments.models import Assessment, GatewayEvent, PaymentIntent
from payments.sandbox import gateway
from payments.sandbox.models import GatewayNotification
from tests.declarations.factories import DeclarationFactory, declaration_moved_to

RETURN_URL = "http://testserver/payments/{payment_id}/return/"


def declaration_awaiting_payment(trader, *, duty: int = 10_000, consumption: int = 16_300, local: int = 4_500):
    """A green import owing these taxes, moved to awaiting payment by the workflow."""
    declaration = DeclarationFactory(
        company=trader.company,
        declarant=trader,
        lane=Declaration.Lane.GREEN,
        customs_duty_jpy=duty,
        consumption_tax_jpy=consumption,
        local_consumption_tax_jpy=local,
        total_tax_jpy=duty + consumption + local,
    )
    return declaration_moved_to(declaration, Declaration.Status.AWAITING_PAYMENT)


def assessment_for(trader, **amounts) -> Assessment:
    return services.assessment_create_for_declaration(declaration=declaration_awaiting_payment(trader, **amounts))


def start_payment(assessment: Assessment, trader, *, method: str = "card", key: str | None = None) -> PaymentIntent:
    payment, _created = services.payment_create(
        assessment=assessment,
        method=method,
        created_by=trader,
        idempotency_key=key or uuid.uuid4().hex,
        return_url=RETURN_URL,
    )
    return payment


def pay_card_at_gateway(payment: PaymentIntent, card: str = "4242424242424242") -> None:
    gateway.charge_pay_card(token=payment.gateway_token, card_number=card, expiry_month=12, expiry_year=2099)


def deliver_and_process(payment: PaymentIntent) -> list[str]:
    """Sends every gateway notification for the payment to the portal's webhook view
    and runs the processing the view queued (what the Celery workers do)."""
    outcomes = []
    for notification in GatewayNotification.objects.filter(charge__token=payment.gateway_token).order_by("pk"):
        assert gateway.notification_deliver(notification_id=notification.pk) == 200
        event = GatewayEvent.objects.get(event_id=notification.event_id)
        outcomes.append(services.gateway_event_process(event_pk=event.pk))
    return outcomes


def signed_post(client: Client, payload: dict, *, secret: str | None = None, timestamp: int | None = None):
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    header = gateway.signature(
        secret=secret or settings.PAYMENTS_GATEWAY_WEBHOOK_SECRET, timestamp=timestamp or int(time.time()), body=body
    )
    return client.post(
        "/payments/webhooks/gateway/", data=body, content_type="application/json", HTTP_X_GATEWAY_SIGNATURE=header
    )
