"""Draft declarations: all-or-nothing validation with precise messages, numbering,
updates, withdrawal and the officer's decision service."""

from __future__ import annotations

import pytest

from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent
from declarations.core.services import drafts, submission
from declarations.models import Declaration, DeclarationLine
from tests.declarations import declaration_payloads as p
from tests.declarations.factories import documents_attach

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reference(db):
    with p.interim_screening_rule():
        yield p.reference_data()


def _create(trader, *, lines=None, **changes):
    """A draft with its invoice attached."""
    data = p.header(**changes)
    declaration = drafts.declaration_draft_create(
        company=trader.company, declarant=trader, kind="import", data=data, lines=lines or [p.line()]
    )
    return documents_attach(declaration)


def test_a_valid_draft_is_saved_numbered_and_audited(trader_a):
    declaration = _create(trader_a, lines=[p.line(), p.line(hs_code="2204.21-020", unit="l", origin_country="fr")])
    assert declaration.number == f"IM-2026-{declaration.pk:08d}"
    assert declaration.status == Declaration.Status.DRAFT
    assert [(line.line_no, line.hs_code, line.unit, line.origin_country) for line in declaration.lines.all()] == [
        (1, p.TSHIRT, "NO", "US"),
        (2, p.WINE, "L", "FR"),
    ]
    assert AuditEvent.objects.filter(action="declaration.draft_created", object_id=str(declaration.pk)).exists()


def test_export_declarations_are_numbered_ex(trader_a):
    declaration = drafts.declaration_draft_create(
        company=trader_a.company,
        declarant=trader_a,
        kind="export",
        data=p.header(),
        lines=[p.line(hs_code="999999999")],
    )
    assert declaration.number.startswith("EX-2026-")


@pytest.mark.parametrize(
    ("header", "line", "key", "message"),
    [
        ({}, {"hs_code": "61091"}, "lines[0].hs_code", "A tariff code has 9 digits"),
        ({}, {"hs_code": "999999999"}, "lines[0].hs_code", "No tariff line 999999999 is in force on 2026-03-03"),
        ({}, {"origin_country": "XX"}, "lines[0].origin_country", "“XX” is not an ISO 3166 country code"),
        ({}, {"quantity": "0"}, "lines[0].quantity", "The quantity must be more than zero"),
        ({}, {"quantity": "abc"}, "lines[0].quantity", "Enter a number"),
        ({}, {"invoice_value": "-1"}, "lines[0].invoice_value", "The invoice value cannot be negative"),
        ({}, {"invoice_value": "1e15"}, "lines[0].invoice_value", "implausibly large"),
        ({}, {"preference": "epa", "epa_agreement": "JP-EU"}, "lines[0].epa_agreement", "JP-EU does not cover"),
        (
            {},
            {"preference": "epa", "epa_agreement": "JP-EU", "origin_country": "FR", "origin_proof_reference": "R1"},
            "lines[0].origin_proof",
            "An EPA claim needs the type of origin proof",
        ),
        (
            {},
            {"preference": "epa", "epa_agreement": "JP-EU", "origin_country": "FR", "origin_proof": "certificate"},
            "lines[0].origin_proof_reference",
            "An EPA claim needs the reference",
        ),
        ({}, {"preference": "epa", "epa_agreement": "XYZ"}, "lines[0].epa_agreement", "Name the agreement claimed"),
        (
            {},
            {
                "preference": "epa",
                "epa_agreement": "JP-UK",
                "origin_country": "GB",
                "origin_proof": "certificate",
                "origin_proof_reference": "R",
            },
            "lines[0].epa_agreement",
            "Tariff line 610910000 has no JP-UK rate",
        ),
        ({"invoice_currency": "EUR"}, {}, "invoice_currency", "No customs exchange rate for EUR"),
        ({"invoice_currency": "E1"}, {}, "invoice_currency", "3-letter ISO 4217"),
        ({"office": "ZZ"}, {}, "office", "Choose the customs office"),
        ({"freight": "-5"}, {}, "freight", "cannot be negative"),
        ({"consignee_country": "QQ"}, {}, "consignee_country", "not an ISO 3166 country code"),
        ({"declaration_date": "2026-02-30"}, {}, "declaration_date", "YYYY-MM-DD"),
        ({"party_name": " "}, {}, "party_name", "Name the importer or exporter"),
    ],
)
def test_each_bad_input_is_refused_with_a_precise_message_and_nothing_is_saved(trader_a, header, line, key, message):
    with pytest.raises(ApplicationError) as caught:
        _create(trader_a, lines=[p.line(**line)], **header)
    assert caught.value.code == "validation_error"
    assert message in " ".join(caught.value.fields[key])
    assert not Declaration.objects.exists()
    assert not DeclarationLine.objects.exists()


