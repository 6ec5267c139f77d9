"""Officers' decisions on screened parcels (the labels of the next training run), the
threat image projection (TIP) shown to officers, and its settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xray.parcels.models import Decision, Parcel, XrayImage


class Finding(models.TextChoices):
    """What the officer confirmed is in the parcel: the model's classes, or nothing."""

    GUN = "gun", _("Gun")
    BLADE = "blade", _("Blade or knife")
    SHURIKEN = "shuriken", _("Shuriken-like weapon")
    OTHER = "other", _("No threat")


class ParcelReview(models.Model):
    """An officer's decision on a parcel: confirming the model or overriding it (with a
    reason), and after opening, what was found (the image's label for training)."""

    class Reason(models.TextChoices):
        MODEL_AGREED = "model_agreed", _("Agrees with the model")
        IMAGE_CLEAR = "image_clear", _("The image shows nothing of concern")
        SHAPE_OF_CONCERN = "shape_of_concern", _("A shape of concern in the image")
        DECLARATION_MISMATCH = "declaration_mismatch", _("Contents do not match the declaration")
        INTELLIGENCE = "intelligence", _("Intelligence or risk information")
        CONTROL_SAMPLE = "control_sample", _("Random control sample")
        OTHER = "other", _("Other (see note)")

    parcel = models.ForeignKey(Parcel, verbose_name=_("parcel"), on_delete=models.PROTECT, related_name="reviews")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    agrees_with_model = models.BooleanField(_("agrees with the model"))
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # Filled in when the parcel has been opened (or released unopened: "other").
    finding = models.CharField(_("found"), max_length=10, choices=Finding.choices, blank=True)
    model_version_number = models.PositiveIntegerField(_("model version"), null=True, blank=True)
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("parcel review")
        verbose_name_plural = _("parcel reviews")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.parcel_id}: {self.decision}"


class TipPresentation(models.Model):
    """A projected threat shown to an officer in place of a parcel's own image: whether
    the officer flagged it is recorded. The parcel itself is never decided by it."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="+"
    )
    parcel = models.ForeignKey(Parcel, verbose_name=_("parcel"), on_delete=models.PROTECT, related_name="+")
    base_image = models.ForeignKey(XrayImage, verbose_name=_("base image"), on_delete=models.PROTECT, related_name="+")
    projected_class = models.CharField(_("projected threat"), max_length=10, choices=Finding.choices)
    file = models.FileField(_("projected image"), upload_to="xray/tip/%Y/%m/")
    presented_at = models.DateTimeField(_("shown at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    flagged = models.BooleanField(_("flagged by the officer"), null=True)

    class Meta:
        verbose_name = _("TIP presentation")
        verbose_name_plural = _("TIP presentations")
        ordering = ["-presented_at", "-id"]

    def __str__(self) -> str:
        return f"TIP {self.pk} ({self.projected_class})"


class ReviewSettings(models.Model):
    """The screening settings a supervisor changes (one row)."""

    tip_share_percent = models.PositiveSmallIntegerField(_("share of reviews with a projected threat (%)"), default=5)
    control_sample_percent = models.PositiveSmallIntegerField(_("random control sample (%)"), default=2)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("screening settings")
        verbose_name_plural = _("screening settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(tip_share_percent__lte=50), name="xray_tip_share_at_most_50"),
            models.CheckConstraint(condition=models.Q(control_sample_percent__lte=50), name="xray_control_at_most_50"),
        ]

    def __str__(self) -> str:
        return f"TIP {self.tip_share_percent} %, control {self.control_sample_percent} %"
