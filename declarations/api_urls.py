"""The declarations app's part of /api/v1/ (included by customs_portal/api_urls.py)."""

from __future__ import annotations

from django.urls import path

from declarations import api

urlpatterns = [
    path("tariff-lines/", api.TariffLineListApi.as_view(), name="api-tariff-lines"),
    path("duty-estimates/", api.DutyEstimateApi.as_view(), name="api-duty-estimates"),
]
