"""Starts a real Celery worker process against the test database and Redis."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def running_worker(*, concurrency: int = 1, **extra_env: str) -> Iterator[subprocess.Popen]:
    """A worker on the test database; stopped (warm shutdown) on exit.

    The caller's test must use `django_db(transaction=True)` so the worker sees its rows.
    """
    from customs_portal.celery import app

    db = settings.DATABASES["default"]
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{connection.settings_dict['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "customs_portal.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "WORKER_HEARTBEAT_SECONDS": "1",
        **extra_env,
    }
    # Tasks left by earlier tests (a demo seeded without a worker queues the X-ray demo
    # model's training) must not run against this database. `purge()` empties only the
    # queues the app declares, so every queue of this run is emptied by name; the queues
    # are this run's own (settings/test.py), so another run's tasks stay where they are.
    with app.connection_for_write() as broker:
        for queue in settings.CELERY_TEST_QUEUES:
            broker.default_channel.queue_purge(queue)
    hostname = f"test-{uuid.uuid4().hex[:8]}@%h"
    log = tempfile.NamedTemporaryFile("w+", prefix="celery-worker-", suffix=".log", delete=False)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "customs_portal",
            "worker",
            "-Q",
            ",".join(settings.CELERY_TEST_QUEUES),
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            "-n",
            hostname,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker.log_path = log.name
    try:
        yield worker
    finally:
        stop_worker(worker)


def stop_worker(worker: subprocess.Popen, timeout: float = 30) -> str:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return Path(worker.log_path).read_text(errors="replace")


def wait_until(predicate, *, timeout: float = 30, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Condition not met within {timeout} s")
