"""The tariff schedule (effective-dated lines and their rates), the weekly customs
exchange rates, and the declarations with their lines, versions, attachments and
status history."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from declarations.rates import Rate, rate_from_json

validate_tariff_code = RegexValidator(
    r"^[0-9]{9}\Z", _("A Japanese tariff code has 9 digits (6 of the HS and 3 national ones).")
)
validate_currency_code = RegexValidator(r"^[A-Z]{3}\Z", _("A currency is its 3-letter ISO 4217 code, e.g. USD."))


class TariffLine(models.Model):
    """One version of one tariff line. A new version of the same code starts on its
    `valid_from` and closes the previous one the day before (see `tariff_import`)."""

    hs_code = models.CharField(_("tariff code"), max_length=9, validators=[validate_tariff_code])
    description_en = models.CharField(_("description (English)"), max_length=500)
    description_ja = models.CharField(_("description (Japanese)"), max_length=500)
    unit = models.CharField(
        _("unit"), max_length=4, help_text=_("The unit that quantities and specific rates of this line use.")
    )
    reduced_consumption_tax = models.BooleanField(
        _("reduced consumption tax"),
        default=False,
        help_text=_("Food and non-alcoholic drinks: the reduced consumption tax rate applies."),
    )
    small_value_exclusion = models.BooleanField(
        _("excluded from the small-value exemption"),
        default=False,
        help_text=_(
            "Taxed even when the total customs value is ¥10,000 or less (e.g. leather bags, knitwear, footwear)."
        ),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("The last day this version applies; empty while current.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("tariff line")
        verbose_name_plural = _("tariff lines")
        ordering = ["hs_code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["hs_code", "valid_from"], name="tariff_line_one_version_per_day"),
            models.CheckConstraint(
                name="tariff_line_ends_after_it_starts",
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.formatted_code} {self.description_en} ({self.valid_from:%Y-%m-%d})"

    @property
    def formatted_code(self) -> str:
        """The code as the printed schedule writes it: 2204.21-020."""
        return f"{self.hs_code[:4]}.{self.hs_code[4:6]}-{self.hs_code[6:]}"

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class TariffRate(models.Model):
    """One rate of a tariff line: the expression as written and its parsed form."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("General rate")
        WTO = "wto", _("WTO rate")
        GSP = "gsp", _("GSP rate")
        LDC = "ldc", _("LDC rate")
        EPA = "epa", _("EPA rate")

    tariff_line = models.ForeignKey(
        TariffLine, verbose_name=_("tariff line"), on_delete=models.CASCADE, related_name="rates"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    agreement = models.CharField(
        _("agreement"), max_length=20, blank=True, help_text=_("For EPA rates: the agreement, e.g. JP-EU.")
    )
    expression = models.CharField(
        _("rate"), max_length=200, help_text=_("e.g. 12.5%, 156.80 JPY/L, min(15%, 125 JPY/L)")
    )
    parsed = models.JSONField(_("parsed rate"))

    class Meta:
        verbose_name = _("tariff rate")
        verbose_name_plural = _("tariff rates")
        # Insertion order is the CSV's column order (general, wto, gsp, ldc, then the EPAs); ordering
        # by a related field would join the tariff line into every prefetch.
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tariff_line", "kind", "agreement"], name="tariff_rate_one_per_kind"),
            models.CheckConstraint(
                name="tariff_rate_agreement_only_for_epa",
                condition=(models.Q(kind="epa") & ~models.Q(agreement=""))
                | (~models.Q(kind="epa") & models.Q(agreement="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.column}: {self.expression}"

    @property
    def column(self) -> str:
        """The key the duty engine and the CSV use: general, wto, gsp, ldc or epa:JP-EU."""
        return f"epa:{self.agreement}" if self.kind == self.Kind.EPA else self.kind

    @property
    def rate(self) -> Rate:
        return rate_from_json(self.parsed)


class OriginProof(models.TextChoices):
    """How the origin of goods claiming an EPA rate is proven."""

    IMPORTER_DECLARATION = "importer_declaration", _("Importer's self-declaration of origin")
    EXPORTER_DECLARATION = "exporter_declaration", _("Exporter's self-declaration of origin")
    PRODUCER_DECLARATION = "producer_declaration", _("Producer's self-declaration of origin")
    CERTIFICATE = "certificate", _("Certificate of origin")


def week_start_of(day: date) -> date:
    """The Sunday that starts the customs week (Sunday to Saturday) holding `day`."""
    return day - timedelta(days=(day.weekday() + 1) % 7)


class ExchangeRate(models.Model):
    """The customs exchange rate (税関長公示レート) of one currency for one week."""

    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency_code])
    week_start = models.DateField(_("week starting (Sunday)"))
    rate_jpy = models.DecimalField(
        _("yen per unit"), max_digits=18, decimal_places=6, help_text=_("Japanese yen for one unit of the currency.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-week_start", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "week_start"], name="exchange_rate_one_per_week"),
            models.CheckConstraint(name="exchange_rate_positive", condition=models.Q(rate_jpy__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.week_start:%Y-%m-%d}: {self.rate_jpy}"

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    def clean(self) -> None:
        super().clean()
        if self.week_start and week_start_of(self.week_start) != self.week_start:
            raise ValidationError({"week_start": _("Customs weeks start on a Sunday.")})


class Declaration(models.Model):
    """An import or export declaration (輸入/輸出申告), filed by a trader's company.

    Status changes only through `declarations.workflow`, which holds the allowed
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
        _("invoice currency"), max_length=3, default="JPY", validators=[validate_currency_code]
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
    screening_reason = models.TextField(_("screening reason"), blank=True)
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
    hs_code = models.CharField(_("tariff code"), max_length=9, validators=[validate_tariff_code])
    description = models.CharField(_("goods description"), max_length=500)
    origin_country = models.CharField(_("origin country"), max_length=2)
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=8)
    net_weight_kg = models.DecimalField(_("net weight (kg)"), max_digits=14, decimal_places=3)
    invoice_value = models.DecimalField(_("invoice value"), max_digits=16, decimal_places=2)
    preference = models.CharField(_("preference claimed"), max_length=8, choices=Preference.choices, blank=True)
    epa_agreement = models.CharField(_("EPA"), max_length=20, blank=True)
    origin_proof = models.CharField(_("origin proof"), max_length=24, choices=OriginProof.choices, blank=True)
    origin_proof_reference = models.CharField(_("origin proof reference"), max_length=100, blank=True)
    export_licence_number = models.CharField(_("export licence number (METI)"), max_length=50, blank=True)

    # Filled by the duty engine.
    customs_value_jpy = models.BigIntegerField(_("customs value (JPY)"), null=True, blank=True)
    customs_duty_jpy = models.BigIntegerField(_("customs duty (JPY)"), null=True, blank=True)
    rate_applied = models.CharField(_("rate applied"), max_length=100, blank=True)
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

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Declaration.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Declaration.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    reason = models.TextField(blank=True)
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["declaration", "changed_at", "id"]
        indexes = [models.Index(fields=["to_status", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.declaration_id}: {self.from_status} → {self.to_status}"


# --- Export control and digitised applications (issue 3, items 7 and 8) -------------


class ControlledGood(models.Model):
    """A tariff code prefix whose export needs a METI licence (輸出許可)."""

    hs_prefix = models.CharField(
        _("tariff code prefix"),
        max_length=9,
        unique=True,
        validators=[RegexValidator(r"^[0-9]{4,9}\Z", _("A prefix has 4 to 9 digits of the tariff code."))],
    )
    description_en = models.CharField(_("description (English)"), max_length=300)
    description_ja = models.CharField(_("description (Japanese)"), max_length=300, blank=True)
    control_basis = models.CharField(
        _("control basis"), max_length=200, blank=True, help_text=_("e.g. Export Trade Control Order, Table 1, item 2")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("controlled good")
        verbose_name_plural = _("controlled goods")
        ordering = ["hs_prefix"]

    def __str__(self) -> str:
        return f"{self.hs_prefix} {self.description_en}"


class EndUser(models.Model):
    """An entity of METI's Foreign End User List (外国ユーザーリスト)."""

    name = models.CharField(_("name"), max_length=300)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    country = models.CharField(_("country"), max_length=2)
    reason = models.CharField(_("type of concern"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("listed end user")
        verbose_name_plural = _("listed end users")
        ordering = ["country", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "country"], name="end_user_one_per_name_country")]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ApplicationBase(models.Model):
    """What both kinds of application share: the applicant, the status and the decision.
    Status changes only through `declarations.applications`."""

    number = models.CharField(_("application number"), max_length=20, unique=True)
    company = models.ForeignKey(
        "customs_portal.Company", verbose_name=_("company"), on_delete=models.PROTECT, related_name="+"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class DutyReliefApplication(ApplicationBase):
    """A duty reduction or exemption application (減免税明細書)."""

    class Provision(models.TextChoices):
        TEMPORARY_ADMISSION = "customs_tariff_14", _("Customs Tariff Act art. 14 (unconditional exemption)")
        SPECIFIC_USE = "customs_tariff_15", _("Customs Tariff Act art. 15 (specific-use exemption)")
        RE_EXPORT = "customs_tariff_17", _("Customs Tariff Act art. 17 (re-export exemption)")
        RE_IMPORT = "customs_tariff_14_10", _("Customs Tariff Act art. 14 (10) (re-imported goods)")
        PROCESSING = "customs_tariff_11", _("Customs Tariff Act art. 11 (processing or repair)")
        DAMAGED = "customs_tariff_10", _("Customs Tariff Act art. 10 (goods damaged before permit)")
        TEMPORARY_MEASURES = "temporary_measures", _("Act on Temporary Measures concerning Customs")

    provision = models.CharField(_("legal provision claimed"), max_length=30, choices=Provision.choices)
    goods_description = models.TextField(_("goods"))
    declaration = models.ForeignKey(
        Declaration,
        verbose_name=_("declaration"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    amount_claimed_jpy = models.BigIntegerField(_("amount claimed (JPY)"))
    reason = models.TextField(_("reason"))

    class Meta(ApplicationBase.Meta):
        verbose_name = _("duty relief application")
        verbose_name_plural = _("duty relief applications")
        indexes = [models.Index(fields=["company", "status"]), models.Index(fields=["status", "submitted_at"])]
        constraints = [
            models.CheckConstraint(name="duty_relief_amount_positive", condition=models.Q(amount_claimed_jpy__gt=0))
        ]


class IpSuspensionApplication(ApplicationBase):
    """An application for import suspension of goods infringing IP rights (輸入差止申立て)."""

    class RightType(models.TextChoices):
        PATENT = "patent", _("Patent")
        UTILITY_MODEL = "utility_model", _("Utility model")
        DESIGN = "design", _("Design")
        TRADEMARK = "trademark", _("Trademark")
        COPYRIGHT = "copyright", _("Copyright")
        NEIGHBOURING_RIGHT = "neighbouring_right", _("Neighbouring right")
        LAYOUT = "layout", _("Circuit layout")
        PLANT_VARIETY = "plant_variety", _("Plant breeder's right")

    right_holder = models.CharField(_("right holder"), max_length=200)
    right_type = models.CharField(_("right"), max_length=20, choices=RightType.choices)
    registration_number = models.CharField(_("registration number"), max_length=50, blank=True)
    goods_description = models.TextField(_("goods"))
    identification = models.TextField(_("how to identify infringing goods"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))

    class Meta(ApplicationBase.Meta):
        verbose_name = _("IP import suspension application")
        verbose_name_plural = _("IP import suspension applications")
        indexes = [models.Index(fields=["company", "status"]), models.Index(fields=["status", "submitted_at"])]
        constraints = [
            models.CheckConstraint(
                name="ip_suspension_period_ordered", condition=models.Q(valid_until__gte=models.F("valid_from"))
            )
        ]


class IpSuspensionEvidence(models.Model):
    application = models.ForeignKey(IpSuspensionApplication, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to="applications/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["application", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Manifest(models.Model):
    """A bulk manifest of e-commerce parcels uploaded by an express carrier or platform:
    one CSV row per parcel, each imported as a low-value import declaration. Processed
    by `declarations.manifests.manifest_process` in a Celery task: every row is checked
    first, and either all rows are imported in one transaction or none is."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATING = "validating", _("Validating")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        REJECTED = "rejected", _("Rejected")

    company = models.ForeignKey(
        "customs_portal.Company", verbose_name=_("company"), on_delete=models.PROTECT, related_name="manifests"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        "customs_portal.CustomsOffice", verbose_name=_("customs office"), on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("file"), upload_to="manifests/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    encoding = models.CharField(_("encoding"), max_length=16)
    language = models.CharField(_("language of the messages"), max_length=8, default="en")
    declaration_date = models.DateField(_("declaration date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    rows_failed = models.PositiveIntegerField(_("rows with errors"), default=0)
    declarations_created = models.PositiveIntegerField(_("declarations created"), default=0)
    error_summary = models.TextField(_("error summary"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("manifest")
        verbose_name_plural = _("manifests")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A failed manifest (an unreadable file, a race with another upload) may be sent again.
            models.UniqueConstraint(
                fields=["company", "sha256"],
                condition=~models.Q(status="failed"),
                name="manifest_one_per_file_per_company",
            ),
        ]

    def __str__(self) -> str:
        return f"MF-{self.pk} {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.REJECTED)


class ManifestRowError(models.Model):
    """A bad row of a rejected manifest with every reason it was refused. An imported
    manifest keeps no rows here: its result per row is the declaration numbered
    MF-<manifest>-<line>, so 100,000 parcels are not written twice."""

    manifest = models.ForeignKey(Manifest, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("line"))
    house_waybill = models.CharField(_("house waybill"), max_length=64, blank=True)
    errors = models.JSONField(_("errors"), default=list)

    class Meta:
        verbose_name = _("manifest row error")
        verbose_name_plural = _("manifest row errors")
        ordering = ["manifest", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["manifest", "row_number"], name="manifest_row_error_unique"),
        ]

    def __str__(self) -> str:
        return f"MF-{self.manifest_id} line {self.row_number}"
