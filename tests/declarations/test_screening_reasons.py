"""Screening reasons are codes with parameters, worded in the reader's language on officer
pages only; the trader is told the lane and what to do (the screening rule's side; the
risk model's side is tests/inspection/test_targeting.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from customs_portal.models import AuditEvent, Notification
from customs_portal.reasons import decided_by_text, legacy_reason, reason, reason_text, reasons_text
from declarations.core import precheck
from declarations.core.services import submission
from declarations.models import Declaration, DeclarationAttachment
from declarations.tariff.models import TariffLine
from tests.declarations.factories import DeclarationFactory, DeclarationLineFactory, documents_attach
from tests.declarations.pdf_text import pdf_text
from tests.tariff.factories import TariffRateFactory

pytestmark = pytest.mark.django_db

RULE_REASON = {"en": "Preferential rate claimed on line(s) 1.", "ja": "第1欄で特恵税率を申請しています。"}


def _gsp_declaration(trader, *, submit: bool = True) -> Declaration:
    declaration = DeclarationFactory(company=trader.company, declarant=trader)
    line = DeclarationLineFactory(declaration=declaration, line_no=1, invoice_value=200_000)
    TariffRateFactory(tariff_line=TariffLine.objects.get(hs_code=line.hs_code), column="gsp", expression="free")
    declaration.lines.update(preference="gsp", origin_country="VN")
    documents_attach(declaration, DeclarationAttachment.Kind.ORIGIN_DOCUMENT)
    if submit:
        submission.declaration_submit(declaration=declaration, submitted_by=trader)
        submission.declaration_screen(declaration_id=declaration.pk)
    return Declaration.objects.get(pk=declaration.pk)


def _page(client, declaration: Declaration, language: str) -> str:
    response = client.get(reverse("declaration-detail", args=[declaration.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_rule_stores_its_reason_as_a_code_and_the_audit_trail_keeps_it(trader_a):
    declaration = _gsp_declaration(trader_a)
    assert declaration.lane == "yellow"
    assert declaration.screening_reasons == [{"code": "preference_claimed", "params": {"lines": [1]}}]
    routed = AuditEvent.objects.get(action="declaration.document_review", object_id=str(declaration.pk))
    assert routed.after["screening_reasons"] == declaration.screening_reasons
    assert routed.actor_label == "screening:rule"
    assert not declaration.status_changes.exclude(reason="").exists()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_trader_sees_documents_requested_never_the_rule_reason(trader_a, client_for, language):
    declaration = _gsp_declaration(trader_a)
    html = _page(client_for(trader_a), declaration, language)
    if language == "en":
        assert "Documents requested" in html and "Upload the invoice" in html
    assert RULE_REASON["en"] not in html and RULE_REASON["ja"] not in html
    assert "screening:rule" not in html and "screening rule" not in html


def test_the_trader_pdf_and_notifications_carry_no_rule_reason(trader_a, client_for):
    declaration = _gsp_declaration(trader_a)
    text = pdf_text(client_for(trader_a).get(reverse("declaration-pdf", args=[declaration.pk])).content)
    assert declaration.number in text
    notifications = Notification.objects.filter(company=trader_a.company)
    assert notifications.filter(payload__required_action="documents_requested").exists()
    told = "\n".join([text] + [f"{n.subject} {n.body} {n.payload}" for n in notifications])
    for worded in (*RULE_REASON.values(), "preference_claimed", "screening:rule"):
        assert worded not in told


@pytest.mark.parametrize("language", ["en", "ja"])
def test_officers_see_the_rule_reason_in_their_language(trader_a, clearance_officer, client_for, language):
    declaration = _gsp_declaration(trader_a)
    html = _page(client_for(clearance_officer), declaration, language)
    assert RULE_REASON[language] in html
    other = "ja" if language == "en" else "en"
    assert RULE_REASON[other] not in html
    with translation.override(language):
        assert f"{translation.gettext('Screening')} · {decided_by_text('rule')}" in html


def test_the_trader_api_has_no_screening_reasons_and_the_officer_api_words_them(trader_a, clearance_officer, api_for):
    declaration = _gsp_declaration(trader_a)
    url = f"/api/v1/declarations/{declaration.pk}/"
    trader_body = api_for(trader_a).get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert "screening_reasons" not in trader_body and "screening_reason" not in trader_body
    assert trader_body["required_action"]["code"] == "documents_requested"
    officer_body = api_for(clearance_officer).get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert officer_body["screening_reasons"] == [
        {"code": "preference_claimed", "params": {"lines": [1]}, "text": RULE_REASON["en"]}
    ]


def test_the_timeline_api_refuses_another_company(trader_a, trader_b, api_for):
    declaration = _gsp_declaration(trader_a)
    assert api_for(trader_b).get(f"/api/v1/declarations/{declaration.pk}/timeline/").status_code == 404


def test_the_precheck_names_the_lane_but_not_the_rule_reason(trader_a):
    declaration = _gsp_declaration(trader_a, submit=False)
    with translation.override("en"):
        finding = {f.code: f for f in precheck.declaration_precheck(declaration=declaration)}["lane_yellow"]
    assert finding.message == "The declaration would go to document review."
    assert "Preferential" not in finding.message + finding.fix


# --- rendering -----------------------------------------------------------------------------


def test_reason_codes_are_worded_in_the_active_language():
    stored = [reason("preference_claimed", lines=[1, 3]), reason("importer_new"), reason("exploration")]
    with translation.override("en"):
        assert reasons_text(stored) == [
            "Preferential rate claimed on line(s) 1, 3.",
            "first declaration of this importer",
            "chosen at random to keep the model learning",
        ]
    with translation.override("ja"):
        assert reasons_text(stored) == [
            "第1, 3欄で特恵税率を申請しています。",
            "この輸入者の初めての申告",
            "モデルの学習を続けるため無作為に選定",
        ]


def test_legacy_text_shows_as_written_and_an_unknown_code_never_breaks_a_page():
    assert reason_text(legacy_reason("この輸入者の初めての申告")) == "この輸入者の初めての申告"
    assert reason_text("bare text of an old row") == "bare text of an old row"
    with translation.override("en"):
        assert reason_text(reason("preference_claimed")) == "Unknown reason (preference_claimed)"  # no lines
        assert reason_text(reason("no_such_code")) == "Unknown reason (no_such_code)"


def test_what_decided_is_named_readably():
    with translation.override("en"):
        assert decided_by_text("risk:3") == "risk model v3"
        assert decided_by_text("rule") == "screening rule"
        assert decided_by_text("gbm:2") == "gbm model v2"
