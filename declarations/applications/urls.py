"""Pages of digitised applications."""

from __future__ import annotations

from django.urls import path

from declarations.applications import views

urlpatterns = [
    path("applications/", views.application_index, name="application-index"),
    path("applications/<str:kind>/new/", views.application_create, name="application-create"),
    path("applications/<str:kind>/<int:application_id>/", views.application_detail, name="application-detail"),
    path("applications/<str:kind>/<int:application_id>/edit/", views.application_edit, name="application-edit"),
    path("applications/<str:kind>/<int:application_id>/action/", views.application_action, name="application-action"),
    path("applications/ip/<int:application_id>/evidence/", views.ip_evidence_upload, name="ip-evidence-upload"),
    path(
        "applications/ip/<int:application_id>/evidence/<int:evidence_id>/",
        views.ip_evidence_download,
        name="ip-evidence-download",
    ),
]
