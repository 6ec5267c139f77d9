"""The UI shell: languages, error pages, static assets, demo data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

from customs_portal.models import Company, Role, User

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_the_public_home_is_japanese_by_default(client):
    response = client.get(reverse("public-home"))
    assert response.status_code == 200
    assert '<html lang="ja"' in response.content.decode()
    assert "税関" in response.content.decode()


def test_the_language_switch_turns_the_portal_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Customs portal" in html


def test_the_header_offers_the_language_switch_and_role_navigation(trader_a, client_for):
    html = client_for(trader_a).get(reverse("trader-dashboard")).content.decode()
    assert reverse("set_language") in html
    assert reverse("notification-inbox") in html
    assert reverse("logout") in html


def test_missing_pages_get_the_portals_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "404" in response.content.decode()


def test_an_expired_form_gets_a_helpful_403(trader_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(trader_a)
    response = client.post(reverse("notifications-read-all"))
    assert response.status_code == 403
    assert [template.name for template in response.templates][0] == "403_csrf.html"
    assert "Go back to the previous page and reload it." in response.content.decode()


def test_templates_load_nothing_from_the_internet():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        external = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//', text)
        assert not external, f"{template} loads an asset from the internet"


def test_vendored_assets_are_served_locally():
    assert finders.find("vendor/pico/pico.min.css")
    assert finders.find("css/portal.css")


def test_seed_demo_creates_one_login_per_role_and_can_run_again(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert Company.objects.count() == 2
    assert User.objects.get(username="broker").check_password(settings.DEMO_PASSWORD)


def test_a_browser_that_prefers_english_gets_english_and_the_switch_wins(client):
    assert '<html lang="en"' in client.get(reverse("public-home"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    html = client.get(reverse("public-home"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert '<html lang="ja"' in html
