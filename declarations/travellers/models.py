"""Travellers entering Japan: the baggage declaration (Customs Form C5360) filled in on
a phone, the gate kiosks that read its QR code, their decisions, and the gate's risk
rules. Personal data is kept only as a keyed hash (look-up) and an encrypted copy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Airport(models.TextChoices):
    """The airports with electronic declaration gates (reference §6)."""

    CTS = "CTS", _("New Chitose")
    NRT = "NRT", _("Narita")
    HND = "HND", _("Haneda")
    NGO = "NGO", _("Chubu Centrair")
    KIX = "KIX", _("Kansai")
    FUK = "FUK", _("Fukuoka")
    OKA = "OKA", _("Naha")


class Lane(models.TextChoices):
    GATE = "gate", _("Gate (green)")
    DESK = "desk", _("Officer desk (red)")


class TravellerDeclaration(models.Model):
    """One Form C5360: a traveller and the family members travelling together."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for the kiosk")
        AWAITING_PAYMENT = "awaiting_payment", _("Duty to pay at the kiosk")
        GATE = "gate", _("Through the gate")
        DESK = "desk", _("Sent to the officer desk")
        CLEARED = "cleared", _("Cleared by an officer")
        DETAINED = "detained", _("Goods detained")

    reference = models.CharField(_("reference"), max_length=16, unique=True)
    # Chosen by the phone, so that a declaration sent again after the network dropped
    # is recognised instead of filed twice.
    client_id = models.UUIDField(unique=True)
    request_fingerprint = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    language = models.CharField(_("language"), max_length=8, default="ja")
    passport_hash = models.CharField(max_length=64, db_index=True, blank=True)
    # Name, passport number, date of birth, address and phone in Japan (Fernet).
    personal_encrypted = models.TextField(blank=True)
    nationality = models.CharField(_("nationality"), max_length=3, blank=True)
    declarant_age = models.PositiveSmallIntegerField(_("age of the declarant"), null=True)
    flight_number = models.CharField(_("flight"), max_length=8)
    embarkation = models.CharField(_("point of embarkation"), max_length=3)
    arrival_airport = models.CharField(_("arrival airport"), max_length=3, choices=Airport.choices)
    arrival_date = models.DateField(_("date of arrival"))
    family_adults = models.PositiveSmallIntegerField(_("family members aged 20 or over"), default=0)
    family_minors = models.PositiveSmallIntegerField(_("family members aged 6 to 19"), default=0)
    family_infants = models.PositiveSmallIntegerField(_("family members under 6"), default=0)
    # The yes/no questions of side A, by key (declarations.travellers.questions).
    answers = models.JSONField(_("answers"), default=dict)
    unaccompanied_packages = models.PositiveSmallIntegerField(_("unaccompanied packages"), default=0)
    # Side B: the goods over the allowance, as entered (category, quantity, value...).
    items = models.JSONField(_("goods"), default=list, blank=True)
    # The estimate shown before confirming, as computed then (codes, amounts).
    estimate = models.JSONField(_("estimate"), default=dict, blank=True)
    duty_jpy = models.BigIntegerField(_("duty estimate (JPY)"), default=0)
    assessed_by_customs = models.BooleanField(_("goods for customs to assess"), default=False)
    token = models.TextField(blank=True)
    token_expires_at = models.DateTimeField(_("QR code valid until"))
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    purge_after = models.DateTimeField(_("personal data erased after"))
    purged_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("traveller declaration")
        verbose_name_plural = _("traveller declarations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "arrival_airport"]),
            models.Index(fields=["purge_after"], condition=models.Q(purged_at__isnull=True), name="traveller_to_purge"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def family_size(self) -> int:
        return 1 + self.family_adults + self.family_minors + self.family_infants


class Kiosk(models.Model):
    """An electronic declaration terminal: a registered device that authenticates with
    its own token (only its SHA-256 is kept). Payments taken at the kiosk are made by
    its service user."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    airport = models.CharField(_("airport"), max_length=3, choices=Airport.choices)
    terminal = models.CharField(_("terminal"), max_length=20)
    label = models.CharField(_("label"), max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(_("token ends with"), max_length=4)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kiosk")
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
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        ordering = ["airport", "terminal", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class KioskDecision(models.Model):
    """What a kiosk decided for one scan. A retry of the same request (same kiosk and
    request key) gets the same decision back."""

    kiosk = models.ForeignKey(Kiosk, verbose_name=_("kiosk"), on_delete=models.PROTECT, related_name="decisions")
    request_key = models.CharField(max_length=64)
    declaration = models.ForeignKey(
        TravellerDeclaration,
        verbose_name=_("declaration"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kiosk_decisions",
    )
    lane = models.CharField(_("lane"), max_length=8, choices=Lane.choices)
    # Why: {"code", "params", "told"} dicts (declarations.travellers.reasons); "told" marks
    # what the traveller may be told. Risk rules, random picks and watch lists are not.
    reasons = models.JSONField(_("reasons"), default=list)
    duty_jpy = models.BigIntegerField(_("duty to pay (JPY)"), default=0)
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("kiosk decision")
        verbose_name_plural = _("kiosk decisions")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["kiosk", "request_key"], name="kiosk_decision_request_unique"),
        ]
        indexes = [models.Index(fields=["lane", "kiosk"])]

    def __str__(self) -> str:
        return f"{self.kiosk_id}/{self.request_key}"


class GateRiskRule(models.Model):
    """A rule of the gate, in force from `valid_from` until `valid_until` (open-ended when
    empty). Rules are never edited: a supervisor ends one and adds another."""

    class Kind(models.TextChoices):
        RANDOM_SHARE = "random_share", _("Random share of travellers")
        FLIGHT = "flight", _("Flight")
        ORIGIN = "origin", _("Point of embarkation")
        ANSWER = "answer", _("Answer that sends to the desk")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The flight number, the embarkation code or the answer key; empty for a random share.
    value = models.CharField(_("value"), max_length=20, blank=True)
    share_percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ended by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("gate risk rule")
        verbose_name_plural = _("gate risk rules")
        ordering = ["kind", "value", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                name="gate_rule_share_in_range",
                condition=models.Q(share_percent__isnull=True) | models.Q(share_percent__gte=0, share_percent__lte=100),
            ),
            models.CheckConstraint(
                name="gate_rule_dates_in_order",
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gt=models.F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value or self.share_percent}"


class WatchListEntry(models.Model):
    """A passport an officer wants to see at the desk, by its keyed hash only."""

    passport_hash = models.CharField(max_length=64, db_index=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ended by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("watch list entry")
        verbose_name_plural = _("watch list entries")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"watch {self.passport_hash[:8]}"


class TravellerOfficerDecision(models.Model):
    """An officer's decision on a declaration sent to the desk."""

    class Outcome(models.TextChoices):
        CLEARED = "cleared", _("Cleared, nothing to pay")
        DUTY_COLLECTED = "duty_collected", _("Cleared, duty collected")
        DETAINED = "detained", _("Goods detained")

    declaration = models.ForeignKey(TravellerDeclaration, on_delete=models.PROTECT, related_name="officer_decisions")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    duty_jpy = models.BigIntegerField(_("duty collected (JPY)"), default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("officer decision")
        verbose_name_plural = _("officer decisions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.declaration_id}: {self.outcome}"
