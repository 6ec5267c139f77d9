"""`make run`: debug on, SQLite and the file broker unless the environment says otherwise."""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("API_DOCS_REQUIRE_LOGIN", "false")
os.environ.setdefault("SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_URLS", "true")
os.environ.setdefault("PAYMENTS_SANDBOX_ENABLED", "true")

from customs_portal.settings.base import *  # noqa: E402,F403  (settings modules layer by star import)

# `make run` serves static files straight from the finders, without collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
