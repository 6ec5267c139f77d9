"""Two test runs on one machine use their own database, Redis keys and Celery queues."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

SHOW = """
import json
import pytest
from django.conf import settings
from django.db import connection
print(json.dumps({
    "database": settings.DATABASES["default"]["TEST"]["NAME"],
    "prefix": settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"],
    "results_prefix": settings.CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS["global_keyprefix"],
    "queues": settings.CELERY_TEST_QUEUES,
    "media": str(settings.MEDIA_ROOT),
    "ml": str(settings.ML_ARTEFACT_ROOT),
}))
"""


def _run_settings(**env: str) -> dict:
    clean = {key: value for key, value in os.environ.items() if key != "TEST_RUN_ID"}
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "customs_portal.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_two_runs_get_their_own_database_redis_keys_and_queues():
    first, second = _run_settings(), _run_settings()
    for key in ("database", "prefix", "results_prefix", "media", "ml"):
        assert first[key] != second[key]
    assert not set(first["queues"]) & set(second["queues"])


def test_a_run_id_from_the_environment_names_everything_of_the_run():
    shown = _run_settings(TEST_RUN_ID="ci42")
    assert shown["database"].startswith("test_") and shown["database"].endswith("_ci42")
    assert shown["prefix"] == shown["results_prefix"] == "test-ci42:"
    assert shown["queues"] == ["celery-ci42", "ml-ci42", "xray-ci42"]
    # Never `make run`'s var/ml: a test that trains version 1 would overwrite its model.
    assert shown["ml"] == str(ROOT / "var" / "test-runs" / "ci42" / "ml")
    assert shown["media"] == str(ROOT / "var" / "test-runs" / "ci42" / "media")


@pytest.mark.django_db
def test_this_run_and_its_workers_share_one_run_id():
    # The workers of tests/celery_worker.py inherit the environment, and so the run id.
    run_id = os.environ["TEST_RUN_ID"]
    assert settings.CELERY_TASK_DEFAULT_QUEUE == f"celery-{run_id}"
    assert connection.settings_dict["NAME"].endswith(f"_{run_id}")
