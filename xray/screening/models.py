"""What the served X-ray model read in an image."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xray.parcels.models import Decision, XrayImage


class ScreeningResult(models.Model):
    """The model's reading of one image: class probabilities, threat score, the decision
    at the operating threshold and the heat map, with everything needed to explain it
    later (model name, version, threshold, input checksum). One per (image, version)."""

    image = models.ForeignKey(XrayImage, verbose_name=_("image"), on_delete=models.PROTECT, related_name="results")
    model_version = models.ForeignKey(
        "customs_portal.ModelVersion", verbose_name=_("model version"), on_delete=models.PROTECT, related_name="+"
    )
    model_name = models.CharField(_("model"), max_length=40)
    model_version_number = models.PositiveIntegerField(_("version"))
    threshold = models.FloatField(_("operating threshold"))
    input_sha256 = models.CharField(max_length=64)
    # {"gun": 0.02, "blade": 0.91, "shuriken": 0.01, "other": 0.06}
    probabilities = models.JSONField(_("class probabilities"))
    top_class = models.CharField(_("most likely"), max_length=20)
    threat_score = models.FloatField(_("threat score"))
    decision = models.CharField(_("model's decision"), max_length=10, choices=Decision.choices)
    heatmap = models.FileField(_("heat map"), upload_to="xray/heatmaps/%Y/%m/", blank=True)
    seconds = models.FloatField(_("inference time (s)"), default=0)
    created_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        verbose_name = _("screening result")
        verbose_name_plural = _("screening results")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["image", "model_version"], name="xray_result_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.image_id} v{self.model_version_number}: {self.threat_score:.3f}"
