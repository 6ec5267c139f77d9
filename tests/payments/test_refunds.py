"""Refunds: partial and full, the limit of what remains, and four eyes above the threshold."""

from __future__ import annotations

import pytest

from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent
from payments import ledger, services
from payments.models import Account, PaymentIntent, Refund
from payments.sandbox.models import GatewayCharge
from tests.customs_portal.factories import UserFactory
from tests.payments.factories import assessment_for, deliver_and_process, pay_card_at_gateway, start_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def captured(assessment_a, trader_a):
    payment = start_payment(assessment_a, trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    payment.refresh_from_db()
    return payment


def test_partial_then_full_refund_moves_money_back_through_the_gateway_and_the_ledger(captured, clearance_officer):
    services.refund_request(payment=captured, amount_jpy=800, reason="Overcharged", requested_by=clearance_officer)
    captured.refresh_from_db()
    assert (captured.status, captured.refunded_jpy) == (PaymentIntent.Status.PARTIALLY_REFUNDED, 800)
    services.refund_request(payment=captured, amount_jpy=30_000, reason="Cancelled", requested_by=clearance_officer)
    captured.refresh_from_db()
    assert (captured.status, captured.refunded_jpy) == (PaymentIntent.Status.REFUNDED, 30_800)
    assert GatewayCharge.objects.get(token=captured.gateway_token).refunded_jpy == 30_800
    assert ledger.balances()[Account.REFUNDS] == 30_800
    assert ledger.unbalanced_entries() == []
    assert AuditEvent.objects.filter(action__in=["payment.partially_refunded", "payment.refunded"]).count() == 2


def test_a_refund_larger_than_what_remains_is_refused_with_a_clear_message(captured, clearance_officer):
    services.refund_request(payment=captured, amount_jpy=30_000, reason="Part", requested_by=clearance_officer)
    with pytest.raises(ApplicationError) as refused:
        services.refund_request(payment=captured, amount_jpy=801, reason="Too much", requested_by=clearance_officer)
    assert refused.value.code == "refund_exceeds_remaining"
    assert refused.value.message == (f"A refund of ¥801 is more than the ¥800 that remains refundable on {captured}.")
    captured.refresh_from_db()
    assert captured.refunded_jpy == 30_000
    assert Refund.objects.count() == 1


def test_a_refund_of_a_payment_not_yet_captured_is_a_conflict_with_its_own_code(
    assessment_a, trader_a, clearance_officer, api_for
):
    pending = start_payment(assessment_a, trader_a)
    response = api_for(clearance_officer).post(
        f"/api/v1/payments/{pending.pk}/refunds/",
        {"amount_jpy": 100, "reason": "x"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "payment_not_captured"
    assert error["message"] == f"Payment {pending} is Pending: only a captured payment can be refunded."
    assert Refund.objects.count() == 0


def test_a_refund_above_the_threshold_needs_a_second_officer(trader_a, clearance_officer, supervisor, settings):
    settings.PAYMENTS_REFUND_APPROVAL_THRESHOLD_JPY = 10_000
    assessment = assessment_for(trader_a)
    payment = start_payment(assessment, trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)

    refund = services.refund_request(payment=payment, amount_jpy=20_000, reason="Error", requested_by=supervisor)
    assert refund.status == Refund.Status.AWAITING_APPROVAL
    payment.refresh_from_db()
    assert payment.refunded_jpy == 0  # no money moved yet
    with pytest.raises(ApplicationError) as own:
        services.refund_decide(refund=refund, approve=True, decided_by=supervisor)
    assert own.value.code == "four_eyes"
    with pytest.raises(ApplicationError) as not_supervisor:
        services.refund_decide(refund=refund, approve=True, decided_by=clearance_officer)
    assert not_supervisor.value.status == 403
    # The amount waiting for approval is reserved: it cannot be refunded twice.
    with pytest.raises(ApplicationError):
        services.refund_request(payment=payment, amount_jpy=20_000, reason="Again", requested_by=clearance_officer)

    second = UserFactory(role="supervisor", username="supervisor2")
    services.refund_decide(refund=refund, approve=True, decided_by=second)
    refund.refresh_from_db()
    payment.refresh_from_db()
    assert (refund.status, refund.decided_by) == (Refund.Status.SUCCEEDED, second)
    assert payment.refunded_jpy == 20_000
    assert AuditEvent.objects.filter(action="refund.approved", actor=second).exists()


def test_the_dashboard_counts_refunds_awaiting_another_supervisors_approval(captured, supervisor, client_for, settings):
    settings.PAYMENTS_REFUND_APPROVAL_THRESHOLD_JPY = 1_000
    services.refund_request(payment=captured, amount_jpy=5_000, reason="Error", requested_by=supervisor)
    from customs_portal.dashboard import queue_counts_for_user

    second = UserFactory(role="supervisor", username="supervisor2")
    counts = {count.queue.key: count.count for count in queue_counts_for_user(user=second)}
    assert counts["refund_approvals"] == 1
    page = client_for(second).get("/payments/officer/refunds/")
    assert page.status_code == 200
    assert b"Error" in page.content


def test_traders_cannot_refund(captured, trader_a, api_for, client_for):
    assert (
        api_for(trader_a).post(f"/api/v1/payments/{captured.pk}/refunds/", {"amount_jpy": 1, "reason": "x"}).status_code
        == 403
    )
    assert (
        client_for(trader_a).post(f"/payments/{captured.pk}/refund/", {"amount_jpy": 1, "reason": "x"}).status_code
        == 403
    )
    with pytest.raises(ApplicationError):
        services.refund_request(payment=captured, amount_jpy=1, reason="x", requested_by=trader_a)


def test_refund_api_refuses_too_much_with_the_error_body(captured, clearance_officer, api_for):
    response = api_for(clearance_officer).post(
        f"/api/v1/payments/{captured.pk}/refunds/", {"amount_jpy": 99_999, "reason": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "refund_exceeds_remaining"
    assert response.json()["error"]["fields"]["amount_jpy"]


@pytest.mark.parametrize("first_decision", [True, False])
def test_a_decided_refund_cannot_be_decided_again(trader_a, supervisor, settings, first_decision):
    settings.PAYMENTS_REFUND_APPROVAL_THRESHOLD_JPY = 10_000
    payment = start_payment(assessment_for(trader_a), trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    refund = services.refund_request(payment=payment, amount_jpy=20_000, reason="Error", requested_by=supervisor)
    first, second = UserFactory(role="supervisor", username="second"), UserFactory(role="supervisor", username="third")
    services.refund_decide(refund=refund, approve=first_decision, decided_by=first)

    for approve in (True, False):
        with pytest.raises(ApplicationError) as refused:
            services.refund_decide(refund=refund, approve=approve, decided_by=second)
        assert (refused.value.code, refused.value.status) == ("refund_decided", 409)

    refund.refresh_from_db()
    payment.refresh_from_db()
    expected = Refund.Status.SUCCEEDED if first_decision else Refund.Status.REJECTED
    assert (refund.status, refund.decided_by) == (expected, first)
    assert payment.refunded_jpy == (20_000 if first_decision else 0)
    assert GatewayCharge.objects.get(token=payment.gateway_token).refunded_jpy == payment.refunded_jpy


def test_a_rejected_refund_moves_no_money_and_is_recorded(trader_a, supervisor, settings):
    settings.PAYMENTS_REFUND_APPROVAL_THRESHOLD_JPY = 10_000
    payment = start_payment(assessment_for(trader_a), trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    refund = services.refund_request(payment=payment, amount_jpy=20_000, reason="Error", requested_by=supervisor)
    second = UserFactory(role="supervisor", username="second")

    services.refund_decide(refund=refund, approve=False, decided_by=second)

    refund.refresh_from_db()
    payment.refresh_from_db()
    assert (refund.status, refund.decided_by) == (Refund.Status.REJECTED, second)
    assert refund.decided_at is not None
    assert (payment.status, payment.refunded_jpy) == (PaymentIntent.Status.SUCCEEDED, 0)
    assert AuditEvent.objects.filter(action="refund.rejected", actor=second).exists()


def test_a_refund_the_gateway_refuses_names_its_code_and_changes_nothing(captured, clearance_officer):
    # The outside world disagrees: the gateway holds less refundable money than the ledger.
    GatewayCharge.objects.filter(token=captured.gateway_token).update(refunded_jpy=30_500)
    with pytest.raises(ApplicationError) as refused:
        services.refund_request(payment=captured, amount_jpy=800, reason="Overcharged", requested_by=clearance_officer)
    assert (refused.value.code, refused.value.status) == ("gateway_refused", 502)
    assert refused.value.message == "The gateway refused the refund (code amount_too_large)."
    captured.refresh_from_db()
    assert (captured.refunded_jpy, Refund.objects.count()) == (0, 0)
