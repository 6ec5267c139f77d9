"""Permission-aware reads of the shared domain."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from customs_portal.models import AuditEvent, Notification, User, WebhookDelivery, WebhookSubscription


def _company_of(user: User):
    if not user.is_trader:
        raise Http404
    return user.company


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(company=_company_of(user))


def notification_get_for_user(*, user: User, notification_id: int) -> Notification:
    try:
        return notifications_for_user(user=user).get(pk=notification_id)
    except Notification.DoesNotExist as error:
        raise Http404 from error


def unread_notification_count(*, user: User) -> int:
    if not (user.is_authenticated and user.is_trader):
        return 0
    return Notification.objects.filter(company_id=user.company_id, read_at__isnull=True).count()


def webhook_subscriptions_for_user(*, user: User) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.filter(company=_company_of(user))


def webhook_subscription_get_for_user(*, user: User, subscription_id: int) -> WebhookSubscription:
    try:
        return webhook_subscriptions_for_user(user=user).get(pk=subscription_id)
    except WebhookSubscription.DoesNotExist as error:
        raise Http404 from error


def webhook_deliveries_for_user(*, user: User) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(subscription__company=_company_of(user)).select_related("subscription")


def audit_events_list(*, object_type: str = "", object_id: str = "", action: str = "") -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor", "company")
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if action:
        events = events.filter(action__startswith=action)
    return events
