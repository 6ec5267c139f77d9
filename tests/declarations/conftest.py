from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from declarations.tariff.services import tariff_seed_load


@pytest.fixture
def api_for():
    """An API client authenticated as a user: `api_for(trader_a).post(...)`."""

    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def seeded_tariff(db):
    return tariff_seed_load()


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the portal's default language is Japanese."""
    with translation.override("en"):
        yield
