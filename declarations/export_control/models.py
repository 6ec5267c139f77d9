"""Export control lists: goods that need an export licence and the end-user list."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


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
        _("control basis"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Export Trade Control Order, Appended Table 1 (arms)"),
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
