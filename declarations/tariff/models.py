"""The tariff schedule (effective-dated lines and their rates) and the weekly customs
exchange rates."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from declarations.tariff import travellers
from declarations.tariff.rates import Rate, rate_from_json

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


class TravellerRuleSet(models.Model):
    """The travellers' duty-free allowances and simplified rates in force from
    `valid_from` until the next set starts. A set that has started is never changed
    or deleted: estimates were made with it."""

    valid_from = models.DateField(_("valid from"), unique=True)
    adult_age = models.PositiveSmallIntegerField(
        _("adult age"), help_text=_("From this age a traveller has the alcohol and tobacco allowances.")
    )
    child_age = models.PositiveSmallIntegerField(
        _("child age"), help_text=_("Under this age a child has allowances only for goods for the child's own use.")
    )
    alcohol_bottles = models.PositiveSmallIntegerField(_("alcohol (bottles)"))
    bottle_ml = models.PositiveIntegerField(_("bottle size (ml)"), help_text=_("A larger bottle counts as several."))
    cigarettes = models.PositiveIntegerField(_("cigarettes (sticks)"))
    cigars = models.PositiveIntegerField(_("cigars"))
    heated_tobacco_packs = models.PositiveIntegerField(_("heated tobacco (packs)"))
    sticks_per_pack = models.PositiveIntegerField(_("sticks per heated tobacco pack"))
    other_tobacco_g = models.PositiveIntegerField(_("other tobacco (g)"))
    perfume_ml = models.PositiveIntegerField(_("perfume (ml)"))
    other_goods_jpy = models.PositiveIntegerField(_("other goods (yen, overseas value)"))
    small_value_per_item_type_jpy = models.PositiveIntegerField(
        _("small-value limit per item type (yen)"),
        help_text=_("Goods of one item type worth this much or less in total are free and not counted."),
    )
    taxable_ratio = models.DecimalField(
        _("taxable ratio"),
        max_digits=4,
        decimal_places=3,
        help_text=_("The taxable value of travellers' goods is this share of their overseas value."),
    )
    article_limit_jpy = models.PositiveIntegerField(
        _("simplified-rate limit per article (yen, taxable value)"),
        help_text=_("An article whose taxable value is over this takes the general rate."),
    )
    source = models.CharField(_("source"), max_length=500, blank=True, help_text=_("Where the figures come from."))
    created_by = models.ForeignKey(
        "customs_portal.User",
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("travellers' rule set")
        verbose_name_plural = _("travellers' rule sets")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                name="traveller_rule_set_child_before_adult", condition=models.Q(child_age__lte=models.F("adult_age"))
            ),
            models.CheckConstraint(
                name="traveller_rule_set_ratio_in_range",
                condition=models.Q(taxable_ratio__gt=0) & models.Q(taxable_ratio__lte=1),
            ),
            models.CheckConstraint(
                name="traveller_rule_set_sizes_positive",
                condition=models.Q(bottle_ml__gt=0) & models.Q(sticks_per_pack__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.valid_from:%Y-%m-%d}"


class TravellerSimplifiedRate(models.Model):
    """The simplified rate of one category of travellers' goods in a rule set; a
    category without one takes the general rate."""

    class Unit(models.TextChoices):
        PER_LITRE = travellers.PER_LITRE, _("yen per litre")
        PER_STICK = travellers.PER_STICK, _("yen per stick")
        PER_PACK = travellers.PER_PACK, _("yen per pack")
        PERCENT = travellers.PERCENT, _("percent of the taxable value")

    rule_set = models.ForeignKey(
        TravellerRuleSet, verbose_name=_("rule set"), on_delete=models.CASCADE, related_name="rates"
    )
    category = models.CharField(_("category"), max_length=30, choices=list(travellers.TRAVELLER_CATEGORIES.items()))
    amount = models.DecimalField(_("rate"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)

    class Meta:
        verbose_name = _("simplified rate")
        verbose_name_plural = _("simplified rates")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "category"], name="traveller_rate_one_per_category"),
            models.CheckConstraint(name="traveller_rate_not_negative", condition=models.Q(amount__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.amount} {self.unit}"
