"""Saved means queued: with the broker unreachable a write still answers at once and
leaves an outbox row, which the relay sends once the broker is back."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from customs_portal import outbox
from customs_portal.models import OutboxTask
from declarations.models import Declaration
from tests.celery_worker import running_worker, wait_until
from tests.declarations import declaration_payloads as p
from tests.declarations.factories import documents_attach

Status = Declaration.Status
CLOSED_BROKER = "redis://127.0.0.1:1/0"
SCREENED = (Status.DOCUMENT_REVIEW, Status.INSPECTION, Status.AWAITING_PAYMENT, Status.PERMITTED)


@pytest.fixture
def broker_down(monkeypatch):
    """Points the Celery app at a port nothing listens on (the environment variable
    wins over the configuration in Celery)."""
    from customs_portal.celery import app

    monkeypatch.setenv("CELERY_BROKER_URL", CLOSED_BROKER)
    monkeypatch.setitem(app.conf, "broker_url", CLOSED_BROKER)
    monkeypatch.setitem(app.conf, "broker_write_url", CLOSED_BROKER)
    _broker_connections_drop(app)  # an earlier test's pooled connection would still reach the broker
    yield
    monkeypatch.undo()
    _broker_connections_drop(app)


def _broker_connections_drop(app) -> None:
    """Closes the app's pooled broker connections, so the next send connects to the
    broker the configuration names now."""
    app._pool = None  # left to the garbage collector: a send in flight may still hold it
    app.amqp._producer_pool = None


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _draft(trader):
    from declarations.core.services import drafts

    return documents_attach(
        drafts.declaration_draft_create(
            company=trader.company, declarant=trader, kind="import", data=p.header(), lines=[p.line()]
        )
    )


def _due_now() -> None:
    OutboxTask.objects.filter(sent_at__isnull=True).update(next_attempt_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_a_submit_with_the_broker_down_succeeds_quickly_and_the_relay_screens_it_later(trader_a, broker_down):
    with p.interim_screening_rule():
        p.reference_data()
        declaration = _draft(trader_a)
        started = time.monotonic()
        response = _api(trader_a).post(f"/api/v1/declarations/{declaration.pk}/submit/")
        elapsed = time.monotonic() - started
        assert response.status_code == 200, response.content
        assert elapsed < 5, elapsed
        declaration.refresh_from_db()
        assert declaration.status == Status.SUBMITTED
        queued = OutboxTask.objects.get(task_name="declarations.tasks.declaration_screen")
        assert queued.args == [declaration.pk]
        assert queued.sent_at is None
        assert queued.attempts == 1
        assert "111" in queued.last_error or "refused" in queued.last_error.lower()
        # Still down: the relay counts another failed try and backs off further.
        _due_now()
        assert outbox.outbox_relay() == 0
        queued.refresh_from_db()
        assert queued.attempts == 2
        assert queued.next_attempt_at > timezone.now() + timedelta(seconds=45)


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_the_relay_sends_what_the_broker_missed_and_the_worker_screens_it(trader_a, monkeypatch):
    from customs_portal.celery import app

    with p.interim_screening_rule():
        p.reference_data()
        declaration = _draft(trader_a)
        with monkeypatch.context() as down:
            down.setenv("CELERY_BROKER_URL", CLOSED_BROKER)
            down.setitem(app.conf, "broker_url", CLOSED_BROKER)
            down.setitem(app.conf, "broker_write_url", CLOSED_BROKER)
            _broker_connections_drop(app)
            assert _api(trader_a).post(f"/api/v1/declarations/{declaration.pk}/submit/").status_code == 200
        _broker_connections_drop(app)
        assert OutboxTask.objects.filter(sent_at__isnull=True).count() >= 1
        with running_worker():
            declaration.refresh_from_db()
            assert declaration.status == Status.SUBMITTED  # nothing reached the worker
            _due_now()
            assert outbox.outbox_relay() >= 1
            screened = wait_until(
                lambda: Declaration.objects.filter(pk=declaration.pk, status__in=SCREENED).first(), timeout=60
            )
        assert screened.lane
        assert not OutboxTask.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_row_enqueued_twice_under_one_key_is_recorded_once(broker_down):
    first = outbox.outbox_enqueue("customs_portal.tasks.ping", 1, key="ping:1")
    second = outbox.outbox_enqueue("customs_portal.tasks.ping", 2, key="ping:1")
    assert first.pk == second.pk
    assert OutboxTask.objects.get().args == [1]


@pytest.mark.django_db
def test_a_rolled_back_write_leaves_no_outbox_row(broker_down):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.outbox_enqueue("customs_portal.tasks.ping", 1)
        raise RuntimeError("the write failed")
    assert not OutboxTask.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_manifest_upload_with_the_broker_down_is_accepted_and_its_import_waits_in_the_outbox(
    client_for, trader_a, broker_down
):
    import io

    from declarations.models import Manifest
    from tests.declarations.factories import CustomsOfficeFactory
    from tests.declarations.test_manifests import GOOD_ROWS, manifest_csv

    office = CustomsOfficeFactory(code="1A")
    file = io.BytesIO(manifest_csv(GOOD_ROWS))
    file.name = "parcels.csv"
    started = time.monotonic()
    response = client_for(trader_a).post(
        "/trader/manifests/upload/", {"file": file, "office": office.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert time.monotonic() - started < 5
    manifest = Manifest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/trader/manifests/{manifest.pk}/"
    queued = OutboxTask.objects.get(task_name="declarations.manifest_tasks.manifest_process")
    assert queued.args == [manifest.pk]
    assert queued.sent_at is None


@pytest.mark.django_db(transaction=True)
def test_an_officer_decision_with_the_broker_down_is_saved_and_answered_and_its_messages_wait(
    api_for, trader_a, clearance_officer, broker_down
):
    from tests.declarations.factories import DeclarationFactory, declaration_moved_to

    declaration = declaration_moved_to(
        DeclarationFactory(company=trader_a.company, declarant=trader_a), Status.DOCUMENT_REVIEW
    )
    started = time.monotonic()
    response = api_for(clearance_officer).post(
        f"/api/v1/declarations/{declaration.pk}/decision/",
        {"decision": "reject", "reason": "Invoice does not match the goods"},
        format="json",
    )
    assert time.monotonic() - started < 5
    assert response.status_code == 200, response.content
    declaration.refresh_from_db()
    assert declaration.status == Status.REJECTED
    assert OutboxTask.objects.filter(task_name="customs_portal.tasks.notification_email", sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_rows_sent_more_than_a_week_ago_are_purged_and_unsent_ones_kept(broker_down):
    old = outbox.outbox_enqueue("customs_portal.tasks.ping", 1)
    unsent = outbox.outbox_enqueue("customs_portal.tasks.ping", 2)
    OutboxTask.objects.filter(pk=old.pk).update(sent_at=timezone.now() - timedelta(days=8))
    OutboxTask.objects.filter(pk=unsent.pk).update(created_at=timezone.now() - timedelta(days=30))
    assert outbox.outbox_purge_sent() == 1
    assert list(OutboxTask.objects.values_list("pk", flat=True)) == [unsent.pk]
