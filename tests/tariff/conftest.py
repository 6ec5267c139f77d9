from __future__ import annotations

import pytest
from django.utils import translation

from declarations.tariff.interface import tariff_seed_load


@pytest.fixture
def seeded_tariff(db):
    return tariff_seed_load()


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the portal's default language is Japanese."""
    with translation.override("en"):
        yield
