"""Reconciliation: the gateway's daily settlement file matched against the ledger."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import User
from customs_portal.permissions import FINANCE_OFFICER, user_has_role
from payments.models import JournalEntry, PaymentIntent, ReconciliationItem, Refund, SettlementImport

COLUMNS = ["record_type", "gateway_reference", "merchant_reference", "method", "amount_jpy", "fee_jpy", "at"]
Kind = ReconciliationItem.Kind


def _rows(data: bytes) -> list[dict[str, str]]:
    try:
        reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
        if reader.fieldnames != COLUMNS:
            raise ValueError
        rows = list(reader)
        for row in rows:
            int(row["amount_jpy"])
    except (UnicodeDecodeError, ValueError, csv.Error):
        raise ApplicationError(
            _("The settlement file is not in the expected format."), code="settlement_invalid"
        ) from None
    return rows


def settlement_import(
    *, data: bytes, day: date, provider: str = "sandbox", system: str = "payments:reconciliation"
) -> tuple[SettlementImport, bool]:
    """Imports one settlement file and records every mismatch. The same file twice
    returns the first import and changes nothing."""
    digest = hashlib.sha256(data).hexdigest()
    existing = SettlementImport.objects.filter(file_sha256=digest).first()
    if existing is not None:
        return existing, False
    rows = _rows(data)
    try:
        with transaction.atomic():
            settlement = SettlementImport.objects.create(provider=provider, day=day, file_sha256=digest, rows=len(rows))
            matched = _match(settlement, rows, day)
            settlement.matched = matched
            settlement.save(update_fields=["matched"])
            audit_record(
                action="settlement.imported",
                system=system,
                obj=settlement,
                after={"rows": len(rows), "matched": matched, "mismatches": settlement.items.count()},
            )
    except IntegrityError:
        return SettlementImport.objects.get(file_sha256=digest), False
    return settlement, True


def _item(settlement: SettlementImport, kind: str, reference: str, **fields) -> None:
    ReconciliationItem.objects.get_or_create(settlement=settlement, kind=kind, reference=reference, defaults=fields)


def _match(settlement: SettlementImport, rows: list[dict[str, str]], day: date) -> int:
    counts = Counter((row["record_type"], row["gateway_reference"]) for row in rows)
    seen: set[tuple[str, str]] = set()
    matched = 0
    for row in rows:
        key = (row["record_type"], row["gateway_reference"])
        amount = int(row["amount_jpy"])
        if counts[key] > 1:
            _item(settlement, Kind.DUPLICATE, row["gateway_reference"], file_jpy=amount)
        if key in seen:
            continue
        seen.add(key)
        ledger_amount, payment = _ledger_amount(row)
        if ledger_amount is None:
            _item(settlement, Kind.MISSING_IN_LEDGER, row["gateway_reference"], file_jpy=amount, payment=payment)
        elif ledger_amount != amount:
            _item(
                settlement,
                Kind.AMOUNT_DIFFERS,
                row["gateway_reference"],
                file_jpy=amount,
                ledger_jpy=ledger_amount,
                payment=payment,
            )
        else:
            matched += 1
    start = timezone.make_aware(datetime.combine(day, time.min))
    in_file = {reference for record_type, reference in counts if record_type == "charge"}
    for payment in PaymentIntent.objects.filter(
        status__in=PaymentIntent.CAPTURED_STATUSES, succeeded_at__gte=start, succeeded_at__lt=start + timedelta(days=1)
    ).exclude(gateway_token__in=in_file):
        _item(settlement, Kind.MISSING_IN_FILE, payment.gateway_token, ledger_jpy=payment.amount_jpy, payment=payment)
    return matched


def _ledger_amount(row: dict[str, str]) -> tuple[int | None, PaymentIntent | None]:
    """What the ledger holds for a settlement row: the capture of a charge, or (negative)
    a refund."""
    if row["record_type"] == "refund":
        refund = Refund.objects.select_related("payment").filter(gateway_refund_id=row["gateway_reference"]).first()
        if refund is None or not JournalEntry.objects.filter(external_ref=f"refund:{refund.pk}").exists():
            return None, refund.payment if refund else None
        return -refund.amount_jpy, refund.payment
    payment = PaymentIntent.objects.filter(gateway_token=row["gateway_reference"]).first()
    if payment is None or not JournalEntry.objects.filter(external_ref=f"capture:{payment.pk}").exists():
        return None, payment
    return payment.amount_jpy, payment


def reconciliation_item_resolve(*, item: ReconciliationItem, note: str, resolved_by: User, request=None) -> None:
    """Marks a difference between the settlement file and the ledger as resolved, with how.
    Only the officers who handle payments (`FINANCE_OFFICER`: clearance and audit
    officers, supervisors) may; the resolution is audited."""
    if not user_has_role(resolved_by, FINANCE_OFFICER):
        raise ApplicationError(
            _("Only clearance officers, audit officers and supervisors resolve reconciliation items."),
            code="permission_denied",
            status=403,
        )
    note = note.strip()
    if not note:
        message = _("Explain how the difference was resolved.")
        raise ApplicationError(message, code="note_required", fields={"note": [message]})
    with transaction.atomic():
        locked = ReconciliationItem.objects.select_for_update().get(pk=item.pk)
        if locked.resolved_at is not None:
            raise ApplicationError(_("This item is already resolved."), code="already_resolved", status=409)
        locked.resolved_at = timezone.now()
        locked.resolved_by = resolved_by
        locked.resolution_note = note[:500]
        locked.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
        audit_record(
            action="reconciliation.resolved", actor=resolved_by, obj=locked, after={"note": note}, request=request
        )
