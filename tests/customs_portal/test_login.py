"""Logging in, and what stops password guessing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.customs_portal.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_user_logs_in_and_lands_on_the_role_home(client, trader_a):
    response = client.post(reverse("login"), {"username": "trader_a", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("trader-dashboard")


def test_a_wrong_password_is_a_form_error(client, trader_a):
    response = client.post(reverse("login"), {"username": "trader_a", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_repeated_wrong_passwords_lock_the_account_out_even_for_the_right_one(client, trader_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "trader_a", "password": "guess"})
    response = client.post(reverse("login"), {"username": "trader_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_of_one_username_does_not_lock_another(client, trader_a, trader_b):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "trader_a", "password": "guess"})
    response = client.post(reverse("login"), {"username": "trader_b", "password": PASSWORD})
    assert response.status_code == 302


def test_session_cookie_is_http_only_and_expires(client, trader_a):
    client.post(reverse("login"), {"username": "trader_a", "password": PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_logout_needs_a_post(client_for, trader_a):
    client = client_for(trader_a)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("trader-dashboard")).status_code == 302


def test_forms_are_csrf_protected(trader_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(trader_a)
    response = client.post(reverse("notifications-read-all"))
    assert response.status_code == 403


SPRAYER = "203.0.113.7"


def _spray(client, count: int) -> list[int]:
    """Wrong passwords for `count` different usernames, all from one address."""
    return [
        client.post(reverse("login"), {"username": f"user-{n}", "password": "guess"}, REMOTE_ADDR=SPRAYER).status_code
        for n in range(count)
    ]


def test_usernames_sprayed_from_one_address_are_stopped_at_the_address_limit(client, trader_a):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit < 30
    assert _spray(client, 30) == [200] * limit + [429] * (30 - limit)

    right = client.post(reverse("login"), {"username": "trader_a", "password": PASSWORD}, REMOTE_ADDR=SPRAYER)
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    token = client.post(reverse("api-token"), {"username": "trader_a", "password": PASSWORD}, REMOTE_ADDR=SPRAYER)
    assert token.status_code == 400 and "token" not in token.json()


def test_an_address_lock_out_leaves_other_addresses_alone_and_ends_after_the_cool_off(client, trader_a, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    assert _spray(client, 4) == [200, 200, 200, 429]
    elsewhere = client.post(
        reverse("login"), {"username": "trader_a", "password": PASSWORD}, REMOTE_ADDR="198.51.100.2"
    )
    assert elsewhere.status_code == 302
    client.logout()

    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    later = client.post(reverse("login"), {"username": "trader_a", "password": PASSWORD}, REMOTE_ADDR=SPRAYER)
    assert later.status_code == 302
