"""`make run` is as careful as production: SQLite in WAL mode with a busy timeout,
uploaded files only through views that check rights, and no URL list on a 404 page."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches

from declarations.applications import services as applications
from declarations.core.services import attachments, drafts
from declarations.manifests import services as manifests
from declarations.models import IpSuspensionApplication
from tests.declarations import declaration_payloads as payloads
from tests.declarations.factories import CustomsOfficeFactory

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
MANIFEST = (
    b"house_waybill,consignee,description,hs_code,value,currency,weight_kg,origin\r\n"
    b"HAWB0001,Yamada Taro,Cotton T-shirts,610910000,400.00,USD,1.2,CN\r\n"
)

PRAGMAS = """
import django, json
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    result = {}
    for pragma in ("journal_mode", "busy_timeout"):
        cursor.execute(f"PRAGMA {pragma}")
        result[pragma] = cursor.fetchone()[0]
print(json.dumps(result))
"""


@pytest.mark.parametrize("settings_module", ["customs_portal.settings.local", "customs_portal.settings.base"])
def test_a_sqlite_connection_is_in_wal_mode_with_a_busy_timeout(tmp_path, settings_module):
    # Web, worker and beat all load these settings; each opens its own connection.
    env = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": "only-for-this-test",
    }
    result = subprocess.run(
        [sys.executable, "-c", PRAGMAS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"journal_mode": "wal", "busy_timeout": 20000}


@pytest.fixture
def debug_urls(settings):
    """The URL configuration as `make run` builds it: with DEBUG on at import time."""
    import customs_portal.urls

    settings.DEBUG = True
    importlib.reload(customs_portal.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(customs_portal.urls)
    clear_url_caches()


@pytest.fixture
def stored_files(trader_a):
    """One stored file of each uploaded kind: attachment, manifest, IP evidence."""
    payloads.reference_data()
    draft = drafts.declaration_draft_create(
        company=trader_a.company, declarant=trader_a, kind="import", data=payloads.header(), lines=[payloads.line()]
    )
    attachment = attachments.declaration_attachment_add(
        declaration=draft, uploaded_by=trader_a, kind="invoice", file=SimpleUploadedFile("invoice.pdf", PDF)
    )
    manifest = manifests.manifest_upload(
        company=trader_a.company,
        uploaded_by=trader_a,
        office=CustomsOfficeFactory(code="1A"),
        data=MANIFEST,
        file_name="parcels.csv",
    ).manifest
    application = applications.application_create(
        kind="ip",
        applicant=trader_a,
        data={
            "right_holder": "Fuji Trading",
            "right_type": IpSuspensionApplication.RightType.TRADEMARK,
            "registration_number": "5123456",
            "goods_description": "Handbags",
            "identification": "A hologram tag.",
            "valid_from": dt.date(2026, 4, 1),
            "valid_until": dt.date(2028, 3, 31),
        },
    )
    evidence = applications.ip_evidence_add(
        application=application, file=SimpleUploadedFile("registration.pdf", PDF), uploaded_by=trader_a
    )
    return {
        "attachment": (attachment.file.name, f"/declarations/{draft.pk}/attachments/{attachment.pk}/", PDF),
        "manifest": (manifest.file.name, f"/trader/manifests/{manifest.pk}/file/", MANIFEST),
        "evidence": (evidence.file.name, f"/applications/ip/{application.pk}/evidence/{evidence.pk}/", PDF),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["attachment", "manifest", "evidence"])
def test_an_uploaded_file_is_not_served_under_media_even_with_debug(
    debug_urls, stored_files, kind, client, client_for, trader_a, admin_user
):
    name, _download, _content = stored_files[kind]
    for reader in (client, client_for(trader_a), client_for(admin_user)):
        assert reader.get(f"/media/{name}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["attachment", "manifest", "evidence"])
def test_an_uploaded_file_is_downloaded_only_by_its_company_and_officers(
    debug_urls, stored_files, kind, client, client_for, trader_a, trader_b, clearance_officer
):
    _name, download, content = stored_files[kind]
    response = client_for(trader_a).get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert client_for(trader_b).get(download).status_code == 404
    assert client.get(download).status_code == 302  # to the login page
    if kind != "evidence":  # evidence reaches officers once the application is submitted
        assert client_for(clearance_officer).get(download).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["attachment", "manifest", "evidence"])
def test_a_file_gone_from_storage_is_a_404_for_its_reader_not_an_error(
    stored_files, kind, client_for, trader_a, settings
):
    name, download, _content = stored_files[kind]
    Path(settings.MEDIA_ROOT, name).unlink()
    response = client_for(trader_a).get(download, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_404_under_debug_lists_no_url_patterns_except_to_staff(debug_urls, client, client_for, trader_a, admin_user):
    for visitor in (client, client_for(trader_a)):
        response = visitor.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert "URLconf" not in response.content.decode()
        assert "healthz" not in response.content.decode()
        assert "404.html" in [template.name for template in response.templates]
    staff = client_for(admin_user).get("/no-such-page/")
    assert staff.status_code == 404
    assert "URLconf" in staff.content.decode()


@pytest.mark.django_db
def test_a_404_raised_by_a_view_under_debug_shows_the_portals_page(debug_urls, client_for, trader_a):
    response = client_for(trader_a).get("/declarations/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Raised by" not in response.content.decode()
    assert "404.html" in [template.name for template in response.templates]


@pytest.mark.django_db
def test_a_missing_api_path_under_debug_answers_json(debug_urls, client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_an_error_under_debug_shows_strangers_the_portals_500_page_and_is_logged(
    debug_urls, client_for, trader_a, admin_user, monkeypatch, caplog
):
    from declarations.core import selectors as declaration_selectors

    def broken(**kwargs):
        raise RuntimeError("/srv/secret/path exploded")

    monkeypatch.setattr(declaration_selectors, "declaration_get_for_user", broken)
    response = client_for(trader_a).get("/declarations/1/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert "500.html" in [template.name for template in response.templates]
    assert "/srv/secret/path" not in response.content.decode() and "Traceback" not in response.content.decode()
    assert any(record.name == "django.request" and record.exc_info for record in caplog.records)
    staff = client_for(admin_user)
    staff.raise_request_exception = False
    assert "exploded" in staff.get("/declarations/1/").content.decode()  # staff still get the technical page
