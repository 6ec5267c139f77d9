"""Round trips through a real Celery worker process, Redis and PostgreSQL."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customs_portal import tasks
from customs_portal.models import WebhookDelivery, WorkerHeartbeat
from customs_portal.notifications import notify_company
from tests.celery_worker import running_worker, stop_worker, wait_until
from tests.customs_portal.factories import CompanyFactory, WebhookSubscriptionFactory
from tests.webhook_receiver import WebhookReceiver

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_task_round_trips_through_a_real_worker():
    with running_worker():
        result = tasks.ping.delay(42).get(timeout=60)
    assert result == {"value": 42, "database": "postgresql"}


def test_a_worker_delivers_a_webhook_and_retries_after_a_receiver_error():
    receiver = WebhookReceiver(statuses=[502, 200])
    company = CompanyFactory()
    WebhookSubscriptionFactory(company=company, url=receiver.url)
    try:
        with running_worker(WEBHOOK_RETRY_BASE_SECONDS="1"):
            notify_company(company=company, event="portal.welcome", code="portal.welcome")
            delivery = wait_until(lambda: WebhookDelivery.objects.filter(status="succeeded").first(), timeout=60)
    finally:
        receiver.close()
    assert delivery.attempts == 2
    assert len(receiver.received) == 2


def test_healthz_reports_a_stopped_worker_as_down(client):
    with running_worker() as worker:
        wait_until(lambda: WorkerHeartbeat.objects.exists(), timeout=60)
        alive = client.get(reverse("healthz"))
        assert alive.status_code == 200
        assert alive.json()["checks"]["workers"]["ok"] is True

        stop_worker(worker)

        down = client.get(reverse("healthz"))
        assert down.status_code == 503
        assert down.json()["status"] == "down"
        assert down.json()["checks"]["workers"]["ok"] is False
        assert down.json()["checks"]["database"]["ok"] is True
