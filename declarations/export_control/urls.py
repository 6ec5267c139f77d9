"""Pages of export control."""

from __future__ import annotations

from django.urls import path

from declarations.export_control import views

urlpatterns = [
    path("exports/chart/", views.export_chart, name="export-chart"),
]
