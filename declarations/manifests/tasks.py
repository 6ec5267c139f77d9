"""Celery entry points of bulk manifests (imported by declarations.tasks so that the
worker's autodiscovery registers them). Their names predate the split of the app into
sub-packages: messages already queued under them, and the ml-queue route, still find
them."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from declarations.manifests import services as manifests

logger = logging.getLogger(__name__)


# A 100,000-row manifest takes well under a minute; the limits leave room for a slow disk.
@shared_task(
    name="declarations.manifest_tasks.manifest_process",
    acks_late=True,
    soft_time_limit=600,
    time_limit=660,
)
def manifest_process(manifest_id: int) -> str:
    """Validates and imports one uploaded manifest; a second run finds it claimed. A
    failure is recorded on the manifest by the service, so nothing is retried here."""
    result = manifests.manifest_process(manifest_id=manifest_id)
    if result == "skipped":
        logger.info("Manifest %s was not waiting for processing; nothing to do.", manifest_id)
    return result


# One chunk of parcels (manifests.SCREEN_CHUNK) per run; the task enqueues itself for the
# next chunk, so a 100,000-parcel manifest never runs into the time limit.
@shared_task(
    name="declarations.manifest_tasks.manifest_screen",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=600,
    time_limit=660,
)
def manifest_screen(manifest_id: int, after_id: int = 0) -> int:
    """Screens the next chunk of an imported manifest's parcels (routed to the ml queue,
    like declaration screening); a rerun skips the parcels already screened."""
    chunk = manifests.manifest_screen(manifest_id=manifest_id, after_id=after_id)
    if chunk.next_after_id is not None:
        manifest_screen.delay(manifest_id, after_id=chunk.next_after_id)
    return chunk.screened
