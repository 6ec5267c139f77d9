"""Bulk manifests' part of /api/v1/ (included by customs_portal/api_urls.py)."""

from __future__ import annotations

from django.urls import path

from declarations.manifests import api as manifest_api

urlpatterns = [
    path("manifests/", manifest_api.ManifestUploadApi.as_view(), name="api-manifest-upload"),
    path("manifests/<int:manifest_id>/", manifest_api.ManifestStatusApi.as_view(), name="api-manifest-status"),
    path(
        "manifests/<int:manifest_id>/errors/", manifest_api.ManifestErrorListApi.as_view(), name="api-manifest-errors"
    ),
    path(
        "manifests/<int:manifest_id>/results.csv",
        manifest_api.ManifestResultsApi.as_view(),
        name="api-manifest-results",
    ),
]
