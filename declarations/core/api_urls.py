"""Declarations' part of /api/v1/."""

from __future__ import annotations

from django.urls import path

from declarations.core import api

urlpatterns = [
    path("declarations/", api.DeclarationListCreateApi.as_view(), name="api-declarations"),
    path("declarations/<int:declaration_id>/", api.DeclarationDetailApi.as_view(), name="api-declaration"),
    path(
        "declarations/<int:declaration_id>/submit/", api.DeclarationSubmitApi.as_view(), name="api-declaration-submit"
    ),
    path(
        "declarations/<int:declaration_id>/withdraw/",
        api.DeclarationWithdrawApi.as_view(),
        name="api-declaration-withdraw",
    ),
    path(
        "declarations/<int:declaration_id>/versions/",
        api.DeclarationVersionsApi.as_view(),
        name="api-declaration-versions",
    ),
    path("declarations/<int:declaration_id>/diff/", api.DeclarationDiffApi.as_view(), name="api-declaration-diff"),
    path(
        "declarations/<int:declaration_id>/attachments/",
        api.DeclarationAttachmentsApi.as_view(),
        name="api-declaration-attachments",
    ),
    path(
        "declarations/<int:declaration_id>/decision/",
        api.DeclarationDecideApi.as_view(),
        name="api-declaration-decision",
    ),
    path(
        "declarations/<int:declaration_id>/precheck/",
        api.DeclarationPrecheckApi.as_view(),
        name="api-declaration-precheck",
    ),
    path(
        "declarations/<int:declaration_id>/timeline/",
        api.DeclarationTimelineApi.as_view(),
        name="api-declaration-timeline",
    ),
    path(
        "declarations/<int:declaration_id>/waiting-for/",
        api.DeclarationWaitingForApi.as_view(),
        name="api-declaration-waiting-for",
    ),
]
