"""The tariff engine's pages."""

from __future__ import annotations

from django.urls import path, re_path

from declarations.tariff import views

urlpatterns = [
    path("tariff/", views.tariff_search, name="tariff-search"),
    path("tariff/traveller-rules/", views.traveller_rules, name="traveller-rules"),
    path("tariff/traveller-rules/new/", views.traveller_rule_set_new, name="traveller-rule-set-new"),
    path("tariff/traveller-rules/<int:rule_set_id>/", views.traveller_rule_set_edit, name="traveller-rule-set-edit"),
    path(
        "tariff/traveller-rules/<int:rule_set_id>/delete/",
        views.traveller_rule_set_delete,
        name="traveller-rule-set-delete",
    ),
    # The tariff's admin pages lived under the declarations app until the engine became
    # an app of its own; bookmarks of the old addresses still arrive.
    re_path(
        r"^admin/declarations/(?P<model>tariffline|tariffrate|exchangerate)/(?P<rest>.*)$",
        views.tariff_admin_moved,
    ),
]
