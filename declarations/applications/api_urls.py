"""Digitised applications' part of /api/v1/."""

from __future__ import annotations

from django.urls import path

from declarations.applications import api

urlpatterns = [
    path("applications/<str:kind>/", api.ApplicationListCreateApi.as_view(), name="api-applications"),
    path(
        "applications/<str:kind>/<int:application_id>/",
        api.ApplicationDetailApi.as_view(),
        name="api-application-detail",
    ),
    path(
        "applications/<str:kind>/<int:application_id>/submit/",
        api.ApplicationSubmitApi.as_view(),
        name="api-application-submit",
    ),
    path(
        "applications/<str:kind>/<int:application_id>/withdraw/",
        api.ApplicationWithdrawApi.as_view(),
        name="api-application-withdraw",
    ),
    path(
        "applications/<str:kind>/<int:application_id>/review/",
        api.ApplicationReviewApi.as_view(),
        name="api-application-review",
    ),
    path(
        "applications/<str:kind>/<int:application_id>/decide/",
        api.ApplicationDecideApi.as_view(),
        name="api-application-decide",
    ),
    path(
        "applications/ip/<int:application_id>/evidence/",
        api.IpEvidenceUploadApi.as_view(),
        name="api-ip-evidence-upload",
    ),
]
