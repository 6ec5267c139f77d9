"""`make test`: the Makefile passes DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis)."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_URLS", "true")
# Tests run against real PostgreSQL and Redis (`make test` starts them when down).
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/customs_portal")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")

from customs_portal.settings.base import *  # noqa: E402,F403  (settings modules layer by star import)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
# Static files come from the finders; tests never run collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Throttle counts live in the cache: a per-process one keeps them from leaking between
# test runs through a shared Redis (CACHE_URL in docker compose); tests/conftest.py
# clears it before each test.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
