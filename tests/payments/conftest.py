from __future__ import annotations

import pytest
from django.utils import translation

from tests.payments.factories import assessment_for


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the portal's default language is Japanese."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def payments_receiver_connected():
    """Another app's test clears the declaration signals' receivers; reconnect ours
    (connecting under the same dispatch_uid is idempotent)."""
    from declarations import hooks
    from payments import receivers

    hooks.declaration_awaiting_payment.connect(
        receivers.assessment_on_awaiting_payment, dispatch_uid="payments.assessment_on_awaiting_payment"
    )
    hooks.traveller_duty_due.connect(
        receivers.assessment_on_traveller_duty_due, dispatch_uid="payments.assessment_on_traveller_duty_due"
    )


@pytest.fixture(autouse=True)
def _traveller_rules(request):
    """The travellers' tests need the seeded rules of the gate and of the allowances,
    which a transactional test elsewhere may have emptied."""
    if "traveller" in request.node.module.__name__ and request.node.get_closest_marker("django_db") is not None:
        from declarations.tariff.interface import traveller_rules_seed_load
        from declarations.travellers.services import gate_rules_seed_load

        gate_rules_seed_load()
        traveller_rules_seed_load()


@pytest.fixture
def assessment_a(trader_a):
    return assessment_for(trader_a)


@pytest.fixture
def assessment_b(trader_b):
    return assessment_for(trader_b)
