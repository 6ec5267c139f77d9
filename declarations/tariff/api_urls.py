"""The tariff engine's part of /api/v1/ (included by declarations/api_urls.py)."""

from __future__ import annotations

from django.urls import path

from declarations.tariff.api import schedule, travellers

urlpatterns = [
    path("tariff-lines/", schedule.TariffLineListApi.as_view(), name="api-tariff-lines"),
    path("duty-estimates/", schedule.DutyEstimateApi.as_view(), name="api-duty-estimates"),
    path("exchange-rates/", schedule.ExchangeRateApi.as_view(), name="api-exchange-rate"),
    path("traveller-estimates/", travellers.TravellerEstimateApi.as_view(), name="api-traveller-estimates"),
    path("traveller-rules/", travellers.TravellerRulesApi.as_view(), name="api-traveller-rules"),
]
