"""API of the shared domain: who am I, tokens, notifications, webhooks, audit trail."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from customs_portal import notifications, selectors
from customs_portal.audit import audit_action_label, audit_object_type_label, audit_record
from customs_portal.models import AuditEvent, Company, Notification, WebhookDelivery, WebhookSubscription
from customs_portal.permissions import CanReadAuditTrail, IsTrader


class CompanyOutput(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["corporate_number", "name", "name_en", "kind"]


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    role = serializers.CharField()
    is_officer = serializers.BooleanField()
    company = CompanyOutput(allow_null=True)


class MeApi(APIView):
    @extend_schema(responses=MeOutput, summary="The signed-in user, its role and its company")
    def get(self, request):
        return Response(MeOutput(request.user).data)


class TokenLoginThrottle(AnonRateThrottle):
    scope = "token-login"


class TokenObtainApi(ObtainAuthToken):
    """Exchanges a username and password for an API token (for traders' systems).

    Throttled per address; repeated wrong passwords lock the username out (django-axes)."""

    throttle_classes = [TokenLoginThrottle]
    permission_classes = []

    def post(self, request, *args, **kwargs):
        serializer = self.serializer_class(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, created = Token.objects.get_or_create(user=user)
        if created:
            audit_record(action="api_token.created", actor=user, obj=user, request=request)
        return Response({"token": token.key})


class NotificationOutput(serializers.ModelSerializer):
    """A notification's code and parameters, and its subject and body worded in the
    request's language."""

    code = serializers.CharField(source="message_code", read_only=True)
    subject = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id", "event", "code", "params", "subject", "body", "link", "payload", "created_at", "read_at", "is_read"
        ]  # fmt: skip

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationListApi(ListAPIView):
    permission_classes = [IsTrader]
    serializer_class = NotificationOutput

    def get_queryset(self):
        notifications_ = selectors.notifications_for_user(user=self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            notifications_ = notifications_.filter(read_at__isnull=True)
        return notifications_


class NotificationReadApi(APIView):
    permission_classes = [IsTrader]

    @extend_schema(request=None, responses=NotificationOutput, summary="Mark a notification as read")
    def post(self, request, notification_id: int):
        notification = selectors.notification_get_for_user(user=request.user, notification_id=notification_id)
        notifications.notification_mark_read(notification=notification)
        return Response(NotificationOutput(notification).data)


class WebhookSubscriptionOutput(serializers.ModelSerializer):
    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "is_active", "created_at"]


class WebhookSubscriptionCreatedOutput(WebhookSubscriptionOutput):
    class Meta(WebhookSubscriptionOutput.Meta):
        fields = [*WebhookSubscriptionOutput.Meta.fields, "secret"]


class WebhookSubscriptionInput(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list)


class WebhookSubscriptionListCreateApi(APIView):
    permission_classes = [IsTrader]

    @extend_schema(responses=WebhookSubscriptionOutput(many=True), summary="The company's webhook subscriptions")
    def get(self, request):
        subscriptions = selectors.webhook_subscriptions_for_user(user=request.user)
        return Response(WebhookSubscriptionOutput(subscriptions, many=True).data)

    @extend_schema(
        request=WebhookSubscriptionInput,
        responses={201: WebhookSubscriptionCreatedOutput},
        summary="Subscribe a URL; the answer shows the signing secret",
    )
    def post(self, request):
        data = WebhookSubscriptionInput(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = notifications.webhook_subscription_create(
            company=request.user.company, created_by=request.user, request=request, **data.validated_data
        )
        return Response(WebhookSubscriptionCreatedOutput(subscription).data, status=status.HTTP_201_CREATED)


class WebhookSubscriptionDeactivateApi(APIView):
    permission_classes = [IsTrader]

    @extend_schema(request=None, responses={204: None}, summary="Stop a webhook subscription")
    def delete(self, request, subscription_id: int):
        subscription = selectors.webhook_subscription_get_for_user(user=request.user, subscription_id=subscription_id)
        notifications.webhook_subscription_deactivate(
            subscription=subscription, deactivated_by=request.user, request=request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryOutput(serializers.ModelSerializer):
    url = serializers.CharField(source="subscription.url")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "url",
            "event",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "created_at",
            "last_attempt_at",
            "delivered_at",
        ]


class WebhookDeliveryListApi(ListAPIView):
    """The delivery log: what the portal sent to the company's systems and how it went."""

    permission_classes = [IsTrader]
    serializer_class = WebhookDeliveryOutput

    def get_queryset(self):
        return selectors.webhook_deliveries_for_user(user=self.request.user)


class AuditEventOutput(serializers.ModelSerializer):
    action_label = serializers.SerializerMethodField()
    object_type_label = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "actor_label",
            "actor_role",
            "action",
            "action_label",
            "object_type",
            "object_type_label",
            "object_id",
            "object_repr",
            "before",
            "after",
            "ip_address",
        ]

    def get_action_label(self, event: AuditEvent) -> str:
        """The action in the caller's language ("Declaration: submitted")."""
        return audit_action_label(event.action, event.object_type)

    def get_object_type_label(self, event: AuditEvent) -> str:
        return audit_object_type_label(event.object_type)


class AuditEventListApi(ListAPIView):
    permission_classes = [CanReadAuditTrail]
    serializer_class = AuditEventOutput

    def get_queryset(self):
        params = self.request.query_params
        return selectors.audit_events_list(
            object_type=params.get("object_type", ""),
            object_id=params.get("object_id", ""),
            action=params.get("action", ""),
        )
