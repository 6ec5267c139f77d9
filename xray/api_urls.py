"""The X-ray app's part of /api/v1/ (included by customs_portal/api_urls.py)."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("xray.parcels.api_urls")),
]
