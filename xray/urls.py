"""The X-ray app's pages (included at the site root by customs_portal/urls.py): each
job's own `urls`."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("xray.parcels.urls")),
    path("", include("xray.review.urls")),
]
