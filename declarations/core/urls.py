"""Pages of declarations."""

from __future__ import annotations

from django.urls import path

from declarations.core import views

urlpatterns = [
    path("declarations/", views.declaration_list, name="declaration-list"),
    path("declarations/new/<str:kind>/", views.declaration_create, name="declaration-create"),
    path("declarations/<int:declaration_id>/", views.declaration_detail, name="declaration-detail"),
    path("declarations/<int:declaration_id>/edit/", views.declaration_edit, name="declaration-edit"),
    path("declarations/<int:declaration_id>/submit/", views.declaration_submit, name="declaration-submit"),
    path("declarations/<int:declaration_id>/withdraw/", views.declaration_withdraw, name="declaration-withdraw"),
    path("declarations/<int:declaration_id>/amend/", views.declaration_amend, name="declaration-amend"),
    path(
        "declarations/<int:declaration_id>/attachments/",
        views.declaration_attachment_upload,
        name="declaration-attachment-upload",
    ),
    path(
        "declarations/<int:declaration_id>/attachments/<int:attachment_id>/",
        views.declaration_attachment_download,
        name="declaration-attachment-download",
    ),
    path("declarations/<int:declaration_id>/diff/", views.declaration_versions_diff, name="declaration-diff"),
    path("declarations/<int:declaration_id>/pdf/", views.declaration_pdf_download, name="declaration-pdf"),
    path("declarations/<int:declaration_id>/precheck/", views.declaration_precheck_page, name="declaration-precheck"),
    path("declarations/<int:declaration_id>/decide/", views.declaration_decide, name="declaration-decide"),
    path("officer/declarations/", views.review_queue, name="declaration-review-queue"),
]
