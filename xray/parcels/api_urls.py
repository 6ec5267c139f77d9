"""The intake's part of /api/v1/: parcels, their images and the model's reading."""

from __future__ import annotations

from django.urls import path

from xray.parcels import api

urlpatterns = [
    path("xray/parcels/", api.ParcelRegisterApi.as_view(), name="api-xray-parcels"),
    path("xray/parcels/<str:item_number>/", api.ParcelDetailApi.as_view(), name="api-xray-parcel"),
    path("xray/parcels/<str:item_number>/images/", api.ParcelImageAddApi.as_view(), name="api-xray-parcel-images"),
]
