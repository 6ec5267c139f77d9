"""Bodies that a parser cannot take are answered with the API's JSON error body, never
with a 500 or Django's HTML error page."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from declarations.models import Declaration

pytestmark = pytest.mark.django_db(transaction=False)

URL = "/api/v1/declarations/"


@pytest.fixture
def api(trader_a):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(trader_a)
    return client


def test_json_nested_a_thousand_deep_is_a_400_in_the_api_error_body(api):
    body = '{"a":' * 1000 + "1" + "}" * 1000
    response = api.post(URL, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "parse_error"
    assert not Declaration.objects.exists()


def test_a_22_mb_body_is_answered_with_the_api_error_body(api):
    body = '{"party_name": "' + "x" * (22 * 1024 * 1024) + '"}'
    response = api.post(URL, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "request_too_large"
    assert "2.5 MB" in error["message"]
    assert not Declaration.objects.exists()
