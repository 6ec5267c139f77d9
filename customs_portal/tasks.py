"""Celery entry points of the shared domain: notification e-mail, webhook delivery and
the outbox relay."""

from __future__ import annotations

import logging
from datetime import timedelta
from smtplib import SMTPException

from celery import shared_task

from customs_portal import notifications, outbox

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def notification_email(self, notification_id: int) -> bool:
    from customs_portal.models import Notification

    if not Notification.objects.filter(pk=notification_id).exists():
        logger.warning("Notification %s vanished before its e-mail was sent.", notification_id)
        return False
    return notifications.notification_send_email(notification_id=notification_id)


@shared_task(bind=True, max_retries=None)
def webhook_deliver(self, delivery_id: int) -> str:
    """One attempt per run; transient failures come back with exponential backoff until
    WEBHOOK_MAX_ATTEMPTS, counted on the row (so a redelivered task does not reset it)."""
    try:
        delivery = notifications.webhook_delivery_attempt(delivery_id=delivery_id)
    except notifications.WebhookTransientError as error:
        from customs_portal.models import WebhookDelivery

        attempts = WebhookDelivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True).first() or 1
        raise self.retry(exc=error, countdown=notifications.webhook_retry_delay(attempts)) from error
    return delivery.status if delivery else "skipped"


@shared_task
def webhook_requeue_stuck() -> int:
    """Deliveries whose worker died mid-send are handed back and tried again."""
    ids = notifications.webhook_deliveries_stuck(older_than=timedelta(minutes=10))
    for delivery_id in ids:
        webhook_deliver.delay(delivery_id)
    return len(ids)


@shared_task(soft_time_limit=50, time_limit=60)
def outbox_relay() -> int:
    """Sends the outbox rows whose send after commit failed (see the beat schedule)."""
    return outbox.outbox_relay()


@shared_task(soft_time_limit=240, time_limit=300)
def outbox_purge_sent() -> int:
    """Deletes outbox rows sent more than a week ago."""
    return outbox.outbox_purge_sent()


@shared_task
def ping(value: int) -> dict:
    """The smallest real round trip: used by the integration tests and by operators
    (`celery -A customs_portal call customs_portal.tasks.ping --args='[1]'`)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT %s", [value])
        (echoed,) = cursor.fetchone()
    return {"value": echoed, "database": connection.vendor}
