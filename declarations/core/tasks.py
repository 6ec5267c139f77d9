"""Celery entry points of the declarations app."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from declarations.core.services import submission

logger = logging.getLogger(__name__)


# The name predates the split of the app into sub-packages: messages already queued under
# it, and the ml-queue route, must still find this task.
@shared_task(
    name="declarations.tasks.declaration_screen",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def declaration_screen(declaration_id: int) -> str:
    """Screens a submitted declaration: the risk model (or the interim rule) picks its lane."""
    result = submission.declaration_screen(declaration_id=declaration_id)
    if result == "skipped":
        logger.info("Declaration %s was not waiting for screening; nothing to do.", declaration_id)
    return result
