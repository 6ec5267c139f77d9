"""Celery entry points of the travellers' package."""

from __future__ import annotations

from celery import shared_task

from declarations.travellers.services import traveller_personal_data_purge


@shared_task(name="declarations.traveller_tasks.traveller_personal_data_purge", soft_time_limit=240, time_limit=300)
def traveller_personal_data_purge_task() -> int:
    """Erases the personal data of declarations past their retention date."""
    return traveller_personal_data_purge()
