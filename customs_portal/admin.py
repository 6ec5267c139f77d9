from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from customs_portal import audit
from customs_portal.models import (
    AeoCertificate,
    AuditEvent,
    Company,
    CustomsOffice,
    ModelVersion,
    Notification,
    User,
    WebhookDelivery,
    WebhookSubscription,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "get_full_name", "role", "company", "is_active"]
    list_filter = ["role", "is_active", "company"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Role"), {"fields": ["role", "company", "office"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("Role"), {"fields": ["role", "company", "office"]}),
    ]


@admin.register(CustomsOffice)
class CustomsOfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ja", "name_en", "daily_inspection_capacity"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "corporate_number", "kind", "contact_email"]
    search_fields = ["name", "name_en", "corporate_number"]
    list_filter = ["kind"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class _AuditCodeFilter(admin.SimpleListFilter):
    """A filter on a code field of the audit trail that lists the codes in words."""

    field = ""

    def lookups(self, request, model_admin):
        codes = AuditEvent.objects.order_by(self.field).values_list(self.field, flat=True).distinct()
        return [(code, self.label(code)) for code in codes if code]

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset


class AuditActionFilter(_AuditCodeFilter):
    title = _("action")
    parameter_name = field = "action"

    def label(self, code: str) -> str:
        return audit.audit_action_label(code)


class AuditObjectTypeFilter(_AuditCodeFilter):
    title = _("object type")
    parameter_name = field = "object_type"

    def label(self, code: str) -> str:
        return audit.audit_object_type_label(code)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail is shown, never edited: no add, change or delete."""

    list_display = [
        "occurred_at",
        "actor_label",
        "actor_role",
        "action_label",
        "object_label",
        "object_id",
        "ip_address",
    ]
    list_filter = [AuditActionFilter, "actor_role", AuditObjectTypeFilter]
    search_fields = ["actor_label", "action", "object_id", "object_repr"]
    date_hierarchy = "occurred_at"

    @admin.display(description=_("Action"), ordering="action")
    def action_label(self, event: AuditEvent) -> str:
        return audit.audit_action_label(event.action, event.object_type)

    @admin.display(description=_("Object type"), ordering="object_type")
    def object_label(self, event: AuditEvent) -> str:
        return audit.audit_object_type_label(event.object_type)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "company", "event", "message_code", "subject", "read_at", "emailed_at"]
    list_filter = ["event"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["company", "url", "is_active", "created_at"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "subscription", "event", "status", "attempts", "last_status_code"]
    list_filter = ["status", "event"]


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    """Versions are registered by training and promoted by supervisors on the model pages
    (through `customs_portal.ml_registry`, which audits it); the admin only shows them."""

    list_display = ["name", "version", "status", "created_at", "promoted_at"]
    list_filter = ["name", "status"]


@admin.register(AeoCertificate)
class AeoCertificateAdmin(ReadOnlyAdmin):
    """Supervisors grant, change and revoke certificates on their own page (through
    `customs_portal.aeo`, which audits each change); the admin only shows them."""

    list_display = ["certificate_number", "company", "kind", "valid_from", "valid_to", "revoked_on"]
    list_filter = ["kind"]
    search_fields = ["certificate_number", "company__name", "company__corporate_number"]
