from __future__ import annotations

import logging

from celery import shared_task

from payments.sandbox import gateway
from payments.sandbox.models import GatewayNotification

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=8, soft_time_limit=30, time_limit=60)
def gateway_notification_deliver(self, notification_id: int) -> int | None:
    """Delivers one webhook; retries with backoff until the portal answers 2xx. The
    portal ignores a second delivery of the same event, so running twice is safe."""
    if not GatewayNotification.objects.filter(pk=notification_id).exists():
        logger.warning("Gateway notification %s vanished", notification_id)
        return None
    try:
        status_code = gateway.notification_deliver(notification_id=notification_id)
    except Exception as error:  # noqa: BLE001  (a network error is worth another try)
        raise self.retry(exc=error, countdown=min(10 * 2**self.request.retries, 3600)) from error
    if status_code >= 500 or status_code == 429:
        raise self.retry(countdown=min(10 * 2**self.request.retries, 3600))
    return status_code
