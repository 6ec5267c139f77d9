"""The travellers' part of /api/v1/ (included by declarations/api_urls.py)."""

from __future__ import annotations

from django.urls import path

from declarations.travellers import api

urlpatterns = [
    path("traveller-declarations/", api.TravellerDeclarationCreateApi.as_view(), name="api-traveller-declarations"),
    path(
        "traveller-declarations/estimate/",
        api.TravellerDeclarationEstimateApi.as_view(),
        name="api-traveller-declaration-estimate",
    ),
    path("kiosk/keys/", api.KioskKeysApi.as_view(), name="api-kiosk-keys"),
    path("kiosk/me/", api.KioskMeApi.as_view(), name="api-kiosk-me"),
    path("kiosk/decisions/", api.KioskDecisionApi.as_view(), name="api-kiosk-decisions"),
]
