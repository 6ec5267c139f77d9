"""The declarations app's pages (included at the site root by customs_portal/urls.py)."""

from __future__ import annotations

from django.urls import path

from declarations import views

urlpatterns = [
    path("tariff/", views.tariff_search, name="tariff-search"),
]
