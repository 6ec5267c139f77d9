"""The OpenAPI schema and its Swagger UI page, open only to signed-in users unless
API_DOCS_REQUIRE_LOGIN is off (local development)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated


class PortalSchemaView(SpectacularAPIView):
    """The schema; a caller without a session or token is answered 401."""

    def get_permissions(self) -> list[BasePermission]:
        return [IsAuthenticated()] if settings.API_DOCS_REQUIRE_LOGIN else [AllowAny()]


class PortalSwaggerView(SpectacularSwaggerSplitView):
    """The docs page; a visitor who is not signed in is sent to the login page. Its
    initialisation script comes from this view too (`?script`), not inline, so the page
    runs under the portal's Content-Security-Policy."""

    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if settings.API_DOCS_REQUIRE_LOGIN and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)
