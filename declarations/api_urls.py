"""The declarations app's part of /api/v1/ (included by customs_portal/api_urls.py)."""

from __future__ import annotations

from django.urls import path

from declarations import api

urlpatterns = [
    path("tariff-lines/", api.TariffLineListApi.as_view(), name="api-tariff-lines"),
    path("duty-estimates/", api.DutyEstimateApi.as_view(), name="api-duty-estimates"),
    path("exchange-rates/", api.ExchangeRateApi.as_view(), name="api-exchange-rate"),
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
]
