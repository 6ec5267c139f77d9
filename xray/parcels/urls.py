"""The intake's pages under /officer/xray/."""

from __future__ import annotations

from django.urls import path

from xray.parcels import views

urlpatterns = [
    path("officer/xray/scanners/", views.scanners, name="xray-scanners"),
    path("officer/xray/scanners/<int:scanner_id>/revoke/", views.scanner_revoke, name="xray-scanner-revoke"),
    path("officer/xray/intake/", views.intake, name="xray-intake"),
    path("officer/xray/intake/new/", views.parcel_register, name="xray-intake-register"),
    path("officer/xray/intake/<str:item_number>/", views.parcel_intake, name="xray-intake-parcel"),
]
