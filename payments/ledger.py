"""The double-entry ledger. Every movement is one JournalEntry whose lines sum to zero
(debits positive, credits negative). Posting is idempotent by `external_ref`; nothing is
ever changed: a correction is a new entry."""

from __future__ import annotations

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Sum

from payments.models import (
    Account,
    Assessment,
    JournalEntry,
    JournalLine,
    PaymentIntent,
    Refund,
    clearing_account,
)


class UnbalancedEntry(ValueError):
    pass


def journal_post(
    *,
    kind: str,
    external_ref: str,
    assessment: Assessment,
    lines: list[tuple[str, int]],
    payment: PaymentIntent | None = None,
    memo: str = "",
) -> JournalEntry:
    """Posts one balanced entry, or returns the one already posted under `external_ref`."""
    lines = [(account, int(amount)) for account, amount in lines if amount]
    if len(lines) < 2 or sum(amount for _, amount in lines) != 0:
        raise UnbalancedEntry(f"Entry {external_ref} does not balance: {lines}")
    existing = JournalEntry.objects.filter(external_ref=external_ref).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            entry = JournalEntry.objects.create(
                kind=kind,
                external_ref=external_ref,
                assessment=assessment,
                payment=payment,
                company_id=assessment.company_id,
                memo=memo[:200],
            )
            JournalLine.objects.bulk_create(
                [JournalLine(entry=entry, account=account, amount_jpy=amount) for account, amount in lines]
            )
    except IntegrityError:
        return JournalEntry.objects.get(external_ref=external_ref)
    return entry


def post_assessment(*, assessment: Assessment) -> JournalEntry:
    return journal_post(
        kind=JournalEntry.Kind.ASSESSMENT,
        external_ref=f"assessment:{assessment.pk}",
        assessment=assessment,
        lines=[
            (Account.RECEIVABLE, assessment.total_jpy),
            (Account.REVENUE_DUTY, -assessment.customs_duty_jpy),
            (Account.REVENUE_CONSUMPTION, -assessment.consumption_tax_jpy),
            (Account.REVENUE_LOCAL, -assessment.local_consumption_tax_jpy),
        ],
        memo=assessment.reference,
    )


def post_capture(*, payment: PaymentIntent) -> JournalEntry:
    return journal_post(
        kind=JournalEntry.Kind.CAPTURE,
        external_ref=f"capture:{payment.pk}",
        assessment=payment.assessment,
        payment=payment,
        lines=[(clearing_account(payment.method), payment.amount_jpy), (Account.RECEIVABLE, -payment.amount_jpy)],
        memo=str(payment),
    )


def post_fee(*, payment: PaymentIntent, fee_jpy: int) -> JournalEntry | None:
    if fee_jpy <= 0:
        return None
    return journal_post(
        kind=JournalEntry.Kind.FEE,
        external_ref=f"fee:{payment.pk}",
        assessment=payment.assessment,
        payment=payment,
        lines=[(Account.FEES, fee_jpy), (clearing_account(payment.method), -fee_jpy)],
        memo=str(payment),
    )


def post_refund(*, refund: Refund) -> JournalEntry:
    payment = refund.payment
    return journal_post(
        kind=JournalEntry.Kind.REFUND,
        external_ref=f"refund:{refund.pk}",
        assessment=payment.assessment,
        payment=payment,
        lines=[(Account.REFUNDS, refund.amount_jpy), (clearing_account(payment.method), -refund.amount_jpy)],
        memo=str(refund),
    )


def balances(
    *, company_id: int | None = None, declaration_id: int | None = None, assessment_id: int | None = None
) -> dict[str, int]:
    """Balance per account, for everything or narrowed to one company, declaration or assessment."""
    lines = JournalLine.objects.all()
    if company_id is not None:
        lines = lines.filter(entry__company_id=company_id)
    if declaration_id is not None:
        lines = lines.filter(entry__assessment__declaration_id=declaration_id)
    if assessment_id is not None:
        lines = lines.filter(entry__assessment_id=assessment_id)
    totals: dict[str, int] = defaultdict(int)
    for row in lines.values("account").annotate(total=Sum("amount_jpy")):
        totals[row["account"]] = int(row["total"])
    return dict(totals)


def unbalanced_entries() -> list[int]:
    """Ids of entries whose lines do not sum to zero (always empty unless something broke)."""
    return list(
        JournalEntry.objects.annotate(total=Sum("lines__amount_jpy")).exclude(total=0).values_list("pk", flat=True)
    )


def outstanding_jpy(*, assessment_id: int) -> int:
    return balances(assessment_id=assessment_id).get(Account.RECEIVABLE, 0)
