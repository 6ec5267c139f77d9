from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from customs_portal import views
from customs_portal.api.docs import PortalSchemaView, PortalSwaggerView

urlpatterns = [
    path("", views.public_home, name="public-home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.language_set, name="set_language"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", views.home, name="home"),
    path("officer/", views.officer_dashboard, name="officer-dashboard"),
    path("officer/aeo/", views.aeo_certificates, name="aeo-certificates"),
    path("officer/aeo/<int:certificate_id>/", views.aeo_certificate_edit, name="aeo-certificate-edit"),
    path("officer/aeo/<int:certificate_id>/revoke/", views.aeo_certificate_revoke, name="aeo-certificate-revoke"),
    path("trader/", views.trader_dashboard, name="trader-dashboard"),
    path("trader/notifications/", views.notification_inbox, name="notification-inbox"),
    path("trader/notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("trader/notifications/<int:notification_id>/read/", views.notification_read, name="notification-read"),
    path("trader/integration/", views.integration, name="integration"),
    path("trader/integration/token/", views.api_token_rotate, name="api-token-rotate"),
    path(
        "trader/integration/webhooks/<int:subscription_id>/stop/",
        views.webhook_deactivate,
        name="webhook-deactivate",
    ),
    path("", include("declarations.urls")),
    path("", include("payments.urls")),
    path("", include("inspection.urls")),
    path("", include("xray.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("customs_portal.api_urls")),
    path("api/schema/", PortalSchemaView.as_view(), name="api-schema"),
    path("api/docs/", PortalSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

# Uploaded files (MEDIA_ROOT) are never served by URL, not even under DEBUG: each kind has
# a download view that checks the reader's rights first.
handler404 = "customs_portal.views.page_not_found"
