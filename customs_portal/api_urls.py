"""Everything under /api/v1/. Each app adds its own `api_urls` here as it lands."""

from __future__ import annotations

from django.urls import include, path

from customs_portal.api import views

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="api-me"),
    path("auth/token/", views.TokenObtainApi.as_view(), name="api-token"),
    path("notifications/", views.NotificationListApi.as_view(), name="api-notifications"),
    path(
        "notifications/<int:notification_id>/read/",
        views.NotificationReadApi.as_view(),
        name="api-notification-read",
    ),
    path("webhooks/", views.WebhookSubscriptionListCreateApi.as_view(), name="api-webhooks"),
    path(
        "webhooks/<int:subscription_id>/",
        views.WebhookSubscriptionDeactivateApi.as_view(),
        name="api-webhook-deactivate",
    ),
    path("webhook-deliveries/", views.WebhookDeliveryListApi.as_view(), name="api-webhook-deliveries"),
    path("audit-events/", views.AuditEventListApi.as_view(), name="api-audit-events"),
    path("", include("declarations.api_urls")),
    path("", include("inspection.api_urls")),
    path("", include("xray.api_urls")),
    path("", include("payments.api_urls")),
]
