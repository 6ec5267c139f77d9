"""What /healthz checks: the database, the broker and at least one live worker."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from customs_portal.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def worker_heartbeat_beat(*, hostname: str) -> None:
    """Called by each worker every WORKER_HEARTBEAT_SECONDS (see celery.py), from the
    worker's timer thread, which then closes its connection: the pool processes must
    never inherit an open one."""
    try:
        WorkerHeartbeat.objects.update_or_create(hostname=hostname, defaults={"last_seen": timezone.now()})
    except Exception:  # a heartbeat must never take the worker down
        logger.exception("Could not record the worker heartbeat.")
    finally:
        connection.close()


def worker_heartbeat_forget(*, hostname: str) -> None:
    """A worker that shuts down cleanly says so at once."""
    try:
        WorkerHeartbeat.objects.filter(hostname=hostname).delete()
    except Exception:
        logger.exception("Could not remove the worker heartbeat.")
    finally:
        connection.close()


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def check_broker() -> dict[str, Any]:
    from customs_portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
        return {"ok": True, "transport": str(transport)}
    except Exception as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def check_workers() -> dict[str, Any]:
    cutoff = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_STALE_SECONDS)
    try:
        alive = sorted(WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).values_list("hostname", flat=True))
    except Exception as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    if not alive:
        return {"ok": False, "alive": [], "error": "No Celery worker has sent a heartbeat recently."}
    return {"ok": True, "alive": alive}


def health_report() -> dict[str, Any]:
    checks = {"database": check_database(), "broker": check_broker(), "workers": check_workers()}
    return {"status": "ok" if all(check["ok"] for check in checks.values()) else "down", "checks": checks}
