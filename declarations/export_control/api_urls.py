"""Export control's part of /api/v1/."""

from __future__ import annotations

from django.urls import path

from declarations.export_control import api

urlpatterns = [
    path("export-counts/", api.ExportCountsApi.as_view(), name="api-export-counts"),
]
