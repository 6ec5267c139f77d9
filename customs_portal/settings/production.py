"""Production: every secret comes from the environment and HTTPS is enforced.

`manage.py check --deploy` passes with these settings (tested).
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("SECURE_SSL_REDIRECT", "true")
os.environ.setdefault("SECURE_COOKIES", "true")
os.environ.setdefault("SECURE_HSTS_SECONDS", str(365 * 24 * 3600))
os.environ.setdefault("BEHIND_TLS_PROXY", "true")

from customs_portal.settings.base import *  # noqa: E402,F403  (settings modules layer by star import)

DEBUG = False
if len(SECRET_KEY) < 50:  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters.")
if len(PAYMENTS_GATEWAY_WEBHOOK_SECRET) < 32:  # noqa: F405  (also refuses the sandbox default)
    raise ImproperlyConfigured(
        "PAYMENTS_GATEWAY_WEBHOOK_SECRET must be set to the payment gateway's signing secret (32+ characters)."
    )
# Personal data and the travellers' QR tokens need their own keys: the SECRET_KEY-derived
# ones of local and test settings would tie them to the session secret.
if len(PERSONAL_DATA_HASH_KEY) < 32:  # noqa: F405
    raise ImproperlyConfigured("PERSONAL_DATA_HASH_KEY must be set to a random string of at least 32 characters.")
if not PERSONAL_DATA_ENCRYPTION_KEYS:  # noqa: F405
    raise ImproperlyConfigured(
        "PERSONAL_DATA_ENCRYPTION_KEYS must list at least one Fernet key "
        "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
    )
if not TRAVELLER_TOKEN_SIGNING_KEY:  # noqa: F405
    raise ImproperlyConfigured(
        "TRAVELLER_TOKEN_SIGNING_KEY must be set to the base64 of a random 32-byte Ed25519 seed "
        "(python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')."
    )
# The sandbox gateway marks payments paid with no money moved: never in production.
if PAYMENTS_SANDBOX_ENABLED or PAYMENTS_GATEWAY_PROVIDER == "sandbox":  # noqa: F405
    raise ImproperlyConfigured(
        "The sandbox payment gateway cannot run in production: unset PAYMENTS_SANDBOX_ENABLED "
        "and set PAYMENTS_GATEWAY_PROVIDER to a real payment provider (or leave it empty)."
    )
# The load balancer probes /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