def test_every_problem_is_reported_at_once_keyed_by_line(trader_a):
    with pytest.raises(ApplicationError) as caught:
        _create(trader_a, lines=[p.line(), p.line(), p.line(origin_country="ZZ", quantity="-1")])
    assert set(caught.value.fields) == {"lines[2].origin_country", "lines[2].quantity"}


def test_a_usd_invoice_is_accepted_when_the_week_has_a_rate(trader_a):
    assert _create(trader_a, invoice_currency="usd").invoice_currency == "USD"


def test_a_draft_update_replaces_its_lines_but_a_bad_update_changes_nothing(trader_a):
    declaration = _create(trader_a)
    drafts.declaration_draft_update(
        declaration=declaration,
        updated_by=trader_a,
        data=p.header(invoice_number="INV-2"),
        lines=[p.line(description="Shirts"), p.line(hs_code=p.WINE)],
    )
    assert declaration.invoice_number == "INV-2"
    assert declaration.lines.count() == 2
    with pytest.raises(ApplicationError):
        drafts.declaration_draft_update(
            declaration=declaration,
            updated_by=trader_a,
            data=p.header(invoice_number="INV-3"),
            lines=[p.line(quantity="0")],
        )
    declaration.refresh_from_db()
    assert declaration.invoice_number == "INV-2"
    assert declaration.lines.count() == 2


def test_another_company_cannot_update_or_withdraw_a_draft(trader_a, trader_b):
    declaration = _create(trader_a)
    with pytest.raises(ApplicationError) as caught:
        drafts.declaration_draft_update(declaration=declaration, updated_by=trader_b, data=p.header(), lines=[p.line()])
    assert caught.value.status == 404
    with pytest.raises(ApplicationError):
        submission.declaration_withdraw(declaration=declaration, withdrawn_by=trader_b)
    declaration.refresh_from_db()
    assert declaration.status == Declaration.Status.DRAFT


def test_a_submitted_declaration_is_no_longer_editable_but_can_be_withdrawn(trader_a):
    declaration = _create(trader_a)
    submission.declaration_submit(declaration=declaration, submitted_by=trader_a)
    with pytest.raises(ApplicationError) as caught:
        drafts.declaration_draft_update(declaration=declaration, updated_by=trader_a, data=p.header(), lines=[p.line()])
    assert caught.value.code == "not_a_draft"
    submission.declaration_withdraw(declaration=declaration, withdrawn_by=trader_a, reason="Shipment cancelled")
    declaration.refresh_from_db()
    assert declaration.status == Declaration.Status.WITHDRAWN
    assert AuditEvent.objects.filter(action="declaration.withdrawn", object_id=str(declaration.pk)).exists()


def test_a_permitted_declaration_cannot_be_withdrawn(trader_a):
    declaration = _create(trader_a, lines=[p.line(invoice_value="5000")])  # ¥5,000: exempt, nothing owed
    submission.declaration_submit(declaration=declaration, submitted_by=trader_a)
    submission.declaration_screen(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    assert declaration.status == Declaration.Status.PERMITTED
    with pytest.raises(ApplicationError) as caught:
        submission.declaration_withdraw(declaration=declaration, withdrawn_by=trader_a)
    assert caught.value.status == 409
