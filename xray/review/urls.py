"""The officers' X-ray pages, under /officer/xray/."""

from __future__ import annotations

from django.urls import path

from xray.review import views

urlpatterns = [
    path("officer/xray/", views.queue, name="xray-review-queue"),
    path("officer/xray/parcels/<str:item_number>/", views.parcel_detail, name="xray-review-parcel"),
    path("officer/xray/parcels/<str:item_number>/decide/", views.parcel_decide, name="xray-review-decide"),
    path("officer/xray/parcels/<str:item_number>/finding/", views.parcel_finding, name="xray-review-finding"),
    path("officer/xray/images/<int:image_id>/", views.image_file, name="xray-review-image"),
    path("officer/xray/images/<int:image_id>/heatmap/", views.heatmap_file, name="xray-review-heatmap"),
    path("officer/xray/monitoring/", views.monitoring, name="xray-review-monitoring"),
    path("officer/xray/models/", views.model_versions, name="xray-review-models"),
    path("officer/xray/models/<int:version_id>/promote/", views.model_promote, name="xray-review-model-promote"),
    path("officer/xray/models/rollback/", views.model_rollback, name="xray-review-model-rollback"),
    path("officer/xray/settings/", views.review_settings, name="xray-review-settings"),
]
