"""The declarations app's pages (included at the site root by customs_portal/urls.py):
each job's own `urls`."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("declarations.tariff.urls")),
    path("", include("declarations.core.urls")),
    path("", include("declarations.applications.urls")),
    path("", include("declarations.export_control.urls")),
    path("", include("declarations.manifests.urls")),
    path("", include("declarations.travellers.urls")),
]
