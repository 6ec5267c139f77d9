"""One service that tells a company about its records: the in-portal inbox, e-mail to
the company's users, and signed webhooks to the company's own systems.

Later apps call `notify_company` on every status change they want traders to see. A
notification is stored as a message code with JSON parameters and worded when it is read,
in the reader's language: each app registers the wording of its own codes here, in its
AppConfig.ready (`notification_wording_register`), the way `customs_portal.reasons` words
reasons. `notification_text` is the one place that turns a stored notification into a
subject and a body; the inbox, the API, the e-mail and the webhook call it.

Notifications stored before they were codes keep their text under the code `legacy_text`
(parameters "subject" and "body") and show it as it was written.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import Company, Notification, Role, User, WebhookDelivery, WebhookSubscription
from customs_portal.outbox import outbox_enqueue
from customs_portal.wordings import Wordings

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Customs-Signature"
LEGACY_TEXT = "legacy_text"
# Webhooks are read by traders' systems: their text is English, whatever the portal's language.
WEBHOOK_LANGUAGE = "en"

NotificationWording = Callable[[str, dict[str, Any]], "tuple[str, str] | None"]

_wordings = Wordings("notification")


def notification_wording_register(wording: NotificationWording) -> None:
    """Adds an app's wording of its notification codes: a function of (code, params) that
    returns (subject, body) in the active language, or None for a code it does not know.
    Registering the same one twice is a no-op."""
    _wordings.register(wording)


def notification_text(*, code: str, params: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of a stored notification in the active language."""
    if code == LEGACY_TEXT:
        return str(params.get("subject", "")), str(params.get("body", ""))
    text = _wordings.word(code, params, code, params)
    return text if text is not None else (_("Notification (%(code)s)") % {"code": code}, "")


def _portal_wording(code: str, params: dict[str, Any]) -> tuple[str, str] | None:
    """The shared domain's own codes."""
    if code == "portal.welcome":
        return (
            _("Welcome to the customs portal"),
            _("Declarations, payments and notices for your company will appear here."),
        )
    return None


_wordings.register(_portal_wording)


def notify_company(
    *,
    company: Company,
    event: str,
    code: str,
    params: dict[str, Any] | None = None,
    link: str = "",
    payload: dict[str, Any] | None = None,
) -> Notification:
    """Puts a message in the company's inbox and, once the transaction commits, e-mails
    its users and calls its webhooks. `code` and `params` (JSON values: numbers, codes,
    declaration numbers, never worded text) are worded when read; `payload` is the
    webhook's machine-readable data."""
    from customs_portal import tasks

    notification = Notification.objects.create(
        company=company, event=event, message_code=code, params=params or {}, link=link, payload=payload or {}
    )
    deliveries = [
        WebhookDelivery.objects.create(
            subscription=subscription,
            notification=notification,
            event=event,
            payload=webhook_payload(notification),
        )
        for subscription in company.webhook_subscriptions.filter(is_active=True)
        if subscription.wants(event)
    ]
    outbox_enqueue(tasks.notification_email.name, notification.pk, key=f"notification_email:{notification.pk}")
    for delivery in deliveries:
        outbox_enqueue(tasks.webhook_deliver.name, delivery.pk, key=f"webhook_deliver:{delivery.pk}")
    return notification


def webhook_payload(notification: Notification) -> dict[str, Any]:
    """What a trader's system receives: the code and parameters to act on, and the
    English text for people reading the receiver's logs."""
    with translation.override(WEBHOOK_LANGUAGE):
        subject, body = notification_text(code=notification.message_code, params=notification.params)
    return {
        "id": notification.pk,
        "event": notification.event,
        "company": notification.company.corporate_number,
        "code": notification.message_code,
        "params": notification.params,
        "subject": subject,
        "body": body,
        "link": notification.link,
        "data": notification.payload,
        "created_at": notification.created_at.isoformat(),
    }


def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def notifications_mark_all_read(*, company: Company) -> int:
    return Notification.objects.filter(company=company, read_at__isnull=True).update(read_at=timezone.now())


def notification_send_email(*, notification_id: int) -> bool:
    """E-mails the company's active trader users once, each in the language they last
    chose in the portal (the portal's default, Japanese, for a user who never chose and for
    the company's contact address); a second call sends nothing."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("company").get(pk=notification_id)
    by_language = _recipients_by_language(notification.company)
    if not by_language:
        return False
    try:
        for language, recipients in sorted(by_language.items()):
            with translation.override(language):
                subject, body = notification_text(code=notification.message_code, params=notification.params)
                prefix = _("Customs portal")
            send_mail(
                subject=f"[{prefix}] {subject}",
                message=body or subject,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=sorted(recipients),
            )
    except Exception:
        # Hand the claim back so that the retry sends it.
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True


def _recipients_by_language(company: Company) -> dict[str, set[str]]:
    by_language: dict[str, set[str]] = {}
    users = (
        User.objects.filter(company=company, role=Role.TRADER, is_active=True)
        .exclude(email="")
        .values_list("email", "language")
    )
    for email, language in users:
        by_language.setdefault(language or settings.LANGUAGE_CODE, set()).add(email)
    if company.contact_email and not any(company.contact_email in emails for emails in by_language.values()):
        by_language.setdefault(settings.LANGUAGE_CODE, set()).add(company.contact_email)
    return by_language


# --- Webhook subscriptions ---------------------------------------------------------


def webhook_url_check(url: str) -> None:
    """Refuses URLs the portal must not call: non-https ones and, unless allowed, hosts in
    private, loopback or link-local networks (a trader must not reach our internals)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ApplicationError(
            _("Enter a full http(s) URL."), code="webhook_url_invalid", fields={"url": [_("Enter a full http(s) URL.")]}
        )
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return
    if parts.scheme != "https":
        message = _("Webhook URLs must use https.")
        raise ApplicationError(message, code="webhook_url_insecure", fields={"url": [message]})
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except socket.gaierror as error:
        message = _("The host %(host)s cannot be resolved.") % {"host": parts.hostname}
        raise ApplicationError(message, code="webhook_url_unresolvable", fields={"url": [message]}) from error
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if not ip.is_global:
            message = _("Webhook URLs must point to a public address.")
            raise ApplicationError(message, code="webhook_url_private", fields={"url": [message]})


