"""Signal receivers that connect the shared model registry to risk scoring."""

from __future__ import annotations

from customs_portal.models import ModelVersion
from customs_portal.outbox import outbox_enqueue
from inspection import services, tasks


def risk_rescore_on_promotion(*, model_version: ModelVersion, **kwargs) -> None:
    """A newly served risk model version rescores the open declarations (on the ml queue):
    the task is written to the outbox in the promotion's own transaction, so a promotion
    that commits always leads to its rescore. The promotion of another model changes
    nothing here."""
    if model_version.name != services.MODEL_NAME:
        return
    outbox_enqueue(tasks.risk_rescore_open.name, model_version.pk, key=f"risk_rescore_open:{model_version.pk}")
