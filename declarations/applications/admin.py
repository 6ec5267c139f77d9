"""Admin of digitised applications (read-only: they change through their services)."""

from __future__ import annotations

from django.contrib import admin

from customs_portal.admin import ReadOnlyAdmin
from declarations.applications.models import DutyReliefApplication, IpSuspensionApplication


@admin.register(DutyReliefApplication)
class DutyReliefApplicationAdmin(ReadOnlyAdmin):
    list_display = ["number", "company", "provision", "amount_claimed_jpy", "status", "submitted_at"]
    list_filter = ["status", "provision"]
    search_fields = ["number", "company__name"]


@admin.register(IpSuspensionApplication)
class IpSuspensionApplicationAdmin(ReadOnlyAdmin):
    list_display = ["number", "company", "right_type", "right_holder", "status", "submitted_at"]
    list_filter = ["status", "right_type"]
    search_fields = ["number", "company__name", "right_holder"]
