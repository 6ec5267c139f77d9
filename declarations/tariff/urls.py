"""The tariff engine's pages."""

from __future__ import annotations

from django.urls import path, re_path

from declarations.tariff import views

urlpatterns = [
    path("tariff/", views.tariff_search, name="tariff-search"),
    # The tariff's admin pages lived under the declarations app until the engine became
    # an app of its own; bookmarks of the old addresses still arrive.
    re_path(
        r"^admin/declarations/(?P<model>tariffline|tariffrate|exchangerate)/(?P<rest>.*)$",
        views.tariff_admin_moved,
    ),
]
