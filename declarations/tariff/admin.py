"""Admin of the tariff (read-only: it changes by import) and of the exchange rates."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from customs_portal.admin import ReadOnlyAdmin
from declarations.tariff.models import ExchangeRate, TariffLine, TariffRate, TravellerRuleSet, TravellerSimplifiedRate
from declarations.tariff.services import exchange_rate_set


class TariffRateInline(admin.TabularInline):
    model = TariffRate
    fields = ["kind", "agreement", "expression"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TariffLine)
class TariffLineAdmin(ReadOnlyAdmin):
    """Read-only: the tariff changes only through `manage.py import_tariff`, which keeps
    versions chained and records the import in the audit trail."""

    list_display = ["hs_code", "description_en", "description_ja", "unit", "valid_from", "valid_to"]
    list_filter = ["reduced_consumption_tax", "small_value_exclusion", "valid_from"]
    search_fields = ["hs_code", "description_en", "description_ja"]
    inlines = [TariffRateInline]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Weekly customs rates; a rate entered or corrected here goes through the same
    service as the import and is audited."""

    list_display = ["week_start", "week_end", "currency", "rate_jpy", "updated_at"]
    list_filter = ["currency"]
    search_fields = ["currency"]
    date_hierarchy = "week_start"
    fields = ["currency", "week_start", "rate_jpy"]

    @admin.display(description=_("week ending (Saturday)"))
    def week_end(self, obj: ExchangeRate):
        return obj.week_end

    def get_readonly_fields(self, request, obj=None):
        # A stored rate belongs to its currency and week; correct the rate, not the key.
        return ["currency", "week_start"] if obj else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        saved = exchange_rate_set(
            currency=obj.currency, week_start=obj.week_start, rate_jpy=obj.rate_jpy, set_by=request.user
        )
        obj.pk = saved.pk


class TravellerSimplifiedRateInline(admin.TabularInline):
    model = TravellerSimplifiedRate
    fields = ["category", "amount", "unit"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TravellerRuleSet)
class TravellerRuleSetAdmin(ReadOnlyAdmin):
    """Read-only: supervisors change the travellers' rules on their own pages
    (/tariff/traveller-rules/), through the audited services."""

    list_display = ["valid_from", "other_goods_jpy", "alcohol_bottles", "cigarettes", "taxable_ratio", "created_by"]
    inlines = [TravellerSimplifiedRateInline]
