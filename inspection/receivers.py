"""Signal receivers that connect the shared model registry to risk scoring."""

from __future__ import annotations

from customs_portal.models import ModelVersion
from inspection import services, tasks


def risk_rescore_on_promotion(*, model_version: ModelVersion, **kwargs) -> None:
    """A newly served risk model version rescores the open declarations (on the ml queue);
    the promotion of another model changes nothing here."""
    if model_version.name != services.MODEL_NAME:
        return
    tasks.risk_rescore_open.delay(model_version.pk)
