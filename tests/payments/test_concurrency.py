"""Races on PostgreSQL: threads with their own connections, committed data."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from customs_portal.errors import ApplicationError
from payments import ledger, services
from payments.models import JournalEntry, PaymentIntent
from payments.sandbox.models import GatewayCharge
from tests.payments.factories import RETURN_URL, assessment_for, deliver_and_process, pay_card_at_gateway

pytestmark = pytest.mark.django_db(transaction=True)


def _attempt(assessment, trader, barrier: threading.Barrier) -> str:
    try:
        barrier.wait(timeout=10)
        payment, _created = services.payment_create(
            assessment=assessment,
            method="card",
            created_by=trader,
            idempotency_key=uuid.uuid4().hex,
            return_url=RETURN_URL,
        )
        pay_card_at_gateway(payment)
        deliver_and_process(payment)
        payment.refresh_from_db()
        return payment.status
    except ApplicationError as error:
        return error.code
    finally:
        connection.close()


def test_two_payers_racing_on_each_assessment_end_with_exactly_one_capture(trader_a):
    assessments = [assessment_for(trader_a) for _ in range(8)]
    jobs = [assessment for assessment in assessments for _payer in range(2)]
    barrier = threading.Barrier(len(jobs))
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        outcomes = list(pool.map(lambda assessment: _attempt(assessment, trader_a, barrier), jobs))
    assert outcomes.count("succeeded") == 8
    # The other payer of each assessment was told why, in words.
    assert set(outcomes) - {"succeeded"} <= {"assessment_settled", "payment_in_progress"}
    assert len(outcomes) - outcomes.count("succeeded") == 8
    assert PaymentIntent.objects.filter(status="succeeded").count() == 8
    assert GatewayCharge.objects.filter(status="succeeded").count() == 8  # no card charged twice
    assert JournalEntry.objects.filter(kind="capture").count() == 8
    assert ledger.unbalanced_entries() == []
    assert sum(ledger.balances().values()) == 0


def test_concurrent_retries_with_one_idempotency_key_create_one_payment(trader_a):
    assessment = assessment_for(trader_a)
    barrier = threading.Barrier(6)

    def create() -> int:
        try:
            barrier.wait(timeout=10)
            payment, _created = services.payment_create(
                assessment=assessment,
                method="card",
                created_by=trader_a,
                idempotency_key="retry-1",
                return_url=RETURN_URL,
            )
            return payment.pk
        except ApplicationError as error:
            return error.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _i: create(), range(6)))
    payment_ids = {result for result in results if isinstance(result, int)}
    assert len(payment_ids) == 1
    # A retry that arrived while the first held the lock sees either the same payment or,
    # at worst, is told a payment is in progress; never a second payment.
    assert set(results) - payment_ids <= {"payment_in_progress"}
    assert PaymentIntent.objects.count() == 1
