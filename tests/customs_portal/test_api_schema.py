"""The OpenAPI schema groups every operation under one area of the portal."""

from __future__ import annotations

import pytest
from django.urls import reverse

AREAS = {
    "declarations",
    "tariff",
    "manifests",
    "applications",
    "payments",
    "risk",
    "notifications",
    "account",
    "travellers",
    "kiosk",
}
METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture
def operations(client) -> dict[str, list[str]]:
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return {
        f"{method.upper()} {path}": operation.get("tags", [])
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    } | {"_declared": [tag["name"] for tag in schema.get("tags", [])]}


@pytest.mark.django_db
def test_every_operation_has_exactly_one_area_tag_and_none_is_v1(operations):
    declared = operations.pop("_declared")
    assert set(declared) == AREAS
    wrong = {operation: tags for operation, tags in operations.items() if len(tags) != 1 or tags[0] not in AREAS}
    assert wrong == {}
    assert not any("v1" in tags for tags in operations.values())


@pytest.mark.django_db
def test_operations_are_tagged_by_their_area(operations):
    assert operations["POST /api/v1/declarations/"] == ["declarations"]
    assert operations["GET /api/v1/tariff-lines/"] == ["tariff"]
    assert operations["POST /api/v1/manifests/"] == ["manifests"]
    assert operations["POST /api/v1/applications/{kind}/"] == ["applications"]
    assert operations["GET /api/v1/payments/"] == ["payments"]
    assert operations["GET /api/v1/inspection-list/"] == ["risk"]
    assert operations["GET /api/v1/webhooks/"] == ["notifications"]
