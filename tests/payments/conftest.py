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


@pytest.fixture
def assessment_a(trader_a):
    return assessment_for(trader_a)


@pytest.fixture
def assessment_b(trader_b):
    return assessment_for(trader_b)
