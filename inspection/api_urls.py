from __future__ import annotations

from django.urls import path

from inspection import api

urlpatterns = [
    path("inspection-list/", api.InspectionListApi.as_view(), name="api-inspection-list"),
]
