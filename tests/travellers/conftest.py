from __future__ import annotations

import pytest

from declarations.tariff.interface import traveller_rules_seed_load
from declarations.travellers.services import gate_rules_seed_load
from tests.travellers.factories import kiosk_register


@pytest.fixture(autouse=True)
def _gate_rules(request):
    """The seeded rules of the gate (declarations migration 0010) and of the allowances
    (tariff migration 0004), back after a transactional test elsewhere emptied the
    database."""
    if "django_db" in request.keywords:
        gate_rules_seed_load()
        traveller_rules_seed_load()


@pytest.fixture
def kiosk(supervisor):
    """A registered kiosk at Narita T1; `kiosk.raw_token` is its token."""
    kiosk, raw = kiosk_register(by=supervisor)
    kiosk.raw_token = raw
    return kiosk


@pytest.fixture
def kiosk_client(kiosk):
    from rest_framework.test import APIClient

    client = APIClient(HTTP_AUTHORIZATION=f"Kiosk {kiosk.raw_token}", HTTP_ACCEPT_LANGUAGE="en")
    return client
