"""The broker's visibility timeout agrees with the tasks' time limits."""

from __future__ import annotations

from django.conf import settings

from customs_portal.celery import app


def test_every_task_ends_within_the_visibility_timeout_so_none_is_given_out_twice_while_running():
    app.loader.import_default_modules()
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert len(ours) > 10
    for name, task in ours.items():
        limit = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        assert limit < timeout, name


def test_a_manifest_lease_is_far_shorter_than_the_visibility_timeout():
    assert settings.MANIFEST_LEASE_SECONDS * 10 < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