def webhook_subscription_create(
    *, company: Company, url: str, events: list[str], created_by: User, request=None
) -> WebhookSubscription:
    webhook_url_check(url)
    subscription = WebhookSubscription.objects.create(company=company, url=url, events=sorted(set(events)))
    audit_record(
        action="webhook_subscription.created",
        actor=created_by,
        obj=subscription,
        company=company,
        after={"url": url, "events": subscription.events},
        request=request,
    )
    return subscription


def webhook_subscription_deactivate(*, subscription: WebhookSubscription, deactivated_by: User, request=None) -> None:
    if not subscription.is_active:
        return
    subscription.is_active = False
    subscription.save(update_fields=["is_active"])
    audit_record(
        action="webhook_subscription.deactivated",
        actor=deactivated_by,
        obj=subscription,
        company=subscription.company,
        before={"is_active": True},
        after={"is_active": False},
        request=request,
    )


# --- Delivery ----------------------------------------------------------------------


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", sent as `t=<timestamp>,v1=<hex digest>`.

    The receiver recomputes it with its copy of the secret and refuses old timestamps,
    so a captured request cannot be replayed later."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class WebhookTransientError(Exception):
    """The receiver could not be reached or answered 5xx/429: worth another try."""


def webhook_retry_delay(attempts: int) -> int:
    """Exponential backoff: 10 s, 20 s, 40 s ... (WEBHOOK_RETRY_BASE_SECONDS) capped at one hour."""
    return min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 3600)


def webhook_delivery_attempt(*, delivery_id: int) -> WebhookDelivery | None:
    """Sends one delivery once. Safe to run twice: the row is claimed by a conditional
    update, so a delivery that succeeded or is being sent is not sent again.

    Raises WebhookTransientError when another attempt should follow."""
    claimable = [WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING]
    claimed = WebhookDelivery.objects.filter(pk=delivery_id, status__in=claimable).update(
        status=WebhookDelivery.Status.SENDING,
        attempts=models.F("attempts") + 1,
        last_attempt_at=timezone.now(),
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    body = json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "customs-portal-webhooks/1",
        "X-Customs-Event": delivery.event,
        "X-Customs-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: webhook_signature(secret=delivery.subscription.secret, timestamp=int(time.time()), body=body),
    }
    try:
        webhook_url_check(delivery.subscription.url)
        response = requests.post(
            delivery.subscription.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except ApplicationError as error:
        return _delivery_failed(delivery, status_code=None, error=error.message)
    except requests.RequestException as error:
        return _delivery_transient(delivery, status_code=None, error=f"{type(error).__name__}: {error}")
    if 200 <= response.status_code < 300:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.last_status_code = response.status_code
        delivery.delivered_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["status", "last_status_code", "delivered_at", "last_error"])
        return delivery
    error = f"HTTP {response.status_code}"
    if response.status_code >= 500 or response.status_code == 429:
        return _delivery_transient(delivery, status_code=response.status_code, error=error)
    return _delivery_failed(delivery, status_code=response.status_code, error=error)


def _delivery_transient(delivery: WebhookDelivery, *, status_code: int | None, error: str) -> WebhookDelivery:
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        return _delivery_failed(
            delivery, status_code=status_code, error=f"{error} (gave up after {delivery.attempts} attempts)"
        )
    delivery.status = WebhookDelivery.Status.RETRYING
    delivery.last_status_code = status_code
    delivery.last_error = error[:500]
    delivery.save(update_fields=["status", "last_status_code", "last_error"])
    raise WebhookTransientError(error)


def _delivery_failed(delivery: WebhookDelivery, *, status_code: int | None, error: str) -> WebhookDelivery:
    delivery.status = WebhookDelivery.Status.FAILED
    delivery.last_status_code = status_code
    delivery.last_error = error[:500]
    delivery.save(update_fields=["status", "last_status_code", "last_error"])
    return delivery


def webhook_deliveries_stuck(*, older_than: timedelta) -> list[int]:
    """Deliveries left in SENDING by a worker that died mid-request, handed back for retry."""
    cutoff = timezone.now() - older_than
    stuck = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.SENDING, last_attempt_at__lt=cutoff)
    ids = list(stuck.values_list("pk", flat=True))
    WebhookDelivery.objects.filter(pk__in=ids, status=WebhookDelivery.Status.SENDING).update(
        status=WebhookDelivery.Status.RETRYING
    )
    return ids
