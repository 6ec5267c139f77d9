"""The declarations app's part of /api/v1/ (included by customs_portal/api_urls.py): each
job's own `api_urls`."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("declarations.tariff.api_urls")),
    path("", include("declarations.core.api_urls")),
    path("", include("declarations.applications.api_urls")),
    path("", include("declarations.export_control.api_urls")),
    path("", include("declarations.manifests.api_urls")),
    path("", include("declarations.travellers.api_urls")),
]
