"""Declarations with their lines, frozen versions, attachments and status history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from declarations.tariff import interface as tariff


class Declaration(models.Model):
    """An import or export declaration (輸入/輸出申告), filed by a trader's company.

    Status changes only through `declarations.core.workflow`, which holds the allowed
    transitions; amounts are integer yen computed by the duty engine."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        SCREENING = "screening", _("Screening")
        DOCUMENT_REVIEW = "document_review", _("Document review")
        INSPECTION = "inspection", _("Physical inspection")
        AWAITING_PAYMENT = "awaiting_payment", _("Released after payment")
        PERMITTED = "permitted", _("Permitted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Lane(models.TextChoices):
        GREEN = "green", _("Green: release")
        YELLOW = "yellow", _("Yellow: document review")
        RED = "red", _("Red: physical inspection")

    class TransportMode(models.TextChoices):
        SEA = "sea", _("Sea")
        AIR = "air", _("Air")
        POST = "post", _("Post")
        EXPRESS = "express", _("Express courier")

    class Incoterm(models.TextChoices):
        EXW = "EXW", "EXW"
        FCA = "FCA", "FCA"
        FAS = "FAS", "FAS"
        FOB = "FOB", "FOB"
        CFR = "CFR", "CFR"
        CIF = "CIF", "CIF"
        CPT = "CPT", "CPT"
        CIP = "CIP", "CIP"
        DAP = "DAP", "DAP"
        DPU = "DPU", "DPU"
        DDP = "DDP", "DDP"

    class Source(models.TextChoices):
        PORTAL = "portal", _("Portal form")
        API = "api", _("API")
        MANIFEST = "manifest", _("Bulk manifest")

    number = models.CharField(_("declaration number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    company = models.ForeignKey(
        "customs_portal.Company", verbose_name=_("company"), on_delete=models.PROTECT, related_name="declarations"
    )
    declarant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("declarant"), on_delete=models.PROTECT, related_name="+"
    )
    party_name = models.CharField(_("importer/exporter name"), max_length=200)
    party_corporate_number = models.CharField(_("importer/exporter corporate number"), max_length=13, blank=True)
    consignee_name = models.CharField(_("consignee (export) / consignor (import)"), max_length=200, blank=True)
    consignee_country = models.CharField(_("consignee country"), max_length=2, blank=True)
    office = models.ForeignKey(
        "customs_portal.CustomsOffice", verbose_name=_("customs office"), on_delete=models.PROTECT, related_name="+"
    )
    transport_mode = models.CharField(_("transport mode"), max_length=8, choices=TransportMode.choices)
    vessel_or_flight = models.CharField(_("vessel or flight"), max_length=50, blank=True)
    transport_document = models.CharField(_("B/L or air waybill number"), max_length=50, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=50, blank=True)
    invoice_currency = models.CharField(
        _("invoice currency"), max_length=3, default="JPY", validators=[tariff.validate_currency_code]
    )
    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices, default=Incoterm.CIF)
    freight = models.DecimalField(_("freight"), max_digits=16, decimal_places=2, default=0)
    insurance = models.DecimalField(_("insurance"), max_digits=16, decimal_places=2, default=0)
    declaration_date = models.DateField(_("declaration date"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.PORTAL)
    manifest_reference = models.CharField(
        _("manifest reference"), max_length=64, blank=True, help_text=_("House waybill of a manifest parcel.")
    )

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    lane = models.CharField(_("lane"), max_length=8, choices=Lane.choices, blank=True)
    # Why screening chose the lane, for officers only: codes with parameters
    # (customs_portal.reasons), worded in the reader's language when shown.
    screening_reasons = models.JSONField(_("screening reasons"), default=list, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    # Taxes as the duty engine computed them at the last submission or amendment.
    customs_value_jpy = models.BigIntegerField(_("customs value (JPY)"), null=True, blank=True)
    customs_duty_jpy = models.BigIntegerField(_("customs duty (JPY)"), null=True, blank=True)
    consumption_tax_jpy = models.BigIntegerField(_("consumption tax (JPY)"), null=True, blank=True)
    local_consumption_tax_jpy = models.BigIntegerField(_("local consumption tax (JPY)"), null=True, blank=True)
    total_tax_jpy = models.BigIntegerField(_("total tax (JPY)"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    permitted_at = models.DateTimeField(_("permitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "status"]),
            models.Index(fields=["office", "status", "lane"]),
            models.Index(fields=["submitted_at"]),
            models.Index(fields=["party_corporate_number"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "manifest_reference"],
                condition=~models.Q(manifest_reference=""),
                name="declaration_one_per_manifest_parcel",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.PERMITTED, self.Status.REJECTED, self.Status.WITHDRAWN)


class Preference(models.TextChoices):
    """The tariff treatment a line claims; an EPA claim also names its agreement."""

    BEST = "", _("Best rate without a claim")
    GENERAL = "general", _("General rate")
    WTO = "wto", _("WTO rate")
    GSP = "gsp", _("GSP")
    LDC = "ldc", _("LDC")
    EPA = "epa", _("EPA (name the agreement)")


class DeclarationLine(models.Model):
    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField(_("line"))
    hs_code = models.CharField(_("tariff code"), max_length=9, validators=[tariff.validate_tariff_code])
    description = models.CharField(_("goods description"), max_length=500)
    origin_country = models.CharField(_("origin country"), max_length=2)
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=8)
    net_weight_kg = models.DecimalField(_("net weight (kg)"), max_digits=14, decimal_places=3)
    invoice_value = models.DecimalField(_("invoice value"), max_digits=16, decimal_places=2)
    preference = models.CharField(_("preference claimed"), max_length=8, choices=Preference.choices, blank=True)
    epa_agreement = models.CharField(_("EPA"), max_length=20, blank=True)
    origin_proof = models.CharField(_("origin proof"), max_length=24, choices=tariff.OriginProof.choices, blank=True)
    origin_proof_reference = models.CharField(_("origin proof reference"), max_length=100, blank=True)
    export_licence_number = models.CharField(_("export licence number (METI)"), max_length=50, blank=True)

    # Filled by the duty engine.
    customs_value_jpy = models.BigIntegerField(_("customs value (JPY)"), null=True, blank=True)
    customs_duty_jpy = models.BigIntegerField(_("customs duty (JPY)"), null=True, blank=True)
    rate_applied = models.CharField(_("rate applied"), max_length=100, blank=True)
    # A code (general, wto, gsp, ldc, epa:JP-EU), worded in the reader's language by rate_basis_label.
    rate_basis = models.CharField(_("legal basis"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("declaration line")
        verbose_name_plural = _("declaration lines")
        ordering = ["declaration", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "line_no"], name="declaration_line_number_unique"),
            models.CheckConstraint(name="declaration_line_quantity_positive", condition=models.Q(quantity__gt=0)),
            models.CheckConstraint(
                name="declaration_line_value_not_negative", condition=models.Q(invoice_value__gte=0)
            ),
        ]
        indexes = [models.Index(fields=["hs_code", "origin_country"])]

    def __str__(self) -> str:
        return f"{self.declaration.number}/{self.line_no}"

    @property
    def duty_preference(self) -> str:
        """The preference as the duty engine names it (an EPA by its agreement code)."""
        return self.epa_agreement if self.preference == Preference.EPA else self.preference

    @property
    def rate_basis_label(self) -> str:
        """The legal basis of the rate in the active language."""
        return tariff.basis_label(self.rate_basis) if self.rate_basis else ""

    @property
    def rate_applied_label(self) -> str:
        """The rate applied, “free” in the active language."""
        return tariff.rate_label(self.rate_applied) if self.rate_applied else ""


class DeclarationVersion(models.Model):
    """A frozen copy of a declaration as submitted or amended; never changed."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("snapshot"))
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["declaration", "version"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "version"], name="declaration_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration.number} v{self.version}"


class DeclarationAttachment(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        PACKING_LIST = "packing_list", _("Packing list")
        ORIGIN_DOCUMENT = "origin_document", _("Origin document")
        LICENCE = "licence", _("Licence or permit")
        OTHER = "other", _("Other")

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="declarations/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["declaration", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class DeclarationStatusChange(models.Model):
    """The declaration's timeline; also the data for typical step times per office."""

    class Note:
        """Codes of the notes the portal writes on a status change."""

        IMPORTED_FROM_MANIFEST = "imported_from_manifest"

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Declaration.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Declaration.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    reason = models.TextField(blank=True)  # what a person wrote, shown as written
    # What the portal says about the change, as a code with parameters worded when shown
    # (declarations.core.reasons.status_note_text).
    note_code = models.CharField(max_length=50, blank=True)
    note_params = models.JSONField(default=dict, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["declaration", "changed_at", "id"]
        indexes = [models.Index(fields=["to_status", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.declaration_id}: {self.from_status} → {self.to_status}"
