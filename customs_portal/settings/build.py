"""Image build (Dockerfile): the production settings, for `collectstatic` only.

Collecting the static files needs production's static configuration (its installed apps
and the manifest storage) but no secret, database or broker, and the image must not
contain any. This module gives production.py placeholder secrets, an in-memory database
and broker, and refuses every command but `collectstatic`: the web server, the workers
and every other command stay on production.py, which has no default secrets.
"""

from __future__ import annotations

import os
import sys

from django.core.exceptions import ImproperlyConfigured

if sys.argv[1:2] != ["collectstatic"]:
    raise ImproperlyConfigured(
        "customs_portal.settings.build serves only `manage.py collectstatic` in the image build."
    )

# Placeholders, not secrets: nothing runs with them but collectstatic, which signs nothing.
os.environ["SECRET_KEY"] = "build-only-placeholder-" + "x" * 40
os.environ["PAYMENTS_GATEWAY_WEBHOOK_SECRET"] = "build-only-placeholder-" + "x" * 16
os.environ["PERSONAL_DATA_HASH_KEY"] = "build-only-placeholder-" + "x" * 16
# A fixed, valid Fernet key and Ed25519 seed (32 zero bytes): placeholders like the rest.
os.environ["PERSONAL_DATA_ENCRYPTION_KEYS"] = "A" * 43 + "="
os.environ["TRAVELLER_TOKEN_SIGNING_KEY"] = "A" * 43 + "="
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ["CELERY_BROKER_URL"] = "memory://"

from customs_portal.settings.production import *  # noqa: E402,F403  (settings modules layer by star import)
