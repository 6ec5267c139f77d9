"""The models the whole portal shares: users and roles, companies, the audit trail,
notifications and webhooks, worker heartbeats, and the registry of ML model versions."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from customs_portal.validators import validate_corporate_number


class Role(models.TextChoices):
    CLEARANCE_OFFICER = "clearance_officer", _("Clearance officer")
    INSPECTION_OFFICER = "inspection_officer", _("Inspection officer")
    AUDIT_OFFICER = "audit_officer", _("Audit officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    TRADER = "trader", _("Trader")
    ADMIN = "admin", _("Administrator")
    # The service user of a registered gate kiosk: it never logs in (no password).
    KIOSK = "kiosk", _("Kiosk (device)")
    # The service user of a registered X-ray scanner at a mail office (no password).
    SCANNER = "scanner", _("X-ray scanner (device)")


OFFICER_ROLES = frozenset({Role.CLEARANCE_OFFICER, Role.INSPECTION_OFFICER, Role.AUDIT_OFFICER, Role.SUPERVISOR})


class Company(models.Model):
    class Kind(models.TextChoices):
        CUSTOMS_BROKER = "customs_broker", _("Customs broker")
        IMPORTER_EXPORTER = "importer_exporter", _("Importer/exporter")

    corporate_number = models.CharField(
        _("corporate number"),
        max_length=13,
        unique=True,
        validators=[validate_corporate_number],
        help_text=_("The 13-digit corporate number (法人番号) issued by the National Tax Agency."),
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.corporate_number})"


class AeoCertificate(models.Model):
    """A company's Authorised Economic Operator certificate for one kind of operator; a
    company may hold several kinds. `valid_to` is the end date and is exclusive: the
    certificate covers declarations dated from `valid_from` up to the day before
    `valid_to`, and one dated on `valid_to` gets no AEO benefit. A revoked certificate
    stops covering declarations dated on or after `revoked_on`.
    `customs_portal.aeo` writes them (supervisors only) and answers who is AEO when."""

    class Kind(models.TextChoices):
        IMPORTER = "importer", _("AEO importer")
        EXPORTER = "exporter", _("AEO exporter")
        CUSTOMS_BROKER = "customs_broker", _("AEO customs broker")
        WAREHOUSE = "warehouse", _("AEO warehouse operator")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="aeo_certificates"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    certificate_number = models.CharField(_("certificate number"), max_length=20, unique=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("ends on"), help_text=_("The first day without AEO benefits: declarations dated on or after it are not AEO.")
    )
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    granted_by = models.ForeignKey(
        "customs_portal.User", verbose_name=_("granted by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("AEO certificate")
        verbose_name_plural = _("AEO certificates")
        ordering = ["company__name", "kind", "-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                name="aeo_certificate_ends_after_start", condition=models.Q(valid_to__gt=models.F("valid_from"))
            ),
        ]
        indexes = [models.Index(fields=["company", "kind"])]

    def __str__(self) -> str:
        return f"{self.certificate_number} ({self.get_kind_display()})"


class PortalUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class CustomsOffice(models.Model):
    """A customs office (税関官署): where declarations are filed and officers work."""

    code = models.CharField(_("office code"), max_length=8, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    daily_inspection_capacity = models.PositiveIntegerField(
        _("daily physical inspection capacity"),
        default=20,
        help_text=_("How many declarations the office can inspect physically per day."),
    )

    class Meta:
        verbose_name = _("customs office")
        verbose_name_plural = _("customs offices")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        """The office's name in the active language (Japanese, else English)."""
        return self.name_ja if (get_language() or "").startswith("ja") and self.name_ja else self.name_en


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    office = models.ForeignKey(
        CustomsOffice,
        verbose_name=_("customs office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        help_text=_("The office an officer works at."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.PORTAL_LANGUAGES,
        help_text=_("The language the user last chose in the portal; e-mail to the user is written in it."),
    )

    objects = PortalUserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_trader_has_company",
                condition=(models.Q(role="trader", company__isnull=False) | ~models.Q(role="trader")),
            ),
            models.CheckConstraint(
                name="user_only_traders_have_company",
                condition=(models.Q(role="trader") | models.Q(company__isnull=True)),
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.role == Role.TRADER and self.company_id is None:
            raise ValidationError({"company": _("A trader must belong to a company.")})
        if self.role != Role.TRADER and self.company_id is not None:
            raise ValidationError({"company": _("Only traders belong to a company.")})

    @property
    def display_name(self) -> str:
        """Family name first, as Japanese names are written; the username if no name."""
        return " ".join(part for part in (self.last_name, self.first_name) if part) or self.username

    @property
    def is_officer(self) -> bool:
        return self.role in OFFICER_ROLES

    @property
    def is_trader(self) -> bool:
        return self.role == Role.TRADER


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit trail is append-only: audit events cannot be updated.")

    def delete(self):
        raise TypeError("The audit trail is append-only: audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One thing someone did. Append-only: the model, its queryset and (on PostgreSQL) a
    database trigger refuse updates and deletes. Events form a hash chain
    (`customs_portal.audit_chain`): `seq` is the position, `prev_hash` the previous
    event's `hash`, and `hash` covers this event's content and `prev_hash`."""

    # Set before the insert (not auto_now_add) because the hash covers it.
    occurred_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=150, help_text="Username, or the system component that acted.")
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit trail is append-only: audit events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit trail is append-only: audit events cannot be deleted.")


class AuditChainHead(models.Model):
    """The one row that records the end of the audit chain: how many events it holds and
    the last one's hash. Appending locks it, which keeps the chain linear; a trail emptied
    or cut short no longer matches it."""

    length = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.length} events, last {self.last_hash[:12]}"


class Notification(models.Model):
    """A message in a company's in-portal inbox, stored as a message code with JSON
    parameters and worded in the reader's language by `customs_portal.notifications`."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=100)
    message_code = models.CharField(max_length=100)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "read_at"])]

    def __str__(self) -> str:
        return self.subject

    @property
    def subject(self) -> str:
        """The subject in the active language."""
        return self._text()[0]

    @property
    def body(self) -> str:
        """The body in the active language."""
        return self._text()[1]

    def _text(self) -> tuple[str, str]:
        from customs_portal.notifications import notification_text

        return notification_text(code=self.message_code, params=self.params)


