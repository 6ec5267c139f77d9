"""Admin of the export control lists (read-only: they change by import)."""

from __future__ import annotations

from django.contrib import admin

from customs_portal.admin import ReadOnlyAdmin
from declarations.export_control.models import ControlledGood, EndUser


@admin.register(ControlledGood)
class ControlledGoodAdmin(ReadOnlyAdmin):
    list_display = ["hs_prefix", "description_en", "description_ja", "control_basis"]
    search_fields = ["hs_prefix", "description_en", "description_ja"]


@admin.register(EndUser)
class EndUserAdmin(ReadOnlyAdmin):
    list_display = ["name", "country", "reason"]
    list_filter = ["country"]
    search_fields = ["name"]
