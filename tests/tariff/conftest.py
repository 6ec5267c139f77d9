from __future__ import annotations

import pytest
from django.utils import translation

from declarations.tariff.interface import tariff_seed_load, traveller_rules_seed_load


@pytest.fixture
def seeded_tariff(db):
    return tariff_seed_load()


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the portal's default language is Japanese."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _traveller_rules(request):
    """The seeded travellers' rules for every database test: a transactional test
    (the browser's) empties the tables its migration filled."""
    if request.node.get_closest_marker("django_db") is not None:
        request.getfixturevalue("db")
        traveller_rules_seed_load()
