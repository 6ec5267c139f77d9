"""Demo data of the payments app, created through the services. Idempotent; does
nothing until the declarations demo has created declarations."""

from __future__ import annotations

import logging

from django.apps import apps
from django.utils import timezone

from customs_portal.models import Company, Role, User
from declarations.models import Declaration
from payments import services
from payments.deferral import deferral_approve
from payments.models import Assessment, DeferralApproval, GatewayEvent, Receipt, SettlementImport
from payments.reconciliation import settlement_import

logger = logging.getLogger(__name__)
FUJI = "3011001000002"


def seed() -> None:
    fuji = Company.objects.filter(corporate_number=FUJI).first()
    supervisor = User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk").first()
    importer = User.objects.filter(role=Role.TRADER, company=fuji, is_active=True).order_by("pk").first()
    if fuji is None or supervisor is None or importer is None:
        return
    if not Declaration.objects.exists():
        return
    if not DeferralApproval.objects.filter(company=fuji).exists():
        deferral_approve(company=fuji, security_jpy=5_000_000, approved_by=supervisor)
    # Declarations the demo left awaiting payment get their assessment (the signal does
    # this as they are cleared; this covers data seeded before payments existed).
    for declaration in Declaration.objects.filter(status=Declaration.Status.AWAITING_PAYMENT, assessment__isnull=True):
        services.assessment_create_for_declaration(declaration=declaration)
    # A paid declaration and a settlement file need the sandbox gateway to pay with.
    if not apps.is_installed("payments.sandbox"):
        return
    if not Receipt.objects.filter(payment__company=fuji).exists():
        _pay_one(fuji=fuji, importer=importer)
    if not SettlementImport.objects.exists():
        _seed_mismatch()


def _pay_one(*, fuji: Company, importer: User) -> None:
    from payments.sandbox import gateway
    from payments.sandbox.models import GatewayNotification

    assessment = Assessment.objects.filter(
        company=fuji, status=Assessment.Status.OPEN, declaration__isnull=False
    ).first()
    if assessment is None:
        return
    payment, _created = services.payment_create(
        assessment=assessment,
        method="card",
        created_by=importer,
        idempotency_key="demo-paid-declaration",
        return_url="/payments/{payment_id}/return/",
    )
    if payment.status == payment.Status.PENDING:
        gateway.charge_pay_card(
            token=payment.gateway_token, card_number="4242424242424242", expiry_month=12, expiry_year=2099
        )
    # Deliver the gateway's webhook and apply it here, so the demo needs no worker.
    for notification in GatewayNotification.objects.filter(charge__token=payment.gateway_token):
        gateway.notification_deliver(notification_id=notification.pk)
        event = GatewayEvent.objects.get(event_id=notification.event_id)
        services.gateway_event_process(event_pk=event.pk)


def _seed_mismatch() -> None:
    """Today's settlement file with one charge listed twice: a duplicate to resolve."""
    from payments.sandbox import gateway

    day = timezone.localdate()
    lines = gateway.settlement_csv(day=day).decode().splitlines()
    if len(lines) < 2:
        return
    lines.append(lines[1])
    settlement_import(data=("\n".join(lines) + "\n").encode(), day=day, system="demo")
