"""What the declaration pages and API say, in the reader's language: the legal basis of a
rate stored as a code, a free rate, the office's name, field labels instead of paths, the
amendment diff in labels and yen with only real changes, and the portal's status notes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from declarations.core import precheck, selectors
from declarations.core.services import amendments, drafts, submission
from declarations.models import Declaration, DeclarationStatusChange
from tests.declarations import declaration_payloads as p
from tests.declarations.factories import DeclarationFactory, DeclarationLineFactory, documents_attach

pytestmark = pytest.mark.django_db
Status = Declaration.Status
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}


@pytest.fixture(autouse=True)
def reference(db):
    with p.interim_screening_rule():
        yield p.reference_data()


def _submitted(trader, *, lines=None):
    declaration = drafts.declaration_draft_create(
        company=trader.company, declarant=trader, kind="import", data=p.header(), lines=lines or [p.line()]
    )
    documents_attach(declaration)
    with translation.override("en"):
        submission.declaration_submit(declaration=declaration, submitted_by=trader)
    declaration.refresh_from_db()
    return declaration


def test_the_legal_basis_is_stored_as_a_code_and_worded_in_the_readers_language(client_for, api_for, trader_a):
    declaration = _submitted(trader_a)
    assert declaration.lines.get().rate_basis == "wto"
    client = client_for(trader_a)
    assert "WTO bound rate" in client.get(f"/declarations/{declaration.pk}/", **EN).content.decode()
    assert "WTO協定税率" in client.get(f"/declarations/{declaration.pk}/", **JA).content.decode()
    line = api_for(trader_a).get(f"/api/v1/declarations/{declaration.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (line["lines"][0]["rate_basis"], line["lines"][0]["rate_basis_label"]) == ("wto", "WTO bound rate")


def test_an_amendment_in_another_language_shows_no_false_change_of_the_basis(trader_a):
    declaration = _submitted(trader_a)
    with translation.override("ja"):
        preview = amendments.declaration_amendment_preview(
            declaration=declaration, amended_by=trader_a, data=p.header(), lines=[p.line(invoice_value="250000")]
        )
    [line] = preview.diff.lines
    assert "rate_basis" not in {change.field for change in line.fields}
    assert "invoice_value" in {change.field for change in line.fields}


def test_the_diff_shows_labels_and_yen_and_only_real_changes():
    old = {
        "header": {"customs_value_jpy": 1_234_567, "freight": "10.00", "incoterm": "CIF", "invoice_number": ""},
        "lines": [{"line_no": 1, "quantity": "100.000", "rate_basis": "wto", "rate_applied": "5%"}],
    }
    new = {
        "header": {"customs_value_jpy": 1_500_000, "freight": "10", "incoterm": "FOB", "invoice_number": None},
        "lines": [{"line_no": 1, "quantity": "100", "rate_basis": "wto", "rate_applied": "free"}],
    }
    with translation.override("en"):
        diff = amendments.snapshot_diff(old=old, new=new)
        header = [(change.label, change.old_text, change.new_text) for change in diff.header]
        [line] = diff.lines
        line_changes = [(change.label, change.old_text, change.new_text) for change in line.fields]
    assert header == [("Customs value (JPY)", "¥1,234,567", "¥1,500,000"), ("Incoterm", "CIF", "FOB")]
    assert line_changes == [("Rate applied", "5%", "Free")]
    assert amendments.snapshot_diff(old=old, new=old).is_empty


def test_the_diff_page_never_shows_raw_field_names(client_for, trader_a):
    declaration = _submitted(trader_a)
    declaration.status = Status.DOCUMENT_REVIEW
    declaration.save(update_fields=["status"])
    amendments.declaration_amend(
        declaration=declaration,
        amended_by=trader_a,
        data=p.header(),
        lines=[p.line(invoice_value="250000")],
        reason="Price corrected",
    )
    html = client_for(trader_a).get(f"/declarations/{declaration.pk}/diff/", **EN).content.decode()
    assert "Customs value (JPY)" in html
    assert "¥250,000" in html
    for raw in ("customs_value_jpy", "invoice_value", "total_tax_jpy", "rate_basis"):
        assert raw not in html, raw


def test_a_free_rate_and_the_office_name_are_shown_in_the_readers_language(client_for, trader_a):
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a)
    DeclarationLineFactory(declaration=declaration, rate_applied="free", rate_basis="epa:JP-EU")
    client = client_for(trader_a)
    english = client.get(f"/declarations/{declaration.pk}/", **EN).content.decode()
    assert "<td>Free</td>" in english
    assert "JP-EU EPA preferential rate" in english
    assert "Tokyo Customs" in english and "東京税関" not in english
    japanese = client.get(f"/declarations/{declaration.pk}/", **JA).content.decode()
    assert "東京税関" in japanese and "Tokyo Customs" not in japanese
    assert "JP-EU EPA税率" in japanese


def test_findings_name_fields_by_label_and_the_api_keeps_the_path(client_for, api_for, trader_a):
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a, kind=Declaration.Kind.EXPORT)
    DeclarationLineFactory(declaration=declaration, hs_code="999999999", origin_country="JP")
    with translation.override("en"):
        [finding] = [
            f for f in precheck.declaration_precheck(declaration=declaration) if f.code == "unknown_tariff_code"
        ]
        assert (finding.field, finding.field_label) == ("lines[0].hs_code", "Line 1 · Tariff code")
    html = client_for(trader_a).get(f"/declarations/{declaration.pk}/", **EN).content.decode()
    assert "(Line 1 · Tariff code)" in html
    assert "lines[0]" not in html
    assert "(attachments)" not in html and "(Documents)" in html
    body = api_for(trader_a).get(f"/api/v1/declarations/{declaration.pk}/precheck/").json()
    assert "lines[0].hs_code" in {f["field"] for f in body["findings"]}


def test_a_form_without_lines_asks_for_a_line_of_goods(client_for, trader_a):
    response = client_for(trader_a).post("/declarations/new/import/", p.form_post(lines=[]), **EN)
    html = response.content.decode()
    assert "Add at least one line of goods." in html
    assert "Please submit at least" not in html
    assert not Declaration.objects.exists()


def test_the_portals_status_note_is_stored_as_a_code_and_worded_when_read(trader_a, clearance_officer):
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a, status=Status.SUBMITTED)
    DeclarationStatusChange.objects.create(
        declaration=declaration,
        from_status=Status.DRAFT,
        to_status=Status.SUBMITTED,
        actor=trader_a,
        actor_label=trader_a.username,
        note_code=DeclarationStatusChange.Note.IMPORTED_FROM_MANIFEST,
        note_params={"name": "parcels.csv"},
    )
    with translation.override("en"):
        [entry] = selectors.declaration_timeline(declaration=declaration, user=trader_a)
        assert entry.note == "Imported from manifest parcels.csv."
    with translation.override("ja"):
        [entry] = selectors.declaration_timeline(declaration=declaration, user=clearance_officer)
        assert entry.note == "マニフェスト parcels.csv から取り込みました。"


def test_amounts_are_compared_by_value():
    old = {"header": {}, "lines": [{"line_no": 1, "invoice_value": "200000.00", "net_weight_kg": "20.000"}]}
    new = {"header": {}, "lines": [{"line_no": 1, "invoice_value": Decimal("200000"), "net_weight_kg": "20"}]}
    assert amendments.snapshot_diff(old=old, new=new).is_empty


def test_the_duty_estimate_words_a_free_rate_for_the_forms_live_estimate(api_for, trader_a):
    lines = [{"hs_code": p.TSHIRT, "origin": "FR", "preference": "JP-EU", "origin_proof": "certificate",
              "customs_value_jpy": 100_000, "quantity": "10"}]  # fmt: skip
    body = api_for(trader_a).post(
        "/api/v1/duty-estimates/", {"lines": lines, "date": p.DAY.isoformat()}, format="json", **EN
    )
    assert body.status_code == 200, body.json()
    [line] = body.json()["lines"]
    assert (line["rate"], line["rate_label"]) == ("free", "Free")


def test_a_refused_draft_says_which_line_and_field_and_the_api_keeps_the_path(api_for, trader_a):
    response = api_for(trader_a).post(
        "/api/v1/declarations/", p.payload(lines=[p.line(hs_code="12")]), format="json", **EN
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert "lines[0].hs_code" in error["fields"]
    assert "Line 1 · Tariff code: A tariff code has 9 digits" in error["message"]
    assert "lines[0]" not in error["message"]


def test_invoice_amounts_show_thousands_separators_and_their_currency(client_for, trader_a):
    declaration = DeclarationFactory(
        company=trader_a.company, declarant=trader_a, invoice_currency="USD", freight=Decimal("1250.50")
    )
    DeclarationLineFactory(declaration=declaration, invoice_value=Decimal("80000.00"))
    page = client_for(trader_a).get(f"/declarations/{declaration.pk}/", **EN).content.decode()
    assert "80,000.00 USD" in page and "80000.00" not in page
    assert "1,250.50 / 0.00 USD" in page
