"""Payments: what is owed (Assessment), attempts to pay it (PaymentIntent), refunds, the
gateway's notifications, receipts and the double-entry ledger.

No model here has a field that could hold a card number: the gateway keeps the card,
the portal keeps the gateway's token and the last four digits."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from payments.failures import failure_message


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Credit card")
    QR = "qr", _("Smartphone payment app (QR)")
    PAYEASY = "payeasy", _("Pay-easy")
    DIRECT_DEBIT = "direct_debit", _("Direct debit")


class Assessment(models.Model):
    """The taxes owed for one subject: an import declaration, a traveller's duty paid at
    a gate kiosk (`traveller_declaration`, no company), the duty of a postal parcel
    (`postal_parcel`, no company: the addressee pays on delivery), or a tax-free
    departure collection (nullable declaration + kind + reference)."""

    class Kind(models.TextChoices):
        DECLARATION = "declaration", _("Import declaration")
        TRAVELLER = "traveller", _("Traveller's duty")
        POSTAL = "postal", _("Postal parcel duty")
        TAXFREE = "taxfree", _("Tax-free departure collection")
        DEFERRED_MONTHLY = "deferred_monthly", _("Deferred payment: monthly total")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        DEFERRED = "deferred", _("Covered by deferred payment")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DECLARATION)
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    declaration = models.OneToOneField(
        "declarations.Declaration",
        verbose_name=_("declaration"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessment",
    )
    traveller_declaration = models.OneToOneField(
        "declarations.TravellerDeclaration",
        verbose_name=_("traveller declaration"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessment",
    )
    postal_parcel = models.OneToOneField(
        "xray.Parcel",
        verbose_name=_("postal parcel"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessment",
    )
    company = models.ForeignKey(
        "customs_portal.Company",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    customs_duty_jpy = models.BigIntegerField(_("customs duty (JPY)"), default=0)
    consumption_tax_jpy = models.BigIntegerField(_("consumption tax (JPY)"), default=0)
    local_consumption_tax_jpy = models.BigIntegerField(_("local consumption tax (JPY)"), default=0)
    total_jpy = models.BigIntegerField(_("total (JPY)"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    # A deferred assessment is paid through its month's total (one assessment per
    # company and month, due at the end of the next month).
    deferred_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="deferred_assessments"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "status"])]
        constraints = [
            models.CheckConstraint(
                name="assessment_total_is_sum",
                condition=models.Q(
                    total_jpy=models.F("customs_duty_jpy")
                    + models.F("consumption_tax_jpy")
                    + models.F("local_consumption_tax_jpy")
                ),
            ),
            models.CheckConstraint(
                name="assessment_amounts_not_negative",
                condition=models.Q(
                    customs_duty_jpy__gte=0, consumption_tax_jpy__gte=0, local_consumption_tax_jpy__gte=0
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class PaymentIntent(models.Model):
    """One attempt to pay an assessment through the gateway. Status changes only through
    `payments.services` and its machine, `payments.states.PAYMENT_MACHINE`."""

    class Status(models.TextChoices):
        # The status, not the "Created" (date) column heading the catalogue already has.
        CREATED = "created", pgettext_lazy("payment status", "Created")
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Paid")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
        REFUNDED = "refunded", _("Refunded")

    OPEN_STATUSES = (Status.CREATED, Status.PENDING)
    CAPTURED_STATUSES = (Status.SUCCEEDED, Status.PARTIALLY_REFUNDED, Status.REFUNDED)

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.PROTECT, related_name="payments"
    )
    company = models.ForeignKey(
        "customs_portal.Company", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    amount_jpy = models.BigIntegerField(_("amount (JPY)"))
    refunded_jpy = models.BigIntegerField(_("refunded (JPY)"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CREATED)
    idempotency_key = models.CharField(max_length=100)
    request_fingerprint = models.CharField(max_length=64)
    provider = models.CharField(max_length=20, default="sandbox")
    gateway_token = models.CharField(max_length=64, blank=True, db_index=True)
    redirect_url = models.CharField(max_length=300, blank=True)
    card_last4 = models.CharField(_("card (last 4 digits)"), max_length=4, blank=True)
    # Why the payment failed, as one of the codes of `payments.failures` with its
    # parameters; the message is rendered in the reader's language when shown.
    failure_code = models.CharField(_("failure code"), max_length=40, blank=True)
    failure_params = models.JSONField(default=dict, blank=True)
    expires_at = models.DateTimeField()
    succeeded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["company", "created_at"])]
        constraints = [
            # The Idempotency-Key is unique per payer.
            models.UniqueConstraint(fields=["created_by", "idempotency_key"], name="payment_idempotency_key_unique"),
            # At most one attempt in flight per assessment, and at most one capture:
            # the database refuses a second even if the service's lock were bypassed.
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(status__in=["created", "pending"]),
                name="payment_one_open_per_assessment",
            ),
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(status__in=["succeeded", "partially_refunded", "refunded"]),
                name="payment_one_capture_per_assessment",
            ),
            models.CheckConstraint(name="payment_amount_positive", condition=models.Q(amount_jpy__gt=0)),
            models.CheckConstraint(
                name="payment_refunded_within_amount",
                condition=models.Q(refunded_jpy__gte=0, refunded_jpy__lte=models.F("amount_jpy")),
            ),
        ]

    def __str__(self) -> str:
        return f"PAY-{self.pk:08d}" if self.pk else "PAY-new"

    @property
    def refundable_jpy(self) -> int:
        return self.amount_jpy - self.refunded_jpy if self.status in self.CAPTURED_STATUSES else 0

    @property
    def failure_message(self) -> str:
        """Why the payment failed, in the active language; empty when it did not fail."""
        return failure_message(code=self.failure_code, params=self.failure_params)


class Refund(models.Model):
    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        SUCCEEDED = "succeeded", _("Refunded")
        REJECTED = "rejected", _("Rejected")

    payment = models.ForeignKey(PaymentIntent, on_delete=models.PROTECT, related_name="refunds")
    amount_jpy = models.BigIntegerField(_("amount (JPY)"))
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gateway_refund_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(name="refund_amount_positive", condition=models.Q(amount_jpy__gt=0))]

    def __str__(self) -> str:
        return f"RF-{self.pk:08d}" if self.pk else "RF-new"


class GatewayEvent(models.Model):
    """A webhook notification the portal accepted, kept by the gateway's event id so that
    a duplicate or a replay is recognised and changes nothing."""

    event_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=40)
    gateway_token = models.CharField(max_length=64)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return self.event_id


class Receipt(models.Model):
    """領収証書: one per captured payment, numbered R-<year>-<sequence>."""

    number = models.CharField(_("receipt number"), max_length=20, unique=True)
    payment = models.OneToOneField(PaymentIntent, on_delete=models.PROTECT, related_name="receipt")
    issued_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.number


class Account(models.TextChoices):
    """The chart of accounts. Debits are positive, credits negative."""

    RECEIVABLE = "receivable", _("Taxes receivable")
    REVENUE_DUTY = "revenue:customs_duty", _("Customs duty revenue")
    REVENUE_CONSUMPTION = "revenue:consumption_tax", _("Consumption tax revenue")
    REVENUE_LOCAL = "revenue:local_consumption_tax", _("Local consumption tax revenue")
    DEFERRED_RECEIVABLE = "deferred_receivable", _("Deferred taxes receivable")
    REFUNDS = "refunds", _("Refunds paid")
    FEES = "fees", _("Gateway fees")
    CLEARING_CARD = "clearing:card", _("Card clearing")
    CLEARING_QR = "clearing:qr", _("QR app clearing")
    CLEARING_PAYEASY = "clearing:payeasy", _("Pay-easy clearing")
    CLEARING_DIRECT_DEBIT = "clearing:direct_debit", _("Direct debit clearing")


def clearing_account(method: str) -> str:
    return f"clearing:{method}"


class AppendOnlyModel(models.Model):
    """Ledger rows are never changed or removed; corrections are new entries."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError("The ledger is append-only: post a correcting entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The ledger is append-only: post a correcting entry instead.")