def _new_webhook_secret() -> str:
    return secrets.token_hex(32)


class WebhookSubscription(models.Model):
    """A trader's system that wants to be told about the company's records."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="webhook_subscriptions")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, blank=True, help_text="Event names; empty means all events.")
    secret = models.CharField(max_length=64, default=_new_webhook_secret, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Retrying")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.SET_NULL)
    event = models.CharField(max_length=100)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "notification"],
                name="webhook_delivery_once_per_notification",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription.url}"


class WorkerHeartbeat(models.Model):
    hostname = models.CharField(max_length=255, unique=True)
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return self.hostname


class ModelVersion(models.Model):
    """One trained version of one model (`name`: "risk", "xray"...): the directory of its
    files under ML_ARTEFACT_ROOT, their checksums, its metrics and whether it is served.
    At most one version of each model is active; `customs_portal.ml_registry` writes them."""

    class Status(models.TextChoices):
        TRAINED = "trained", _("Trained, not served")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    name = models.CharField(_("model"), max_length=50)
    version = models.PositiveIntegerField(_("version"))
    # The directory ML_ARTEFACT_ROOT/<name>/<version>/ holding the files and manifest.json.
    artefact_path = models.CharField(_("artefact path"), max_length=500)
    # {file name: sha256}: a file is loaded only when it still has the checksum recorded here.
    checksums = models.JSONField(_("checksums (SHA-256)"), default=dict)
    metrics = models.JSONField(_("metrics"), default=dict)
    training_summary = models.JSONField(_("training data summary"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.TRAINED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    promoted_at = models.DateTimeField(_("promoted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="model_version_unique"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(status="active"), name="model_version_one_active"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.name}:{self.version}"


class OutboxTask(models.Model):
    """A Celery task recorded in the transaction of the write that calls for it; sent to
    the broker after commit, or later by the relay when the broker was unreachable."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    not_before = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_attempt_at"], name="outbox_unsent_due", condition=models.Q(sent_at__isnull=True))
        ]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"
