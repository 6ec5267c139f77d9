"""The transactional outbox: a task that must follow a write is stored as a row in the
write's transaction and sent to the broker once it commits. A broker that is down then
delays the task (the beat relay sends it later) instead of losing it or turning the
saved write into an error page."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from customs_portal.models import OutboxTask

logger = logging.getLogger(__name__)

# The relay leaves a fresh row to the on-commit send for this long, so the two rarely
# send the same row (a task sent twice is harmless: every task is safe to run twice).
RELAY_GRACE = timedelta(seconds=30)
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 900
RELAY_BATCH = 500


def outbox_enqueue(task_name: str, *args: Any, key: str | None = None, countdown: int = 0) -> OutboxTask:
    """Records that task `task_name` must run with `args` (JSON values, usually ids) and
    sends it once the current transaction commits. A second call with the same `key`
    records nothing more. Never raises because the broker is unreachable."""
    now = timezone.now()
    row, created = OutboxTask.objects.get_or_create(
        key=key or f"{task_name}:{uuid.uuid4().hex}",
        defaults={
            "task_name": task_name,
            "args": list(args),
            "not_before": now + timedelta(seconds=countdown) if countdown else None,
            "next_attempt_at": now + RELAY_GRACE,
        },
    )
    if created:
        transaction.on_commit(lambda: outbox_send(task_ids=[row.pk]), robust=True)
    return row


def outbox_send(*, task_ids: list[int]) -> int:
    """Sends the given unsent rows to the broker over one connection and marks them sent;
    a failure is counted on the row with the time of the next try. Returns how many were
    sent."""
    from customs_portal.celery import app

    rows = list(OutboxTask.objects.filter(pk__in=task_ids, sent_at__isnull=True).order_by("pk"))
    if not rows:
        return 0
    sent = 0
    try:
        with app.connection_for_write() as connection:
            for row in rows:
                app.send_task(
                    row.task_name,
                    args=row.args,
                    eta=row.not_before if row.not_before and row.not_before > timezone.now() else None,
                    connection=connection,
                    ignore_result=True,
                )
                OutboxTask.objects.filter(pk=row.pk, sent_at__isnull=True).update(
                    sent_at=timezone.now(), attempts=row.attempts + 1, last_error=""
                )
                sent += 1
    except Exception as error:  # noqa: BLE001  (any broker failure leaves the row for the relay)
        logger.warning(
            "Outbox: %s of %s task(s) not sent, the relay will retry: %r", len(rows) - sent, len(rows), error
        )
        for row in rows[sent:]:
            _record_failure(row, error)
    return sent


def _record_failure(row: OutboxTask, error: Exception) -> None:
    attempts = row.attempts + 1
    delay = min(RETRY_BASE_SECONDS * 2 ** (attempts - 1), RETRY_MAX_SECONDS)
    OutboxTask.objects.filter(pk=row.pk, sent_at__isnull=True).update(
        attempts=attempts, last_error=repr(error)[:500], next_attempt_at=timezone.now() + timedelta(seconds=delay)
    )


def outbox_due() -> list[int]:
    """The unsent rows whose next try is due, oldest first."""
    return list(
        OutboxTask.objects.filter(sent_at__isnull=True, next_attempt_at__lte=timezone.now())
        .order_by("pk")
        .values_list("pk", flat=True)[:RELAY_BATCH]
    )


def outbox_relay() -> int:
    """Sends the rows that are due (the beat task): those whose on-commit send failed or
    never ran because the process died. Returns how many were sent."""
    return outbox_send(task_ids=outbox_due())


def outbox_purge_sent(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Deletes rows sent long ago; they are kept a while to explain what was queued."""
    deleted, _ = OutboxTask.objects.filter(sent_at__lt=timezone.now() - older_than).delete()
    return deleted
