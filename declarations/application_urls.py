"""Pages of digitised applications, the export chart and the pre-submission check
(included at the site root by customs_portal/urls.py)."""

from __future__ import annotations

from django.urls import path

from declarations import application_views as views

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
    path("exports/chart/", views.export_chart, name="export-chart"),
    path(
        "declarations/<int:declaration_id>/precheck/",
        views.declaration_precheck_page,
        name="declaration-precheck",
    ),
]
