"""The gateway's settlement file matched against the ledger."""

from __future__ import annotations

import pytest
from django.utils import timezone

from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent
from payments import services, tasks
from payments.models import ReconciliationItem, SettlementImport
from payments.reconciliation import reconciliation_item_resolve, settlement_import
from payments.sandbox import gateway
from tests.payments.factories import assessment_for, deliver_and_process, pay_card_at_gateway, start_payment

pytestmark = pytest.mark.django_db
Kind = ReconciliationItem.Kind


def _paid(trader):
    payment = start_payment(assessment_for(trader), trader)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    payment.refresh_from_db()
    return payment


def test_a_clean_settlement_file_matches_and_importing_it_twice_changes_nothing(trader_a, clearance_officer):
    first, second = _paid(trader_a), _paid(trader_a)
    services.refund_request(payment=first, amount_jpy=800, reason="x", requested_by=clearance_officer)
    day = timezone.localdate()
    result = tasks.settlement_import_daily(day.isoformat())
    assert result["created"] == 1 and result["mismatches"] == 0
    settlement = SettlementImport.objects.get()
    assert (settlement.rows, settlement.matched) == (3, 3)
    again = tasks.settlement_import_daily(day.isoformat())
    assert again == {"settlement": settlement.pk, "created": 0, "mismatches": 0}
    assert SettlementImport.objects.count() == 1
    assert second.status == "succeeded"


def test_mismatches_are_found_counted_and_resolved_with_a_note(trader_a, clearance_officer, client_for):
    paid, missing_from_file, _other = _paid(trader_a), _paid(trader_a), _paid(trader_a)
    day = timezone.localdate()
    lines = gateway.settlement_csv(day=day).decode().splitlines()
    header, rows = lines[0], lines[1:]
    # Tamper: one amount differs, one row twice, one charge left out, one unknown charge.
    rows = [row for row in rows if missing_from_file.gateway_token not in row]
    rows = [
        row.replace(f",{paid.amount_jpy},", f",{paid.amount_jpy - 100},") if paid.gateway_token in row else row
        for row in rows
    ]
    rows.append(rows[-1])
    rows.append(f"charge,gw_unknown,PAY-99999999,card,5000,75,{timezone.now().isoformat()}")
    data = ("\n".join([header, *rows]) + "\n").encode()
    settlement, created = settlement_import(data=data, day=day)
    assert created
    kinds = sorted(settlement.items.values_list("kind", flat=True))
    assert kinds == sorted([Kind.AMOUNT_DIFFERS, Kind.DUPLICATE, Kind.MISSING_IN_FILE, Kind.MISSING_IN_LEDGER])
    assert settlement_import(data=data, day=day) == (settlement, False)
    assert ReconciliationItem.objects.count() == 4

    page = client_for(clearance_officer).get("/payments/officer/reconciliation/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert b"Amount differs" in page.content and b"gw_unknown" in page.content

    item = ReconciliationItem.objects.get(kind=Kind.AMOUNT_DIFFERS)
    assert (item.ledger_jpy, item.file_jpy) == (paid.amount_jpy, paid.amount_jpy - 100)
    with pytest.raises(ApplicationError):
        reconciliation_item_resolve(item=item, note="  ", resolved_by=clearance_officer)
    response = client_for(clearance_officer).post(
        f"/payments/officer/reconciliation/{item.pk}/resolve/", {"note": "Gateway corrected its file."}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.resolved_by == clearance_officer and item.resolution_note == "Gateway corrected its file."
    assert AuditEvent.objects.filter(action="reconciliation.resolved").count() == 1


def test_a_malformed_settlement_file_is_refused(trader_a):
    with pytest.raises(ApplicationError) as refused:
        settlement_import(data=b"not,a,settlement\n1,2,3\n", day=timezone.localdate())
    assert refused.value.code == "settlement_invalid"
    assert not SettlementImport.objects.exists()


def test_traders_cannot_see_reconciliation(trader_a, client_for):
    assert client_for(trader_a).get("/payments/officer/reconciliation/").status_code == 403


def _difference(trader) -> ReconciliationItem:
    """An open reconciliation item: a settled charge missing from the gateway's file."""
    paid = _paid(trader)
    lines = gateway.settlement_csv(day=timezone.localdate()).decode().splitlines()
    data = ("\n".join(row for row in lines if paid.gateway_token not in row) + "\n").encode()
    settlement_import(data=data, day=timezone.localdate())
    return ReconciliationItem.objects.get(kind=Kind.MISSING_IN_FILE)


@pytest.mark.parametrize("persona", ["clearance_officer", "audit_officer", "supervisor"])
def test_the_officers_who_handle_payments_resolve_a_difference(request, trader_a, persona):
    item = _difference(trader_a)
    officer = request.getfixturevalue(persona)
    reconciliation_item_resolve(item=item, note="Gateway corrected its file.", resolved_by=officer)
    item.refresh_from_db()
    assert item.resolved_by == officer


@pytest.mark.parametrize("persona", ["inspection_officer", "trader_a"])
def test_other_roles_may_not_resolve_a_difference_and_nothing_changes(request, trader_a, persona, client_for):
    item = _difference(trader_a)
    user = request.getfixturevalue(persona)
    with pytest.raises(ApplicationError) as refused:
        reconciliation_item_resolve(item=item, note="Looks fine.", resolved_by=user)
    assert refused.value.code == "permission_denied"
    response = client_for(user).post(f"/payments/officer/reconciliation/{item.pk}/resolve/", {"note": "Looks fine."})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.resolved_at is None
    assert not AuditEvent.objects.filter(action="reconciliation.resolved").exists()


def test_the_reconciliation_page_offers_resolving_only_to_those_who_may(trader_a, client_for, inspection_officer):
    _difference(trader_a)
    page = client_for(inspection_officer).get("/payments/officer/reconciliation/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "/resolve/" not in page.content.decode() and "Not resolved yet" in page.content.decode()


def test_the_api_refuses_an_inspection_officer_resolving_a_difference(trader_a, inspection_officer, audit_officer):
    from rest_framework.test import APIClient

    item = _difference(trader_a)
    client = APIClient()
    client.force_authenticate(inspection_officer)
    url = f"/api/v1/payments/reconciliation/{item.pk}/resolve/"
    assert client.post(url, {"note": "Looks fine."}, format="json").status_code == 403
    client.force_authenticate(audit_officer)
    assert client.post(url, {"note": "Checked with the gateway."}, format="json").status_code == 200
