"""The double-entry ledger: balanced entries, append-only, and random event sequences."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customs_portal.models import Role
from payments import ledger, services
from payments.models import Account, Assessment, JournalEntry, JournalLine, PaymentIntent
from payments.sandbox import gateway
from tests.customs_portal.factories import CompanyFactory, UserFactory
from tests.payments.factories import assessment_for, deliver_and_process, pay_card_at_gateway, start_payment

pytestmark = pytest.mark.django_db


def test_an_unbalanced_entry_is_refused(assessment_a):
    with pytest.raises(ledger.UnbalancedEntry):
        ledger.journal_post(
            kind="correction",
            external_ref="bad",
            assessment=assessment_a,
            lines=[(Account.RECEIVABLE, 100), (Account.REVENUE_DUTY, -99)],
        )
    assert not JournalEntry.objects.filter(external_ref="bad").exists()


def test_the_ledger_refuses_updates_and_deletes_in_the_model_and_in_the_database(assessment_a):
    line = JournalLine.objects.filter(entry__assessment=assessment_a).first()
    line.amount_jpy = 1
    with pytest.raises(ValidationError):
        line.save()
    with pytest.raises(ValidationError):
        line.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE payments_journalline SET amount_jpy = 1 WHERE id = %s", [line.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM payments_journalentry WHERE id = %s", [line.entry_id])


def test_balances_per_company_and_per_declaration(trader_a, trader_b):
    first = assessment_for(trader_a)
    assessment_for(trader_b, duty=1_000, consumption=0, local=0)
    payment = start_payment(first, trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    assert ledger.balances(company_id=trader_a.company_id)[Account.RECEIVABLE] == 0
    assert ledger.balances(company_id=trader_b.company_id)[Account.RECEIVABLE] == 1_000
    assert ledger.balances(declaration_id=first.declaration_id)[Account.REVENUE_DUTY] == -10_000


EVENTS = st.lists(
    st.tuples(st.sampled_from(["assess", "capture", "refund", "fee", "fail"]), st.integers(1, 50_000)),
    min_size=1,
    max_size=15,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=EVENTS)
def test_random_sequences_of_events_keep_the_books_balanced(clearance_officer, events):
    """Assess, capture (with the gateway's fee), partial/full refunds and failures in any
    order: every entry balances, the whole ledger sums to zero, and the receivable of
    each assessment is what is still owed. Each example runs for a fresh company."""
    trader = UserFactory(role=Role.TRADER, company=CompanyFactory())
    captured: list[PaymentIntent] = []
    for event, amount in events:
        if event == "assess":
            assessment_for(trader, duty=amount, consumption=amount // 10, local=amount // 40)
        elif event in ("capture", "fee", "fail"):
            assessment = (
                Assessment.objects.filter(company=trader.company, status="open")
                .exclude(payments__status__in=PaymentIntent.OPEN_STATUSES)
                .first()
            )
            if assessment is None:
                continue
            # A QR payment carries the gateway's fee; a declined card fails.
            if event == "fee":
                payment = start_payment(assessment, trader, method="qr")
                gateway.charge_approve(token=payment.gateway_token)
            else:
                payment = start_payment(assessment, trader)
                pay_card_at_gateway(payment, "4242424242424242" if event == "capture" else "4000000000000002")
            deliver_and_process(payment)
            payment.refresh_from_db()
            if payment.status == PaymentIntent.Status.SUCCEEDED:
                captured.append(payment)
        elif event == "refund" and captured:
            payment = captured[amount % len(captured)]
            payment.refresh_from_db()
            if payment.refundable_jpy:
                services.refund_request(
                    payment=payment,
                    amount_jpy=min(amount, payment.refundable_jpy),
                    reason="property",
                    requested_by=clearance_officer,
                )
    assert ledger.unbalanced_entries() == []
    assert sum(ledger.balances().values()) == 0
    totals = ledger.balances(company_id=trader.company_id)
    assert sum(totals.values()) == 0
    for assessment in Assessment.objects.filter(company=trader.company):
        owed = ledger.outstanding_jpy(assessment_id=assessment.pk)
        assert owed == (0 if assessment.status == Assessment.Status.PAID else assessment.total_jpy)
    payments = PaymentIntent.objects.filter(company=trader.company)
    assert totals.get(Account.REFUNDS, 0) == sum(payment.refunded_jpy for payment in payments)
    captured_total = sum(p.amount_jpy for p in payments if p.status in PaymentIntent.CAPTURED_STATUSES)
    clearing = sum(value for account, value in totals.items() if account.startswith("clearing:"))
    assert clearing == captured_total - totals.get(Account.REFUNDS, 0) - totals.get(Account.FEES, 0)
