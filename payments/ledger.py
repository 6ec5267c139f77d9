"""The double-entry ledger. Every movement is one JournalEntry whose lines sum to zero
(debits positive, credits negative). Posting is idempotent by `external_ref`; nothing is
ever changed: a correction is a new entry."""

from __future__ import annotations

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Sum

from customs_portal import bulk
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


def assessment_lines(assessment: Assessment) -> list[tuple[str, int]]:
    """The entry of an assessment: the receivable against each tax's revenue."""
    return [
        (Account.RECEIVABLE, assessment.total_jpy),
        (Account.REVENUE_DUTY, -assessment.customs_duty_jpy),
        (Account.REVENUE_CONSUMPTION, -assessment.consumption_tax_jpy),
        (Account.REVENUE_LOCAL, -assessment.local_consumption_tax_jpy),
    ]


def post_assessment(*, assessment: Assessment) -> JournalEntry:
    return journal_post(
        kind=JournalEntry.Kind.ASSESSMENT,
        external_ref=f"assessment:{assessment.pk}",
        assessment=assessment,
        lines=assessment_lines(assessment),
        memo=assessment.reference,
    )


def post_assessments(*, assessments: list[Assessment]) -> None:
    """`post_assessment` for many new assessments at once (bulk manifest screening):
    their entries and lines written in bulk, in the caller's transaction."""
    owed = [assessment for assessment in assessments if assessment.total_jpy]
    entry_ids = bulk.ids_take(JournalEntry, len(owed))
    bulk.Copier(
        JournalEntry,
        JournalEntry(kind=JournalEntry.Kind.ASSESSMENT, payment=None),
        varying=["id", "external_ref", "memo", "assessment_id", "company_id"],
        with_pk=True,
    ).copy(
        [
            {
                "id": entry_id,
                "external_ref": f"assessment:{assessment.pk}",
                "memo": assessment.reference[:200],
                "assessment_id": assessment.pk,
                "company_id": assessment.company_id,
            }
            for entry_id, assessment in zip(entry_ids, owed, strict=True)
        ]  # fmt: skip
    )
    lines = []
    for entry_id, assessment in zip(entry_ids, owed, strict=True):
        amounts = [(account, int(amount)) for account, amount in assessment_lines(assessment) if amount]
        if sum(amount for _, amount in amounts) != 0:
            raise UnbalancedEntry(f"Entry assessment:{assessment.pk} does not balance: {amounts}")
        lines.extend({"entry_id": entry_id, "account": account, "amount_jpy": amount} for account, amount in amounts)
    bulk.Copier(JournalLine, JournalLine(), varying=["entry_id", "account", "amount_jpy"]).copy(lines)


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
