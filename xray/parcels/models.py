"""Postal parcels arriving at an international mail office, their CN22/CN23 declared
contents, the X-ray images of them and the registered scanners that send the images."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scanner(models.Model):
    """A registered X-ray scanner: a device that authenticates with its own token (only
    its SHA-256 is kept) and acts through its service user (role scanner)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    office = models.CharField(_("mail office"), max_length=100)
    label = models.CharField(_("label"), max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(_("token ends with"), max_length=4)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="xray_scanner")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("X-ray scanner")
        verbose_name_plural = _("X-ray scanners")
        ordering = ["office", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Decision(models.TextChoices):
    INSPECT = "inspect", _("Inspect (open)")
    RELEASE = "release", _("Release")


class Parcel(models.Model):
    """One international postal item, known by its UPU S10 item number."""

    class Status(models.TextChoices):
        AWAITING_IMAGE = "awaiting_image", _("Waiting for an X-ray image")
        SCREENING = "screening", _("Being screened")
        SCREENED = "screened", _("Screened, waiting for an officer")
        DECIDED = "decided", _("Decided by an officer")

    class Form(models.TextChoices):
        CN22 = "CN22", _("CN22 (up to 300 SDR)")
        CN23 = "CN23", _("CN23")

    item_number = models.CharField(_("item number"), max_length=13, unique=True)
    origin_country = models.CharField(_("country of origin"), max_length=2)
    sender_name = models.CharField(_("sender"), max_length=200)
    sender_address = models.CharField(_("sender's address"), max_length=300, blank=True)
    addressee_name = models.CharField(_("addressee"), max_length=200)
    addressee_address = models.CharField(_("addressee's address"), max_length=300)
    customs_form = models.CharField(_("customs form"), max_length=4, choices=Form.choices, default=Form.CN23)
    weight_grams = models.PositiveIntegerField(_("weight (g)"))
    declared_value_jpy = models.BigIntegerField(_("declared value (JPY)"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.AWAITING_IMAGE)
    # What the served model said (from the images' results) and what an officer decided.
    machine_decision = models.CharField(_("model's decision"), max_length=10, choices=Decision.choices, blank=True)
    threat_score = models.FloatField(_("threat score"), null=True, blank=True)
    final_decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    # Codes with parameters (xray.screening.reasons): declared contents the image contradicts.
    mismatch_reasons = models.JSONField(_("mismatch reasons"), default=list, blank=True)
    # Picked at random when screened: inspected whatever the model says, so that the
    # model's accuracy can be measured on parcels it did not choose.
    control_sample = models.BooleanField(_("random control sample"), default=False)
    duty_jpy = models.BigIntegerField(_("duty and taxes (JPY)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("postal parcel")
        verbose_name_plural = _("postal parcels")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-threat_score"]),
            models.Index(fields=["decided_at"]),
        ]

    def __str__(self) -> str:
        return self.item_number


class DeclaredItem(models.Model):
    """One line of the parcel's CN22/CN23: what the sender says is inside."""

    parcel = models.ForeignKey(Parcel, verbose_name=_("parcel"), on_delete=models.CASCADE, related_name="items")
    line_number = models.PositiveSmallIntegerField(_("line"))
    description = models.CharField(_("description"), max_length=200)
    hs_code = models.CharField(_("HS code"), max_length=6, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    value_jpy = models.BigIntegerField(_("value (JPY)"))

    class Meta:
        verbose_name = _("declared item")
        verbose_name_plural = _("declared items")
        ordering = ["parcel", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["parcel", "line_number"], name="xray_item_line_unique"),
            models.CheckConstraint(condition=models.Q(value_jpy__gte=0), name="xray_item_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.parcel_id}/{self.line_number}: {self.description}"


class XrayImage(models.Model):
    """One X-ray image of a parcel, as received (metadata stripped), screened in a worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        PROCESSING = "processing", _("Being read by the model")
        DONE = "done", _("Read")
        FAILED = "failed", _("Could not be read")

    parcel = models.ForeignKey(Parcel, verbose_name=_("parcel"), on_delete=models.PROTECT, related_name="images")
    file = models.FileField(_("image"), upload_to="xray/images/%Y/%m/")
    # The checksum of the stored file: the same image sent twice is recognised by it.
    sha256 = models.CharField(max_length=64, unique=True)
    original_format = models.CharField(_("format"), max_length=10)
    original_mode = models.CharField(_("pixel mode"), max_length=10)
    width = models.PositiveIntegerField(_("width (px)"))
    height = models.PositiveIntegerField(_("height (px)"))
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    scanner = models.ForeignKey(
        Scanner, verbose_name=_("scanner"), on_delete=models.PROTECT, null=True, blank=True, related_name="images"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error_code = models.CharField(_("error"), max_length=40, blank=True)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    # When a worker claimed it: an image being read past its lease goes back to the queue.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    processed_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("X-ray image")
        verbose_name_plural = _("X-ray images")
        ordering = ["parcel", "id"]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.parcel_id}: {self.sha256[:12]}"
