"""The image build collects the static files without any secret, and the production
settings then serve pages whose static URLs come from the collected manifest."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.customs_portal.test_deploy import production_keys

ROOT = Path(__file__).resolve().parents[2]
# What the test process carries that an image build or a production container never has.
_NOT_IN_PRODUCTION = (
    "SECRET_KEY",
    "DEBUG",
    "PAYMENTS_GATEWAY_WEBHOOK_SECRET",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "STATIC_ROOT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "WEBHOOK_ALLOW_PRIVATE_URLS",
    "API_DOCS_REQUIRE_LOGIN",
    "PAYMENTS_SANDBOX_ENABLED",
)
HASHED_STATIC = re.compile(r'/static/[\w/.-]+\.[0-9a-f]{12}\.(?:css|js)"')


def _manage(settings: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = {key: value for key, value in os.environ.items() if key not in _NOT_IN_PRODUCTION}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **clean_env,
            "DJANGO_SETTINGS_MODULE": f"customs_portal.settings.{settings}",
            **(production_keys() if settings == "production" else {}),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    """The static files collected as the Dockerfile does: build settings, no secrets."""
    root = tmp_path_factory.mktemp("staticfiles")
    result = _manage("build", "collectstatic", "--noinput", "-v", "0", STATIC_ROOT=str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_the_image_build_collects_every_static_file_without_a_secret(static_root):
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    chart = manifest["paths"]["vendor/chartjs/chart.umd.min.js"]
    assert re.fullmatch(r"vendor/chartjs/chart\.umd\.min\.[0-9a-f]{12}\.js", chart)
    assert (static_root / chart).is_file() and (static_root / f"{chart}.gz").is_file()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in manifest["paths"]


def test_the_build_settings_refuse_anything_but_collectstatic():
    result = _manage("build", "check")
    assert result.returncode != 0
    assert "serves only `manage.py collectstatic`" in result.stderr


_RENDER_PAGES = """
import json
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
from customs_portal.models import User

anonymous, trader = Client(), Client()
trader.force_login(User.objects.get(username={username!r}))
pages = {{}}
visits = [(anonymous, "/"), (anonymous, "/accounts/login/"), (trader, "/trader/"), (trader, "/api/docs/")]
visits += [(anonymous, "/api/docs/?anonymous"), (anonymous, "/api/schema/?anonymous")]
visits += [(anonymous, "/travel/"), (anonymous, "/travel/declare/"), (anonymous, "/travel/sw.js"), (anonymous, "/kiosk/")]
for client, path in visits:
    response = client.get(path, secure=True)
    pages[path] = {{"status": response.status_code, "body": response.content.decode(), "to": response.get("Location")}}
asset = "/static/" + staticfiles_storage.stored_name("css/portal.css")
response = anonymous.get(asset, secure=True)
pages[asset] = {{"status": response.status_code, "body": response.get("Cache-Control", "")}}
print(json.dumps(pages))
"""


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
def test_production_serves_pages_with_the_collected_static_manifest(static_root, trader_a):
    result = _manage(
        "production",
        "shell",
        "-c",
        _RENDER_PAGES.format(username=trader_a.username),
        STATIC_ROOT=str(static_root),
        DATABASE_URL=_database_url(),
        CELERY_BROKER_URL="memory://",
        SECRET_KEY=secrets.token_urlsafe(64),
        PAYMENTS_GATEWAY_WEBHOOK_SECRET=secrets.token_hex(32),
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    pages = json.loads(result.stdout.strip().splitlines()[-1])

    for path in ["/", "/accounts/login/", "/trader/", "/api/docs/", "/travel/", "/travel/declare/", "/kiosk/"]:
        assert pages[path]["status"] == 200, (path, pages[path]["body"][:2000])
        assert HASHED_STATIC.search(pages[path]["body"]), path
        assert '/static/css/portal.css"' not in pages[path]["body"]
    assert trader_a.username in pages["/trader/"]["body"]
    # The travellers' service worker keeps the hashed assets; the kiosk has no sandbox to pay through.
    assert pages["/travel/sw.js"]["status"] == 200 and HASHED_STATIC.search(pages["/travel/sw.js"]["body"])
    assert 'data-can-pay="false"' in pages["/kiosk/"]["body"]
    assert pages["/api/schema/?anonymous"]["status"] == 401
    docs = pages["/api/docs/?anonymous"]
    assert docs["status"] == 302 and docs["to"].startswith("/accounts/login/?next=/api/docs/")
    [asset] = [path for path in pages if path.startswith("/static/")]
    assert pages[asset]["status"] == 200 and "immutable" in pages[asset]["body"]
