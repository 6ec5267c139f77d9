"""The API's shared behaviour: one error format, pagination, tokens, the schema."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from customs_portal.models import WebhookSubscription
from tests.customs_portal.factories import PASSWORD, NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def test_a_bad_request_gets_the_error_format_with_the_fields_at_fault(trader_a, api_for):
    response = api_for(trader_a).post(
        reverse("api-webhooks"), {"url": "not a url", "events": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"url", "events"}
    assert "url" in error["message"]
    assert WebhookSubscription.objects.count() == 0


def test_malformed_json_is_a_parse_error(trader_a, api_for):
    response = api_for(trader_a).post(reverse("api-webhooks"), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_api_messages_follow_accept_language():
    japanese = APIClient().get(reverse("api-me")).json()["error"]["message"]
    english = APIClient().get(reverse("api-me"), HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert japanese != english
    assert english == "Authentication credentials were not provided."


def test_unauthenticated_requests_get_401_in_the_error_format():
    response = APIClient().get(reverse("api-me"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "not_authenticated", "message": "Authentication credentials were not provided.", "fields": {}}
    }


def test_an_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_domain_errors_become_the_error_format(trader_a, api_for, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = api_for(trader_a).post(
        reverse("api-webhooks"), {"url": "http://example.com/hook"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "webhook_url_insecure"
    assert response.json()["error"]["fields"] == {"url": ["Webhook URLs must use https."]}


def test_lists_are_paginated(trader_a, api_for):
    NotificationFactory.create_batch(3, company=trader_a.company)
    body = api_for(trader_a).get(reverse("api-notifications"), {"page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"]


def test_a_trader_system_gets_a_token_and_uses_it(trader_a):
    client = APIClient()
    token = client.post(reverse("api-token"), {"username": "trader_a", "password": PASSWORD}).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get(reverse("api-me")).json()
    assert me["role"] == "trader"
    assert me["company"]["corporate_number"] == trader_a.company.corporate_number


def test_token_requests_with_a_wrong_password_are_refused(trader_a):
    response = APIClient().post(reverse("api-token"), {"username": "trader_a", "password": "wrong"})
    assert response.status_code in (400, 403)
    assert "error" in response.json()


def test_webhook_subscription_created_through_the_api_shows_its_secret_once(trader_a, api_for):
    client = api_for(trader_a)
    created = client.post(
        reverse("api-webhooks"), {"url": "https://erp.example/hook", "events": ["declaration.released"]}, format="json"
    )
    assert created.status_code == 201
    assert len(created.json()["secret"]) == 64
    assert "secret" not in client.get(reverse("api-webhooks")).json()[0]


def test_the_openapi_schema_and_docs_work_without_network(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/webhooks/" in schema.json()["paths"]

    docs = client.get(reverse("api-docs"))
    html = docs.content.decode()
    assert docs.status_code == 200
    assert "swagger-ui" in html
    external = [url for url in re.findall(r'(?:src|href)="(https?://[^"]+)"', html)]
    assert external == [], "the docs page must load no asset from the internet"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_throttled_request_says_how_long_to_wait_wholly_in_the_readers_language(trader_a, monkeypatch, language):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "token-login", "1/minute")
    client = APIClient()
    body = {"username": "trader_a", "password": PASSWORD}
    assert client.post(reverse("api-token"), body, HTTP_ACCEPT_LANGUAGE=language).status_code == 200
    response = client.post(reverse("api-token"), body, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "throttled"
    seconds = error["wait_seconds"]
    assert isinstance(seconds, int) and 55 <= seconds <= 60
    assert int(response["Retry-After"]) == seconds
    with translation.override(language):
        expected = ngettext(
            "Too many requests. Try again in %(seconds)d second.",
            "Too many requests. Try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
    assert error["message"] == expected
    assert "Expected available" not in error["message"]
    if language == "en":
        assert error["message"] == f"Too many requests. Try again in {seconds} seconds."