class JournalEntry(AppendOnlyModel):
    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", _("Assessment")
        CAPTURE = "capture", _("Capture")
        REFUND = "refund", _("Refund")
        FEE = "fee", _("Gateway fee")
        CORRECTION = "correction", _("Correction")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Makes posting idempotent: "capture:<payment id>" is posted once whatever retries.
    external_ref = models.CharField(max_length=80, unique=True)
    memo = models.CharField(max_length=200, blank=True)
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="journal_entries")
    payment = models.ForeignKey(
        PaymentIntent, on_delete=models.PROTECT, null=True, blank=True, related_name="journal_entries"
    )
    company = models.ForeignKey("customs_portal.Company", on_delete=models.PROTECT, null=True, blank=True)
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["posted_at", "id"]

    def __str__(self) -> str:
        return self.external_ref


class JournalLine(AppendOnlyModel):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.CharField(max_length=40, choices=Account.choices)
    amount_jpy = models.BigIntegerField()  # debit > 0, credit < 0

    class Meta:
        indexes = [models.Index(fields=["account"])]
        constraints = [models.CheckConstraint(name="journal_line_not_zero", condition=~models.Q(amount_jpy=0))]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.account} {self.amount_jpy}"


class SettlementImport(models.Model):
    """One imported daily settlement file of the gateway; the file's hash is unique, so
    importing the same file again changes nothing."""

    provider = models.CharField(max_length=20, default="sandbox")
    day = models.DateField(_("settlement day"))
    file_sha256 = models.CharField(max_length=64, unique=True)
    rows = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"{self.provider} {self.day:%Y-%m-%d}"


class ReconciliationItem(models.Model):
    """A difference between the gateway's settlement file and the ledger."""

    class Kind(models.TextChoices):
        MISSING_IN_LEDGER = "missing_in_ledger", _("In the settlement file, not in the ledger")
        MISSING_IN_FILE = "missing_in_file", _("In the ledger, not in the settlement file")
        DUPLICATE = "duplicate", _("Duplicate in the settlement file")
        AMOUNT_DIFFERS = "amount_differs", _("Amount differs")

    settlement = models.ForeignKey(SettlementImport, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reference = models.CharField(_("gateway reference"), max_length=64)
    payment = models.ForeignKey(PaymentIntent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ledger_jpy = models.BigIntegerField(_("ledger amount (JPY)"), null=True, blank=True)
    file_jpy = models.BigIntegerField(_("file amount (JPY)"), null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution_note = models.CharField(_("resolution note"), max_length=500, blank=True)

    class Meta:
        ordering = ["resolved_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["settlement", "kind", "reference"], name="reconciliation_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reference}"


class DeferralApproval(models.Model):
    """納期限延長: a company approved to have declarations released before payment, up
    to the security it registered."""

    company = models.OneToOneField("customs_portal.Company", on_delete=models.PROTECT, related_name="deferral")
    security_jpy = models.BigIntegerField(_("registered security (JPY)"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(name="deferral_security_positive", condition=models.Q(security_jpy__gt=0))
        ]

    def __str__(self) -> str:
        return f"{self.company}: ¥{self.security_jpy:,}"
