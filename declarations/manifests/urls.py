"""Pages of bulk manifests (included at the site root by customs_portal/urls.py)."""

from __future__ import annotations

from django.urls import path

from declarations.manifests import views as manifest_views

urlpatterns = [
    path("trader/manifests/", manifest_views.manifest_list, name="manifest-list"),
    path("trader/manifests/upload/", manifest_views.manifest_upload, name="manifest-upload"),
    path("trader/manifests/<int:manifest_id>/", manifest_views.manifest_detail, name="manifest-detail"),
    path("trader/manifests/<int:manifest_id>/status.json", manifest_views.manifest_status, name="manifest-status"),
    path("trader/manifests/<int:manifest_id>/file/", manifest_views.manifest_file_download, name="manifest-file"),
    path("trader/manifests/<int:manifest_id>/results.csv", manifest_views.manifest_results, name="manifest-results"),
]
