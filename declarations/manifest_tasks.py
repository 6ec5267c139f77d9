"""Celery entry point of bulk manifests (imported by declarations.tasks so that the
worker's autodiscovery registers it)."""

from __future__ import annotations

import logging

from celery import shared_task

from declarations import manifests

logger = logging.getLogger(__name__)


# A 100,000-row manifest takes well under a minute; the limits leave room for a slow disk.
@shared_task(
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
