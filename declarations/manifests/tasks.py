"""Celery entry points of bulk manifests (imported by declarations.tasks so that the
worker's autodiscovery registers them). Their names predate the split of the app into
sub-packages: messages already queued under them, and the ml-queue route, still find
them."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.db import OperationalError

from declarations.manifests import screening
from declarations.manifests import services as manifests

logger = logging.getLogger(__name__)


# A 100,000-row manifest takes well under a minute; the limits leave room for a slow disk.
@shared_task(
    bind=True,
    name="declarations.manifest_tasks.manifest_process",
    acks_late=True,
    max_retries=None,
    soft_time_limit=600,
    time_limit=660,
)
def manifest_process(self, manifest_id: int) -> str:
    """Validates and imports one uploaded manifest. While another run holds its lease
    this retries when that lease would expire, so a run whose worker died is taken over;
    a failure is recorded on the manifest by the service and not retried."""
    result = manifests.manifest_process(manifest_id=manifest_id)
    if result == "skipped":
        wait = manifests.manifest_lease_wait(manifest_id=manifest_id)
        if wait is not None:
            raise self.retry(countdown=wait + 1)
        logger.info("Manifest %s was not waiting for processing; nothing to do.", manifest_id)
    return result


@shared_task(name="declarations.manifest_tasks.manifest_resume_stalled", soft_time_limit=60, time_limit=90)
def manifest_resume_stalled() -> int:
    """Queues again the manifests whose run stopped renewing its lease (see the beat
    schedule)."""
    manifest_ids = manifests.manifests_stalled()
    for manifest_id in manifest_ids:
        manifest_process.delay(manifest_id)
    return len(manifest_ids)


def manifest_screen_chunks_queue(chunk_ids: list[int]) -> None:
    """Queues the screening of each chunk (the import calls this on commit)."""
    for chunk_id in chunk_ids:
        manifest_screen_chunk.delay(chunk_id)


# Queued by the import before chunks existed, and still the way to restart the screening
# of a manifest by hand: plans its chunks if it has none and queues those still pending.
@shared_task(name="declarations.manifest_tasks.manifest_screen", acks_late=True, soft_time_limit=60, time_limit=90)
def manifest_screen(manifest_id: int, after_id: int = 0) -> int:
    """Queues the pending screening chunks of an imported manifest (`after_id`, from
    messages queued by an older release, is ignored: every pending chunk is queued)."""
    chunk_ids = screening.manifest_screening_plan_missing(manifest_id=manifest_id)
    manifest_screen_chunks_queue(chunk_ids)
    return len(chunk_ids)


# One chunk (MANIFEST_SCREEN_CHUNK parcels, 5,000 by default) takes seconds; the limits
# leave room for a loaded machine. A lost database retries with backoff; anything else
# is handled per parcel inside the service (a parcel that cannot be screened waits).
@shared_task(
    name="declarations.manifest_tasks.manifest_screen_chunk",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=600,
    time_limit=660,
)
def manifest_screen_chunk(chunk_id: int) -> int:
    """Screens one chunk of a manifest's parcels (ml queue); a second run finds the chunk
    locked or its parcels screened, and does nothing."""
    result = screening.manifest_chunk_screen(chunk_id=chunk_id)
    if result.skipped:
        logger.info("Screening chunk %s is gone or taken by another run; nothing to do.", chunk_id)
    return result.screened


@shared_task(name="declarations.manifest_tasks.manifest_screening_requeue", soft_time_limit=60, time_limit=90)
def manifest_screening_requeue() -> int:
    """Queues again the screening chunks whose task was lost (see the beat schedule)."""
    chunk_ids = screening.manifest_screening_stalled(older_than=timedelta(minutes=10))
    manifest_screen_chunks_queue(chunk_ids)
    return len(chunk_ids)
