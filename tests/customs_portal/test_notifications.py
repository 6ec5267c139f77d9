"""Telling a company about its records: inbox, e-mail and signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from customs_portal import tasks
from customs_portal.models import AuditEvent, Notification, Role, WebhookDelivery
from customs_portal.notifications import (
    notification_send_email,
    notify_company,
    webhook_retry_delay,
    webhook_signature,
)
from tests.browser import PHONE, screenshot
from tests.customs_portal.factories import UserFactory, WebhookSubscriptionFactory
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
        code="declaration.status_changed",
        params={"number": "1001", "status": "permitted", "reason": "", "required_action": ""},
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
    assert "申告 1001: 許可" in mail.outbox[0].subject


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


# --- Worded in the reader's language ------------------------------------------------


def test_a_notification_written_in_japanese_reads_in_english_for_an_english_reader(trader_a, client_for):
    with translation.override("ja"):
        _notify(trader_a.company)
    client = client_for(trader_a)

    english = client.get(reverse("notification-inbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    japanese = client.get(reverse("notification-inbox"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert "Declaration 1001: Permitted" in english
    assert "申告" not in english
    assert "申告 1001: 許可" in japanese


def test_a_notification_written_in_english_reads_in_japanese_for_a_japanese_reader_of_the_api(trader_a, api_for):
    with translation.override("en"):
        _notify(trader_a.company)
    api = api_for(trader_a)

    japanese = api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="ja").json()["results"][0]
    english = api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]

    assert japanese["code"] == english["code"] == "declaration.status_changed"
    assert japanese["params"] == {"number": "1001", "status": "permitted", "reason": "", "required_action": ""}
    assert (japanese["subject"], english["subject"]) == ("申告 1001: 許可", "Declaration 1001: Permitted")


def test_the_email_is_worded_in_the_portal_language_whatever_was_active_when_written(trader_a):
    with translation.override("en"):
        notification = _notify(trader_a.company)
    notification_send_email(notification_id=notification.pk)
    assert mail.outbox[0].subject == "[税関ポータル] 申告 1001: 許可"


def test_each_user_gets_the_email_in_the_language_they_chose_in_the_portal(trader_a, client_for):
    colleague = UserFactory(role=Role.TRADER, company=trader_a.company, email="colleague@example.com")
    switched = client_for(colleague).post("/i18n/setlang/", {"language": "en", "next": "/trader/"})
    assert switched.status_code == 302
    colleague.refresh_from_db()
    assert colleague.language == "en"
    client_for(trader_a).post("/i18n/setlang/", {"language": "xx", "next": "/trader/"})  # unknown: nothing kept
    trader_a.refresh_from_db()
    assert trader_a.language == ""

    notification_send_email(notification_id=_notify(trader_a.company).pk)
    by_recipient = {address: message.subject for message in mail.outbox for address in message.to}
    assert by_recipient[colleague.email] == "[Customs portal] Declaration 1001: Permitted"
    assert by_recipient[trader_a.email] == "[税関ポータル] 申告 1001: 許可"
    assert by_recipient[trader_a.company.contact_email] == "[税関ポータル] 申告 1001: 許可"


def test_an_officers_reason_and_the_required_action_make_the_body(trader_a, client_for):
    notify_company(
        company=trader_a.company,
        event="declaration.status_changed",
        code="declaration.status_changed",
        params={
            "number": "1002",
            "status": "document_review",
            "reason": "請求書を添付してください",
            "required_action": "documents_requested",
        },
    )
    page = client_for(trader_a).get(reverse("notification-inbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "請求書を添付してください" in page, "a person's own words are shown as written"
    assert "Upload the invoice, the packing list" in page


def test_the_webhook_payload_carries_the_code_the_params_and_the_english_text(trader_a, receiver):
    WebhookSubscriptionFactory(company=trader_a.company, url=receiver.url)
    with translation.override("ja"):
        _notify(trader_a.company)
    tasks.webhook_deliver.apply(args=[WebhookDelivery.objects.get().pk])

    sent = json.loads(receiver.received[0].body)
    assert sent["code"] == "declaration.status_changed"
    assert sent["params"] == {"number": "1001", "status": "permitted", "reason": "", "required_action": ""}
    assert sent["subject"] == "Declaration 1001: Permitted"


def test_amounts_are_worded_with_thousands_separators(trader_a, api_for):
    notify_company(
        company=trader_a.company,
        event="payment.assessment_created",
        code="payment.assessment_created",
        params={"total_jpy": 1234567, "number": "IM-1"},
    )
    result = api_for(trader_a).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert result["subject"] == "Taxes of ¥1,234,567 are due for declaration IM-1"


def test_a_code_without_wording_shows_its_code_instead_of_failing(trader_a, client_for):
    notify_company(company=trader_a.company, event="x.unknown", code="x.unknown", params={})
    page = client_for(trader_a).get(reverse("notification-inbox"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Notification (x.unknown)" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_notifications_stored_as_text_before_codes_still_show_their_text(trader_a, client_for, api_for):
    executor = MigrationExecutor(connection)
    executor.migrate([("customs_portal", "0006_aeo_certificate")])
    old = executor.loader.project_state([("customs_portal", "0006_aeo_certificate")]).apps
    old.get_model("customs_portal", "Notification").objects.create(
        company_id=trader_a.company_id,
        event="declaration.released",
        subject="申告 1001 は許可されました",
        body="旧本文",
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    notification = Notification.objects.get()
    assert (notification.message_code, notification.params) == (
        "legacy_text",
        {"subject": "申告 1001 は許可されました", "body": "旧本文"},
    )
    page = client_for(trader_a).get(reverse("notification-inbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "申告 1001 は許可されました" in page
    assert "旧本文" in page
    result = api_for(trader_a).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert (result["code"], result["subject"]) == ("legacy_text", "申告 1001 は許可されました")


def test_the_demo_data_writes_notifications_and_manifest_errors_as_worded_codes():
    from customs_portal.demo import seed_apps, seed_demo
    from declarations.manifests.models import ManifestRowError

    seed_demo(password="demo-password-123")
    seed_apps()

    notifications = list(Notification.objects.all())
    assert {n.message_code for n in notifications} >= {"portal.welcome", "manifest.imported", "manifest.rejected"}
    with translation.override("en"):
        for notification in notifications:
            assert notification.message_code != "legacy_text"
            assert not notification.subject.startswith("Notification ("), notification.message_code
    errors = [item for row in ManifestRowError.objects.all() for item in row.errors]
    assert errors and all(isinstance(item, dict) and item["code"] != "legacy_text" for item in errors)


def _page_errors(page) -> list[str]:
    """JavaScript errors and HTTP 5xx responses the page meets."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: errors.append(response.url) if response.status >= 500 else None)
    return errors


@pytest.mark.django_db(transaction=True)
def test_the_inbox_in_a_browser_reads_in_each_readers_language(browser_as, trader_a):
    with translation.override("ja"):
        notify_company(
            company=trader_a.company,
            event="payment.assessment_created",
            code="payment.assessment_created",
            params={"total_jpy": 48200, "number": "IM-2026-0001"},
        )
    with translation.override("en"):
        _notify(trader_a.company)

    english = browser_as(trader_a, language="en")
    errors = _page_errors(english)
    english.goto("/trader/notifications/")
    subjects = [text.strip() for text in english.locator(".notification__subject").all_inner_texts()]
    assert subjects == ["Declaration 1001: Permitted", "Taxes of ¥48,200 are due for declaration IM-2026-0001"]
    screenshot(english, "notifications-inbox-desktop-en")

    japanese = browser_as(trader_a, language="ja", viewport=PHONE)
    errors += _page_errors(japanese)
    japanese.goto("/trader/notifications/")
    assert japanese.locator(".notification__subject").first.inner_text().strip() == "申告 1001: 許可"
    screenshot(japanese, "notifications-inbox-phone-ja")
    assert errors == []
