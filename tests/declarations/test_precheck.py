"""The pre-submission check: a dry run of every rule that reports without changing
anything."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import timezone

from customs_portal.models import AuditEvent, Notification
from declarations.core import precheck
from declarations.core.services import attachments
from declarations.models import (
    ControlledGood,
    Declaration,
    DeclarationAttachment,
    DeclarationLine,
    DeclarationStatusChange,
    DeclarationVersion,
    EndUser,
    Preference,
)
from declarations.tariff.models import OriginProof
from tests.declarations.factories import DeclarationFactory, DeclarationLineFactory
from tests.tariff.factories import TariffLineFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _attach(declaration, trader, kind=DeclarationAttachment.Kind.INVOICE):
    attachments.declaration_attachment_add(
        declaration=declaration, uploaded_by=trader, kind=kind, file=SimpleUploadedFile(f"{kind}.pdf", PDF)
    )


def _codes(findings):
    return {finding.code: finding for finding in findings}


@pytest.fixture
def draft(trader_a):
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a)
    DeclarationLineFactory(declaration=declaration, invoice_value=200_000)
    return declaration


def test_a_complete_declaration_has_no_findings(draft, trader_a):
    _attach(draft, trader_a)
    findings = precheck.declaration_precheck(declaration=draft)
    # The inspection app's risk model, when installed, adds a note that it decides the lane.
    assert {finding.code for finding in findings} <= {"risk_model"}
    assert all(finding.severity == "note" for finding in findings)


def test_a_declaration_without_lines_would_be_rejected(trader_a):
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a)
    [finding] = precheck.declaration_precheck(declaration=declaration)
    assert (finding.severity, finding.code, finding.field) == ("reject", "no_lines", "lines")


def test_a_missing_invoice_would_be_rejected_with_a_fix(draft):
    finding = _codes(precheck.declaration_precheck(declaration=draft))["invoice_missing"]
    assert finding.severity == precheck.Severity.REJECT
    assert finding.field == "attachments"
    assert "Attach the commercial invoice" in finding.fix
    assert str(finding.severity_label) == "Would be rejected"


def test_an_epa_claim_without_origin_document_or_proof_and_not_covering_the_origin(trader_a):
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a)
    tariff = TariffLineFactory(rates={"general": "10%", "wto": "5%", "epa:JP-EU": "free"})
    DeclarationLineFactory(
        declaration=declaration,
        hs_code=tariff.hs_code,
        origin_country="US",
        preference=Preference.EPA,
        epa_agreement="JP-EU",
        origin_proof=OriginProof.IMPORTER_DECLARATION,
    )
    _attach(declaration, trader_a)
    findings = _codes(precheck.declaration_precheck(declaration=declaration))
    assert findings["origin_document_missing"].severity == "reject"
    not_covered = findings["epa_not_applicable"]
    assert not_covered.field == "lines[0].preference"
    assert "JP-EU does not cover goods originating in US" in not_covered.message
    assert "covers the origin" in not_covered.fix
    # The preference also means document review under the screening rule.
    assert findings["lane_yellow"].severity == "review"
    assert findings["origin_proof_reference_missing"].severity == "review"


def test_an_epa_claim_without_a_proof_is_reported_by_the_duty_engine(trader_a):
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a)
    tariff = TariffLineFactory(rates={"general": "10%", "epa:JP-EU": "free"})
    DeclarationLineFactory(
        declaration=declaration, hs_code=tariff.hs_code, origin_country="DE", preference="epa", epa_agreement="JP-EU"
    )
    finding = _codes(precheck.declaration_precheck(declaration=declaration))["origin_proof_required"]
    assert finding.field == "lines[0].origin_proof"


def test_a_missing_exchange_rate_would_be_rejected(trader_a):
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a, invoice_currency="XAU")
    DeclarationLineFactory(declaration=declaration)
    finding = _codes(precheck.declaration_precheck(declaration=declaration))["exchange_rate_missing"]
    assert finding.severity == "reject"


def test_export_licence_and_listed_consignee(trader_a):
    ControlledGood.objects.create(hs_prefix="848620", description_en="Semiconductor manufacturing machines")
    EndUser.objects.create(name="Orion Precision Technology Co. Ltd.", country="IR", reason="Nuclear")
    TariffLineFactory(hs_code="848620000")
    declaration = DeclarationFactory(
        company=trader_a.company,
        declarant=trader_a,
        kind=Declaration.Kind.EXPORT,
        consignee_name="ORION PRECISION TECHNOLOGY LLC",
        incoterm=Declaration.Incoterm.FOB,
    )
    DeclarationLineFactory(declaration=declaration, hs_code="848620000", origin_country="JP")
    findings = _codes(precheck.declaration_precheck(declaration=declaration))
    licence = findings["export_licence_required"]
    assert (licence.severity, licence.field) == ("reject", "lines[0].export_licence_number")
    listed = findings["end_user_listed"]
    assert listed.severity == "review"
    assert "Orion Precision Technology Co. Ltd." in listed.message
    # Reported once, as the end-user finding, not again as a lane finding.
    assert "lane_yellow" not in findings


def test_an_unknown_export_tariff_code_is_reported(trader_a):
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a, kind=Declaration.Kind.EXPORT)
    DeclarationLineFactory(declaration=declaration, hs_code="999999999", origin_country="ZZ")
    findings = _codes(precheck.declaration_precheck(declaration=declaration))
    assert findings["unknown_tariff_code"].field == "lines[0].hs_code"
    assert findings["unknown_country"].field == "lines[0].origin_country"


def _history(trader, hs_code, yen_per_kg, count=8):
    for index in range(count):
        past = DeclarationFactory(
            company=trader.company,
            declarant=trader,
            status=Declaration.Status.PERMITTED,
            submitted_at=timezone.now() - dt.timedelta(days=index + 1),
        )
        DeclarationLineFactory(
            declaration=past,
            hs_code=hs_code,
            net_weight_kg=Decimal(100),
            invoice_value=Decimal(100 * (yen_per_kg + 10 * index)),
            customs_value_jpy=100 * (yen_per_kg + 10 * index),
        )


def test_a_unit_value_far_outside_the_usual_range_is_noted(trader_a, trader_b):
    tariff = TariffLineFactory(rates={"general": "5%"})
    _history(trader_b, tariff.hs_code, yen_per_kg=1_000)
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a)
    DeclarationLineFactory(
        declaration=declaration, hs_code=tariff.hs_code, net_weight_kg=Decimal(10), invoice_value=Decimal(200_000)
    )
    finding = _codes(precheck.declaration_precheck(declaration=declaration))["unit_value_unusual"]
    assert finding.severity == "note"
    assert "¥20,000 per kg" in finding.message
    assert "8 past lines" in finding.message


def test_a_usual_unit_value_or_too_little_history_is_not_noted(trader_a, trader_b):
    tariff = TariffLineFactory(rates={"general": "5%"})
    _history(trader_b, tariff.hs_code, yen_per_kg=1_000)
    scarce = TariffLineFactory(rates={"general": "5%"})
    _history(trader_b, scarce.hs_code, yen_per_kg=1_000, count=3)
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a)
    DeclarationLineFactory(
        declaration=declaration, hs_code=tariff.hs_code, net_weight_kg=Decimal(10), invoice_value=Decimal(10_300)
    )
    DeclarationLineFactory(
        declaration=declaration, hs_code=scarce.hs_code, net_weight_kg=Decimal(1), invoice_value=Decimal(900_000)
    )
    assert "unit_value_unusual" not in _codes(precheck.declaration_precheck(declaration=declaration))


def _state():
    """Everything a check could conceivably write."""
    return {
        "declarations": list(Declaration.objects.order_by("pk").values()),
        "lines": list(DeclarationLine.objects.order_by("pk").values()),
        "versions": DeclarationVersion.objects.count(),
        "changes": DeclarationStatusChange.objects.count(),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


def test_the_check_changes_nothing(trader_a, django_capture_on_commit_callbacks):
    ControlledGood.objects.create(hs_prefix="9301", description_en="Military weapons")
    EndUser.objects.create(name="Acme Trading Limited", country="IR")
    TariffLineFactory(hs_code="930100000")
    export = DeclarationFactory(
        company=trader_a.company, declarant=trader_a, kind=Declaration.Kind.EXPORT, consignee_name="Acme Trading"
    )
    DeclarationLineFactory(declaration=export, hs_code="930100000", origin_country="JP")
    imported = DeclarationFactory(company=trader_a.company, declarant=trader_a)
    DeclarationLineFactory(declaration=imported, preference="epa", epa_agreement="JP-EU", origin_country="US")
    before = _state()
    with django_capture_on_commit_callbacks() as callbacks:
        for declaration in (export, imported):
            assert precheck.declaration_precheck(declaration=declaration)
    assert _state() == before
    assert callbacks == []


def test_the_api_answers_the_owner_and_officers_only(draft, api_for, trader_a, trader_b, clearance_officer):
    response = api_for(trader_a).get(f"/api/v1/declarations/{draft.pk}/precheck/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert body["would_be_rejected"] is True
    assert body["findings"][0]["code"] == "invoice_missing"
    assert set(body["findings"][0]) == {"severity", "severity_label", "code", "field", "field_label", "message", "fix"}
    assert (body["findings"][0]["field"], body["findings"][0]["field_label"]) == ("attachments", "Documents")
    assert api_for(clearance_officer).get(f"/api/v1/declarations/{draft.pk}/precheck/").status_code == 200
    assert api_for(trader_b).get(f"/api/v1/declarations/{draft.pk}/precheck/").status_code == 404


def test_the_fragment_and_the_page_render_the_findings(draft, client_for, trader_a, trader_b):
    html = render_to_string(
        "declarations/_precheck.html", {"findings": precheck.declaration_precheck(declaration=draft)}
    )
    assert "precheck__item--reject" in html and "No invoice is attached." in html
    page = client_for(trader_a).get(f"/declarations/{draft.pk}/precheck/", HTTP_ACCEPT_LANGUAGE="en")
    assert b"No invoice is attached." in page.content
    assert client_for(trader_b).get(f"/declarations/{draft.pk}/precheck/").status_code == 404


def test_a_declaration_past_draft_is_not_prechecked_by_api_or_page(client_for, api_for, trader_a, clearance_officer):
    inspected = DeclarationFactory(company=trader_a.company, declarant=trader_a, status=Declaration.Status.INSPECTION)
    DeclarationLineFactory(declaration=inspected)
    for user in (trader_a, clearance_officer):
        response = api_for(user).get(f"/api/v1/declarations/{inspected.pk}/precheck/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 409
        assert response.json()["error"] == {
            "code": "not_a_draft",
            "message": "Only a draft is checked before submission.",
            "fields": {},
        }
    client = client_for(trader_a)
    page = client.get(f"/declarations/{inspected.pk}/precheck/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert page.redirect_chain == [(f"/declarations/{inspected.pk}/", 302)]
    assert b"Only a draft is checked before submission." in page.content
    assert b"precheck-heading" not in page.content


def test_the_detail_page_shows_findings_for_a_draft_only(draft, client_for, trader_a):
    client = client_for(trader_a)
    assert b"No invoice is attached." in client.get(f"/declarations/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    draft.status = Declaration.Status.INSPECTION
    draft.save(update_fields=["status"])
    page = client.get(f"/declarations/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert b"precheck-heading" not in page.content
