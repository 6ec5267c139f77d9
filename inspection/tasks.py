"""Celery entry points of the inspection app (queue `ml`, see CELERY_TASK_ROUTES)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from customs_portal.errors import ApplicationError
from customs_portal.models import ModelVersion
from inspection import services

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=10, max_retries=3, soft_time_limit=1800, time_limit=2000)
def risk_model_retrain() -> str:
    """Weekly retrain; the new version is served only if it is not worse on the hold-out."""
    try:
        version = services.risk_model_train(system="weekly-retrain")
    except ApplicationError as exc:
        logger.warning("Weekly retrain skipped: %s", exc.message)
        return "skipped"
    return f"{version.label} {version.status}"


@shared_task(autoretry_for=(OperationalError,), retry_backoff=10, max_retries=3, soft_time_limit=1800, time_limit=2000)
def risk_rescore_open(model_version_id: int) -> int:
    """Rescores open declarations after a promotion; safe to rerun (one score per version)."""
    model_version = ModelVersion.objects.filter(
        pk=model_version_id, name=services.MODEL_NAME, status=ModelVersion.Status.ACTIVE
    ).first()
    if model_version is None:
        logger.info("Model version %s is not active any more; nothing to rescore.", model_version_id)
        return 0
    return services.risk_rescore_open(model_version=model_version)
