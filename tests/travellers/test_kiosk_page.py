"""The kiosk's page itself: public, the camera allowed on it alone, no script inline,
the next traveller's first screen in Japanese, and a language chosen kept on the
following screens."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_the_kiosk_page_is_public_and_may_use_the_camera(client):
    response = client.get("/kiosk/")
    assert response.status_code == 200
    assert "camera=(self)" in response.headers["Permissions-Policy"]
    assert "microphone=()" in response.headers["Permissions-Policy"]
    assert response.headers["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert response.headers["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "<script>" not in page and " on" + "click=" not in page
    assert '<script src="/static/vendor/jsqr/jsQR.js"' in page


def test_other_pages_keep_the_camera_off(client):
    assert "camera=()" in client.get("/").headers["Permissions-Policy"]


def test_the_first_screen_is_for_the_next_traveller_in_japanese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    response = client.get("/kiosk/")
    assert '<html lang="ja">' in response.content.decode()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"


@pytest.mark.parametrize("language", ["en", "zh-hans", "ko"])
def test_a_chosen_language_stays_for_the_travellers_screens(client, language):
    response = client.post("/i18n/setlang/", {"language": language, "next": "/kiosk/?step=scan"})
    assert response.status_code == 302 and response.url == "/kiosk/?step=scan"
    page = client.get(response.url).content.decode()
    assert f'<html lang="{language}">' in page
    assert 'data-step="scan"' in page


def test_the_page_says_where_its_api_is_and_how_long_it_waits(client, settings):
    settings.KIOSK_IDLE_RESET_SECONDS = 45
    page = client.get("/kiosk/").content.decode()
    assert 'data-idle-seconds="45"' in page
    assert 'data-api-decisions="/api/v1/kiosk/decisions/"' in page
    assert 'data-api-payments="/api/v1/kiosk/payments/"' in page
    assert 'data-can-pay="true"' in page
