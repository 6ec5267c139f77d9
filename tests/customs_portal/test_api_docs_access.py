"""The OpenAPI schema and docs page need a signed-in user where API_DOCS_REQUIRE_LOGIN is on
(production's default); any role will do, through a session or an API token."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

OPENAPI_JSON = "application/vnd.oai.openapi+json"


@pytest.fixture
def docs_need_login(settings):
    settings.API_DOCS_REQUIRE_LOGIN = True


def test_an_anonymous_caller_gets_no_schema_and_is_sent_to_log_in_for_the_docs(docs_need_login, client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT=OPENAPI_JSON)
    assert schema.status_code == 401 and "paths" not in schema.json()

    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 302
    assert docs["Location"] == f"{reverse('login')}?next={reverse('api-docs')}"


@pytest.mark.parametrize("persona", ["trader_a", "clearance_officer", "supervisor"])
def test_any_signed_in_user_reads_the_schema_and_the_docs(docs_need_login, persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT=OPENAPI_JSON)
    assert schema.status_code == 200 and "/api/v1/webhooks/" in schema.json()["paths"]
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200 and "swagger-ui" in docs.content.decode()


def test_a_traders_system_reads_the_schema_with_its_api_token(docs_need_login, client, trader_a):
    token = Token.objects.create(user=trader_a)
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT=OPENAPI_JSON, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert schema.status_code == 200 and "/api/v1/webhooks/" in schema.json()["paths"]


def test_local_development_may_keep_the_docs_open(settings, client):
    settings.API_DOCS_REQUIRE_LOGIN = False
    assert client.get(reverse("api-schema"), HTTP_ACCEPT=OPENAPI_JSON).status_code == 200
    assert client.get(reverse("api-docs")).status_code == 200
