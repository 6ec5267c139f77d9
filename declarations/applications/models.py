"""Digitised applications: duty relief and IP-rights import suspension, with evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from declarations.core.models import Declaration


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
