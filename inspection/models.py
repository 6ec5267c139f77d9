"""Risk scoring: the import history the models learn from (WCO BACUDA columns), every
stored prediction, and the officers' results that become labels. The versions of the
risk model are `customs_portal.ModelVersion` rows named "risk"."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HistoricalDeclaration(models.Model):
    """One past declaration line in the column format of the WCO BACUDA / DATE data.

    Amounts are in yen; `illicit` and `revenue` (the additional duty found) are the labels."""

    class Source(models.TextChoices):
        BACUDA = "bacuda", _("BACUDA import")
        SYNTHETIC = "synthetic", _("Synthetic demo data")
        PORTAL = "portal", _("Portal inspection result")

    sgd_id = models.CharField(_("declaration id"), max_length=40, unique=True)
    sgd_date = models.DateField(_("declaration date"), db_index=True)
    importer_id = models.CharField(_("importer id"), max_length=40)
    declarant_id = models.CharField(_("declarant id"), max_length=40)
    country = models.CharField(_("origin country"), max_length=8)
    office_id = models.CharField(_("office id"), max_length=16)
    tariff_code = models.CharField(_("tariff code"), max_length=16)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    gross_weight = models.DecimalField(_("gross weight (kg)"), max_digits=18, decimal_places=3)
    fob_value = models.DecimalField(_("FOB value"), max_digits=18, decimal_places=2)
    cif_value = models.DecimalField(_("CIF value"), max_digits=18, decimal_places=2)
    total_taxes = models.DecimalField(_("total taxes"), max_digits=18, decimal_places=2)
    illicit = models.BooleanField(_("illicit"))
    revenue = models.DecimalField(_("additional revenue found"), max_digits=18, decimal_places=2)
    description = models.CharField(_("goods description"), max_length=500, blank=True)
    aeo = models.BooleanField(_("AEO importer"), default=False, help_text=_("The importer was AEO on that date."))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.BACUDA)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("historical declaration")
        verbose_name_plural = _("historical declarations")
        ordering = ["sgd_date", "sgd_id"]
        constraints = [
            models.CheckConstraint(
                name="history_amounts_not_negative",
                condition=models.Q(quantity__gte=0, gross_weight__gte=0, fob_value__gte=0, cif_value__gte=0)
                & models.Q(total_taxes__gte=0, revenue__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return self.sgd_id


class RiskScore(models.Model):
    """The prediction for one version of one declaration by one model version (or the rule)."""

    declaration = models.ForeignKey(
        "declarations.Declaration", verbose_name=_("declaration"), on_delete=models.CASCADE, related_name="risk_scores"
    )
    declaration_version = models.PositiveIntegerField(_("declaration version"))
    model_version = models.ForeignKey(
        "customs_portal.ModelVersion",
        verbose_name=_("model version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    model_label = models.CharField(_("scored by"), max_length=60, help_text=_("risk:3, or rule"))
    probability = models.FloatField(_("probability of a discrepancy"))
    predicted_revenue_jpy = models.BigIntegerField(_("additional revenue if a discrepancy is found (JPY)"))
    expected_revenue_jpy = models.BigIntegerField(_("expected additional revenue (JPY)"), db_index=True)
    pick_share = models.FloatField(
        _("picked within"),
        null=True,
        blank=True,
        help_text=_("The smallest share of declarations inspected at which the served ranking picks this one."),
    )
    threshold_jpy = models.BigIntegerField(_("red-lane threshold (JPY)"), null=True, blank=True)
    lane = models.CharField(_("lane"), max_length=8)
    exploration = models.BooleanField(_("chosen to learn"), default=False)
    reasons = models.JSONField(_("top reasons"), default=list)
    features = models.JSONField(_("feature values"), default=dict)
    suspected_correction = models.JSONField(_("suspected correction"), default=dict, blank=True)
    office = models.ForeignKey(
        "customs_portal.CustomsOffice", on_delete=models.PROTECT, related_name="+", verbose_name=_("customs office")
    )
    scored_on = models.DateField(_("scored on"), db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("risk score")
        verbose_name_plural = _("risk scores")
        ordering = ["-expected_revenue_jpy", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "declaration_version", "model_label"], name="risk_score_one_per_model_version"
            ),
        ]
        indexes = [models.Index(fields=["office", "scored_on", "lane"])]

    def __str__(self) -> str:
        return f"{self.declaration_id} v{self.declaration_version} {self.model_label}"


class InspectionResult(models.Model):
    """What an officer found in one version of a declaration: the label the next model
    learns, on that version's lines."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("Physical inspection")
        POST_CLEARANCE_AUDIT = "post_clearance_audit", _("Post-clearance audit")

    class Outcome(models.TextChoices):
        NO_DISCREPANCY = "no_discrepancy", _("No discrepancy")
        DISCREPANCY = "discrepancy", _("Discrepancy found")

    class FraudType(models.TextChoices):
        NONE = "", _("None")
        UNDERVALUATION = "undervaluation", _("Undervaluation")
        MISCLASSIFICATION = "misclassification", _("Tariff misclassification")
        ORIGIN = "origin", _("False origin or preference claim")
        QUANTITY = "quantity", _("Quantity misdeclared")
        OTHER = "other", _("Other")

    declaration = models.ForeignKey(
        "declarations.Declaration", verbose_name=_("declaration"), on_delete=models.CASCADE, related_name="+"
    )
    declaration_version = models.PositiveIntegerField(
        _("declaration version"), help_text=_("The version of the declaration that was inspected or audited.")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    additional_duty_jpy = models.BigIntegerField(_("additional duty and taxes found (JPY)"), default=0)
    fraud_type = models.CharField(_("fraud type"), max_length=20, choices=FraudType.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "kind"], name="inspection_result_one_per_kind"),
            models.CheckConstraint(
                name="inspection_result_amount_not_negative", condition=models.Q(additional_duty_jpy__gte=0)
            ),
            models.CheckConstraint(
                name="inspection_result_discrepancy_has_type",
                condition=models.Q(outcome="no_discrepancy", additional_duty_jpy=0, fraud_type="")
                | (models.Q(outcome="discrepancy") & ~models.Q(fraud_type="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id} {self.kind}: {self.outcome}"
