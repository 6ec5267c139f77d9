"""`make test`: the Makefile passes DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis).

Two test runs can share one machine: each run has its own id (TEST_RUN_ID, random unless
set), which names its test database, prefixes its Redis keys and names its Celery queues.
The id is put into the environment, so the Celery workers the tests start share it.
"""

from __future__ import annotations

import os
import secrets

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_URLS", "true")
os.environ.setdefault("PAYMENTS_SANDBOX_ENABLED", "true")
# Tests run against real PostgreSQL and Redis (`make test` starts them when down).
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/customs_portal")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
TEST_RUN_ID = os.environ.setdefault("TEST_RUN_ID", secrets.token_hex(4))
os.environ.setdefault("API_DOCS_REQUIRE_LOGIN", "false")

from customs_portal.settings.base import *  # noqa: E402,F403  (settings modules layer by star import)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Uploads and model artefacts of this run, apart from `make run`'s and other runs' (a
# test that trains version 1 of a model must not overwrite another's version 1);
# tests/conftest.py removes the folder at the end of the run.
TEST_RUN_DIR = VAR_DIR / "test-runs" / TEST_RUN_ID  # noqa: F405
MEDIA_ROOT = TEST_RUN_DIR / "media"
ML_ARTEFACT_ROOT = env.path("ML_ARTEFACT_ROOT", default=str(TEST_RUN_DIR / "ml"))  # noqa: F405
# Static files come from the finders; tests never run collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Throttle counts live in the cache: a per-process one keeps them from leaking between
# test runs through a shared Redis (CACHE_URL in docker compose); tests/conftest.py
# clears it before each test.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# This run's own test database (pytest-django creates it and drops it at the end).
DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{TEST_RUN_ID}"}  # noqa: F405
# This run's own Redis keys and Celery queues: a purge or a worker of another run never
# touches this run's tasks, results or unacknowledged messages.
if CELERY_BROKER_URL.startswith("redis"):  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": f"test-{TEST_RUN_ID}:"}  # noqa: F405
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
        **CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS,  # noqa: F405
        "global_keyprefix": f"test-{TEST_RUN_ID}:",
    }
CELERY_TASK_DEFAULT_QUEUE = f"celery-{TEST_RUN_ID}"
CELERY_TASK_ROUTES = {
    pattern: {**route, "queue": f"{route['queue']}-{TEST_RUN_ID}"}
    for pattern, route in CELERY_TASK_ROUTES.items()  # noqa: F405
}
CELERY_TEST_QUEUES = sorted({CELERY_TASK_DEFAULT_QUEUE} | {route["queue"] for route in CELERY_TASK_ROUTES.values()})
