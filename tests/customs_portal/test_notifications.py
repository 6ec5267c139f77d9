"""Telling a company about its records: inbox, e-mail and signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.core import mail
from django.urls import reverse

from customs_portal import tasks
from customs_portal.models import AuditEvent, Notification, WebhookDelivery
from customs_portal.notifications import notify_company, webhook_retry_delay, webhook_signature
from tests.customs_portal.factories import WebhookSubscriptionFactory
from tests.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def _notify(company, **kwargs):
    return notify_company(
        company=company,
        event=kwargs.pop("event", "declaration.released"),
        subject="Declaration 1001 released",
        body="Your declaration 1001 was permitted.",
        payload={"declaration": 1001},
        **kwargs,
    )


def test_a_notification_lands_in_the_inbox_and_queues_email_and_webhooks(
    trader_a, receiver, django_capture_on_commit_callbacks
):
    subscription = WebhookSubscriptionFactory(company=trader_a.company, url=receiver.url)
    with django_capture_on_commit_callbacks() as callbacks:
        notification = _notify(trader_a.company)
    assert notification.read_at is None
    assert WebhookDelivery.objects.get().subscription == subscription
    assert len(callbacks) == 2, "one e-mail task and one webhook task, both after commit"


def test_the_email_goes_to_the_company_once_even_when_the_task_runs_twice(trader_a, trader_b):
    notification = _notify(trader_a.company)
    assert tasks.notification_email.apply(args=[notification.pk]).get() is True
    assert tasks.notification_email.apply(args=[notification.pk]).get() is False
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {trader_a.email, trader_a.company.contact_email}
    assert "Declaration 1001 released" in mail.outbox[0].subject


def test_a_webhook_is_delivered_signed_and_only_once_when_the_task_runs_twice(trader_a, receiver):
    subscription = WebhookSubscriptionFactory(company=trader_a.company, url=receiver.url)
    _notify(trader_a.company)
    delivery = WebhookDelivery.objects.get()

    assert tasks.webhook_deliver.apply(args=[delivery.pk]).get() == "succeeded"
    assert tasks.webhook_deliver.apply(args=[delivery.pk]).get() == "skipped"

    assert len(receiver.received) == 1
    request = receiver.received[0]
    timestamp, signature = (part.split("=", 1)[1] for part in request.headers["X-Customs-Signature"].split(","))
    expected = hmac.new(subscription.secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256)
    assert hmac.compare_digest(signature, expected.hexdigest())
    assert request.headers["X-Customs-Event"] == "declaration.released"
    assert json.loads(request.body)["data"] == {"declaration": 1001}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)


def test_the_signature_changes_with_the_body_and_the_time():
    body = b'{"id":1}'
    base = webhook_signature(secret="s", timestamp=1000, body=body)
    assert base != webhook_signature(secret="s", timestamp=1001, body=body)
    assert base != webhook_signature(secret="s", timestamp=1000, body=b'{"id":2}')
    assert base != webhook_signature(secret="t", timestamp=1000, body=body)


def test_a_receiver_error_is_retried(trader_a):
    # Run eagerly, Celery performs the retry at once; the real worker test shows the wait.
    receiver = WebhookReceiver(statuses=[503, 200])
    try:
        WebhookSubscriptionFactory(company=trader_a.company, url=receiver.url)
        _notify(trader_a.company)
        delivery = WebhookDelivery.objects.get()

        assert tasks.webhook_deliver.apply(args=[delivery.pk]).get() == "succeeded"

        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("succeeded", 2)
        assert len(receiver.received) == 2
    finally:
        receiver.close()


def test_retries_back_off_exponentially_up_to_an_hour(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    assert [webhook_retry_delay(attempt) for attempt in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert webhook_retry_delay(30) == 3600


def test_an_unreachable_receiver_gives_up_after_the_maximum_attempts(trader_a, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    WebhookSubscriptionFactory(company=trader_a.company, url="http://127.0.0.1:9/closed-port")
    _notify(trader_a.company)
    delivery = WebhookDelivery.objects.get()

    tasks.webhook_deliver.apply(args=[delivery.pk])
    tasks.webhook_deliver.apply(args=[delivery.pk])

    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "gave up after 2 attempts" in delivery.last_error


def test_a_client_error_from_the_receiver_is_not_retried(trader_a):
    receiver = WebhookReceiver(statuses=[410])
    try:
        WebhookSubscriptionFactory(company=trader_a.company, url=receiver.url)
        _notify(trader_a.company)
        delivery = WebhookDelivery.objects.get()
        assert tasks.webhook_deliver.apply(args=[delivery.pk]).get() == "failed"
        assert len(receiver.received) == 1
    finally:
        receiver.close()


def test_subscriptions_only_get_the_events_they_asked_for(trader_a):
    WebhookSubscriptionFactory(company=trader_a.company, events=["payment.succeeded"])
    _notify(trader_a.company, event="declaration.released")
    assert WebhookDelivery.objects.count() == 0


def test_private_addresses_are_refused_in_production(trader_a, client_for, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = client_for(trader_a).post(
        reverse("integration"), {"url": "https://127.0.0.1/hook"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "public address" in str(response.context["form"].errors["url"])
    assert not trader_a.company.webhook_subscriptions.exists()


def test_creating_and_stopping_a_webhook_in_the_ui_is_audited(trader_a, client_for):
    client = client_for(trader_a)
    client.post(reverse("integration"), {"url": "https://erp.example/hook", "events": "declaration.released"})
    subscription = trader_a.company.webhook_subscriptions.get()
    assert subscription.events == ["declaration.released"]
    client.post(reverse("webhook-deactivate", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert not subscription.is_active
    actions = list(AuditEvent.objects.filter(actor=trader_a).values_list("action", flat=True))
    assert set(actions) == {"webhook_subscription.created", "webhook_subscription.deactivated"}


def test_the_delivery_log_shows_the_trader_what_was_sent(trader_a, client_for, receiver):
    WebhookSubscriptionFactory(company=trader_a.company, url=receiver.url)
    _notify(trader_a.company)
    tasks.webhook_deliver.apply(args=[WebhookDelivery.objects.get().pk])
    page = client_for(trader_a).get(reverse("integration"))
    assert [d.status for d in page.context["deliveries"]] == ["succeeded"]


def test_reading_notifications_in_the_inbox(trader_a, client_for):
    first = _notify(trader_a.company)
    _notify(trader_a.company)
    client = client_for(trader_a)
    client.post(reverse("notification-read", args=[first.pk]))
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    client.post(reverse("notifications-read-all"))
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_opening_a_notification_never_redirects_off_site(trader_a, client_for):
    evil = _notify(trader_a.company, link="https://evil.example/phish")
    inside = _notify(trader_a.company, link="/trader/")
    client = client_for(trader_a)
    assert client.post(reverse("notification-read", args=[evil.pk]))["Location"] == reverse("notification-inbox")
    assert client.post(reverse("notification-read", args=[inside.pk]))["Location"] == "/trader/"
