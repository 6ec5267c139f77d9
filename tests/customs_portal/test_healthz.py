from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customs_portal.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_healthz_is_public_json_and_ok_with_a_fresh_heartbeat(client):
    WorkerHeartbeat.objects.create(hostname="celery@a", last_seen=timezone.now())
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["workers"]["alive"] == ["celery@a"]


def test_a_worker_that_stopped_beating_counts_as_down(client, settings):
    stale = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_STALE_SECONDS + 1)
    WorkerHeartbeat.objects.create(hostname="celery@killed", last_seen=stale)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["workers"]["ok"] is False


def test_an_unreachable_broker_is_reported(client, settings, monkeypatch):
    from customs_portal.celery import app

    WorkerHeartbeat.objects.create(hostname="celery@a", last_seen=timezone.now())
    # Set and removed again, not restored to a value: a pinned write URL would outlive this test.
    monkeypatch.setitem(app.conf, "broker_write_url", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False
