from __future__ import annotations

from django.contrib import admin

from payments.models import Assessment, JournalEntry, PaymentIntent, Receipt, Refund


class ReadOnlyAdmin(admin.ModelAdmin):
    """Payments change only through services; the admin shows them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "company", "total_jpy", "due_date", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["reference"]


@admin.register(PaymentIntent)
class PaymentIntentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "assessment", "method", "amount_jpy", "refunded_jpy", "status", "created_at"]
    list_filter = ["status", "method"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "payment", "amount_jpy", "status", "requested_by", "decided_by"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "payment", "issued_at", "emailed_at"]


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ["external_ref", "kind", "assessment", "posted_at"]
    list_filter = ["kind"]
