"""Admin of the X-ray app, read-only: parcels, images and scanners change only through
the intake's services (audited), results only through the screening worker."""

from __future__ import annotations

from django.contrib import admin

from customs_portal.admin import ReadOnlyAdmin
from xray.parcels.models import DeclaredItem, Parcel, Scanner, XrayImage
from xray.screening.models import ScreeningResult


class DeclaredItemInline(admin.TabularInline):
    model = DeclaredItem
    fields = ["line_number", "description", "hs_code", "quantity", "value_jpy"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class XrayImageInline(admin.TabularInline):
    model = XrayImage
    fields = ["sha256", "status", "original_format", "original_mode", "width", "height", "queued_at", "processed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Scanner)
class ScannerAdmin(ReadOnlyAdmin):
    """Registered and revoked on the supervisor's page (/officer/xray/scanners/), where
    the token is shown once; the hash is never shown here."""

    list_display = ["code", "office", "label", "token_hint", "registered_at", "revoked_at", "last_seen_at"]
    list_filter = ["office", "revoked_at"]
    search_fields = ["code", "office", "label"]
    exclude = ["token_hash"]


@admin.register(Parcel)
class ParcelAdmin(ReadOnlyAdmin):
    list_display = ["item_number", "status", "origin_country", "threat_score", "machine_decision", "final_decision"]
    list_filter = ["status", "machine_decision", "final_decision", "control_sample", "customs_form"]
    search_fields = ["item_number", "sender_name", "addressee_name"]
    date_hierarchy = "created_at"
    inlines = [DeclaredItemInline, XrayImageInline]


@admin.register(XrayImage)
class XrayImageAdmin(ReadOnlyAdmin):
    list_display = ["parcel", "status", "original_format", "original_mode", "width", "height", "attempts", "queued_at"]
    list_filter = ["status", "original_format", "error_code"]
    search_fields = ["parcel__item_number", "sha256"]
    list_select_related = ["parcel"]


@admin.register(ScreeningResult)
class ScreeningResultAdmin(ReadOnlyAdmin):
    list_display = [
        "image",
        "model_name",
        "model_version_number",
        "top_class",
        "threat_score",
        "decision",
        "created_at",
    ]
    list_filter = ["model_version_number", "decision", "top_class"]
    search_fields = ["image__parcel__item_number", "input_sha256"]
    list_select_related = ["image"]
