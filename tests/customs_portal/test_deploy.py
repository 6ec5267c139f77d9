"""Production settings pass Django's deployment checklist and refuse weak secrets."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_keys() -> dict[str, str]:
    """Fresh keys for personal data and the travellers' QR tokens, as a deployment has."""
    from cryptography.fernet import Fernet

    return {
        "PERSONAL_DATA_HASH_KEY": secrets.token_urlsafe(48),
        "PERSONAL_DATA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "TRAVELLER_TOKEN_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' fixture (tests/browser.py) for
    # this test process only, and the sandbox gateway by the test settings; a production
    # check must inherit neither.
    inherited = (
        "SECRET_KEY",
        "DEBUG",
        "PAYMENTS_GATEWAY_WEBHOOK_SECRET",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "PAYMENTS_SANDBOX_ENABLED",
        "PAYMENTS_GATEWAY_PROVIDER",
    )
    clean_env = {key: value for key, value in os.environ.items() if key not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, "DJANGO_SETTINGS_MODULE": "customs_portal.settings.production", **production_keys(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="portal.customs.example",
        PAYMENTS_GATEWAY_WEBHOOK_SECRET=secrets.token_hex(32),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _manage("check", SECRET_KEY="short")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_sandbox_webhook_secret():
    result = _manage("check", SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode != 0
    assert "PAYMENTS_GATEWAY_WEBHOOK_SECRET must be set" in result.stderr


def test_production_refuses_to_start_without_the_personal_data_keys():
    result = _manage(
        "check",
        SECRET_KEY=secrets.token_urlsafe(64),
        PAYMENTS_GATEWAY_WEBHOOK_SECRET=secrets.token_hex(32),
        PERSONAL_DATA_HASH_KEY="",
    )
    assert result.returncode != 0
    assert "PERSONAL_DATA_HASH_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_the_token_signing_key():
    result = _manage(
        "check",
        SECRET_KEY=secrets.token_urlsafe(64),
        PAYMENTS_GATEWAY_WEBHOOK_SECRET=secrets.token_hex(32),
        TRAVELLER_TOKEN_SIGNING_KEY="",
    )
    assert result.returncode != 0
    assert "TRAVELLER_TOKEN_SIGNING_KEY must be set" in result.stderr
