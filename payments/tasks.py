"""Celery entry points of the payments app; each takes ids and calls one service."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from payments import services
from payments.models import GatewayEvent, PaymentIntent, Receipt

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=30, time_limit=60)
def gateway_event_process(event_pk: int) -> str | None:
    if not GatewayEvent.objects.filter(pk=event_pk).exists():
        logger.warning("Gateway event %s vanished", event_pk)
        return None
    return services.gateway_event_process(event_pk=event_pk)


@shared_task(soft_time_limit=60, time_limit=90)
def receipt_email(receipt_id: int) -> bool | None:
    if not Receipt.objects.filter(pk=receipt_id).exists():
        logger.warning("Receipt %s vanished", receipt_id)
        return None
    return services.receipt_send_email(receipt_id=receipt_id)


@shared_task(soft_time_limit=240, time_limit=300)
def payments_poll_pending() -> int:
    """Pending payments the gateway has not told us about (timeouts, lost webhooks)."""
    cutoff = timezone.now() - timedelta(seconds=settings.PAYMENTS_POLL_AFTER_SECONDS)
    ids = list(
        PaymentIntent.objects.filter(status=PaymentIntent.Status.PENDING, updated_at__lte=cutoff).values_list(
            "pk", flat=True
        )[:500]
    )
    outcomes = [services.payment_sync_from_gateway(payment_id=pk, system="payments:poll") for pk in ids]
    return sum(1 for outcome in outcomes if outcome not in ("skipped", "ignored"))


@shared_task(soft_time_limit=240, time_limit=300)
def payments_expire_stale() -> int:
    ids = list(
        PaymentIntent.objects.filter(
            status__in=PaymentIntent.OPEN_STATUSES, expires_at__lte=timezone.now()
        ).values_list("pk", flat=True)[:500]
    )
    return sum(1 for payment_id in ids if services.payment_expire(payment_id=payment_id) != "skipped")


@shared_task(soft_time_limit=240, time_limit=300)
def settlement_import_daily(day_iso: str | None = None, provider: str = "") -> dict[str, int] | None:
    """Fetches the gateway's settlement file for a day (default: yesterday, Japan time)
    and matches it against the ledger. The same file twice changes nothing. The provider
    is the configured one unless named; with none configured there is nothing to import."""
    from datetime import date

    from payments.providers import provider_for
    from payments.reconciliation import settlement_import

    provider = provider or settings.PAYMENTS_GATEWAY_PROVIDER
    if not provider:
        logger.info("No payment provider is configured: no settlement file to import")
        return None
    day = date.fromisoformat(day_iso) if day_iso else timezone.localdate() - timedelta(days=1)
    data = provider_for(provider).settlement_file(day=day)
    settlement, created = settlement_import(data=data, day=day, provider=provider)
    return {"settlement": settlement.pk, "created": int(created), "mismatches": settlement.items.count()}


@shared_task(soft_time_limit=240, time_limit=300)
def deferred_consolidate_previous_month() -> int:
    """Runs daily; only the first run of a month finds anything to gather."""
    from payments.deferral import deferred_month_consolidate, previous_month_start

    return len(deferred_month_consolidate(month_start=previous_month_start(timezone.localdate())))


@shared_task(soft_time_limit=240, time_limit=300)
def handoffs_repair() -> dict[str, int]:
    """Completes the declaration handoffs left halfway (see the beat schedule)."""
    from payments import handoffs

    result = handoffs.handoffs_repair()
    return {"assessed": result.assessed, "permitted": result.permitted, "parcels_assessed": result.parcels_assessed}
