"""The four-eyes threshold of refunds holds over the running total refunded on a payment:
splitting a refund into small ones, one after the other or all at once, never moves more
than the threshold without a supervisor."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent
from payments import ledger, services
from payments.models import Account, PaymentIntent, Refund
from payments.sandbox.models import GatewayCharge
from tests.payments.factories import assessment_for, deliver_and_process, pay_card_at_gateway, start_payment

THRESHOLD = 100_000


def _captured_payment(trader, *, duty: int) -> PaymentIntent:
    payment = start_payment(assessment_for(trader, duty=duty, consumption=0, local=0), trader)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    payment.refresh_from_db()
    return payment


@pytest.mark.django_db
def test_small_refunds_one_after_another_need_approval_once_their_total_passes_the_threshold(
    trader_a, clearance_officer, supervisor, settings
):
    settings.PAYMENTS_REFUND_APPROVAL_THRESHOLD_JPY = THRESHOLD
    payment = _captured_payment(trader_a, duty=300_000)

    def refund(amount: int) -> Refund:
        return services.refund_request(
            payment=payment, amount_jpy=amount, reason="Split", requested_by=clearance_officer
        )

    assert [refund(40_000).status, refund(60_000).status] == ["succeeded", "succeeded"]  # ¥100,000: at the threshold
    waiting = refund(1)
    assert waiting.status == Refund.Status.AWAITING_APPROVAL
    payment.refresh_from_db()
    assert payment.refunded_jpy == 100_000
    assert AuditEvent.objects.get(action="refund.requested", object_id=str(waiting.pk)).after["refunds_total_jpy"] == (
        100_001
    )
    # A refund awaiting approval counts too: the next small one waits as well.
    assert refund(5_000).status == Refund.Status.AWAITING_APPROVAL
    services.refund_decide(refund=waiting, approve=True, decided_by=supervisor)
    payment.refresh_from_db()
    assert payment.refunded_jpy == 100_001
    assert GatewayCharge.objects.get(token=payment.gateway_token).refunded_jpy == 100_001


@pytest.mark.django_db
def test_a_refund_within_the_threshold_on_a_fresh_payment_moves_money_at_once(trader_a, clearance_officer, settings):
    settings.PAYMENTS_REFUND_APPROVAL_THRESHOLD_JPY = THRESHOLD
    payment = _captured_payment(trader_a, duty=300_000)
    refund = services.refund_request(
        payment=payment, amount_jpy=THRESHOLD, reason="Overcharged", requested_by=clearance_officer
    )
    assert refund.status == Refund.Status.SUCCEEDED
    payment.refresh_from_db()
    assert payment.refunded_jpy == THRESHOLD


def _refund_racing(payment: PaymentIntent, officer, amount: int, barrier: threading.Barrier) -> str:
    try:
        barrier.wait(timeout=10)
        return services.refund_request(payment=payment, amount_jpy=amount, reason="Race", requested_by=officer).status
    except ApplicationError as error:
        return error.code
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_small_refunds_move_at_most_the_threshold_without_a_supervisor(
    trader_a, clearance_officer, settings
):
    settings.PAYMENTS_REFUND_APPROVAL_THRESHOLD_JPY = THRESHOLD
    payment = _captured_payment(trader_a, duty=576_000)
    assert payment.amount_jpy == 576_000
    barrier = threading.Barrier(20)
    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(lambda _i: _refund_racing(payment, clearance_officer, 50_000, barrier), range(20)))

    executed = Refund.objects.filter(payment=payment, status=Refund.Status.SUCCEEDED)
    waiting = Refund.objects.filter(payment=payment, status=Refund.Status.AWAITING_APPROVAL)
    assert sum(refund.amount_jpy for refund in executed) == THRESHOLD
    assert outcomes.count("succeeded") == 2
    # The rest wait for a supervisor, up to what the payment can still give back; the
    # ones past that were refused and wrote nothing.
    assert outcomes.count("awaiting_approval") == waiting.count() == 9
    assert outcomes.count("refund_exceeds_remaining") == 9
    assert Refund.objects.filter(payment=payment).count() == 11

    # One more refund, of what remains, waits too: the payment is never refunded in
    # full without a supervisor.
    last = services.refund_request(payment=payment, amount_jpy=26_000, reason="Rest", requested_by=clearance_officer)
    assert last.status == Refund.Status.AWAITING_APPROVAL
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_jpy) == (PaymentIntent.Status.PARTIALLY_REFUNDED, THRESHOLD)
    assert GatewayCharge.objects.get(token=payment.gateway_token).refunded_jpy == THRESHOLD
    assert ledger.balances()[Account.REFUNDS] == THRESHOLD
    assert ledger.unbalanced_entries() == []
