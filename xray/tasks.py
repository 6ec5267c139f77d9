"""Celery entry points of the X-ray app (queue "xray", see CELERY_TASK_ROUTES)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from xray.screening import services

logger = logging.getLogger(__name__)

# A database or storage hiccup is worth another try; a broken image is recorded on its
# row by the service instead (and retried there up to XRAY_SCREEN_MAX_ATTEMPTS).
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


class ImageRetry(Exception):
    """The image could not be decoded this time; it is queued again for the next try."""


@shared_task(
    bind=True,
    name="xray.tasks.xray_screen",
    acks_late=True,
    autoretry_for=(*TRANSIENT, ImageRetry),
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=240,
    time_limit=300,
)
def xray_screen(self, image_id: int) -> dict[str, int]:
    """Reads the image (with other queued ones, in one batch) with the served model."""
    outcome = services.xray_images_screen(image_ids=[image_id])
    if image_id in outcome.retry and self.request.retries < settings.XRAY_SCREEN_MAX_ATTEMPTS:
        raise ImageRetry(f"X-ray image {image_id} could not be decoded; tried again later.")
    return {"screened": len(outcome.screened), "failed": len(outcome.failed), "no_model": int(outcome.no_model)}


@shared_task(name="xray.tasks.xray_screening_requeue", soft_time_limit=50, time_limit=60)
def xray_screening_requeue() -> int:
    """Queues again the images whose task was lost or whose worker died (the beat task)."""
    return services.xray_screening_requeue()


@shared_task(name="xray.tasks.xray_demo_model_train", soft_time_limit=1500, time_limit=1800)
def xray_demo_model_train() -> str:
    """Trains and serves the demo's first model on synthetic parcels, unless a version is
    served already (`make run` queues it; the images waiting are read once it is served)."""
    from xray import demo

    return demo.demo_model_train()
