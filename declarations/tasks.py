"""Celery entry points of the declarations app, defined by job; importing them here lets
the worker's autodiscovery register them."""

from __future__ import annotations

from declarations.core.tasks import declaration_screen
from declarations.manifests.tasks import manifest_process, manifest_screen, manifest_screen_chunk
from declarations.travellers.tasks import traveller_personal_data_purge_task

__all__ = [
    "declaration_screen",
    "manifest_process",
    "manifest_screen",
    "manifest_screen_chunk",
    "traveller_personal_data_purge_task",
]
