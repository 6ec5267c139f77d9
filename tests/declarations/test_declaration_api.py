"""The declarations API: drafts, submission, amendment with diff, withdrawal,
attachments and officer decisions; traders are scoped to their company."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customs_portal.models import AuditEvent
from declarations.core.services import submission
from declarations.models import Declaration, DeclarationAttachment, DeclarationVersion
from tests.declarations import declaration_payloads as p
from tests.declarations.factories import documents_attach
from tests.declarations.test_declaration_attachments import image_bytes, pdf_bytes, png_claiming

pytestmark = pytest.mark.django_db
Status = Declaration.Status
URL = "/api/v1/declarations/"


@pytest.fixture(autouse=True)
def reference(db):
    with p.interim_screening_rule():
        yield p.reference_data()


def _create(api, *, documents=True, **changes):
    """A draft created through the API, with the documents its submission needs unless `documents` is False."""
    response = api.post(URL, p.payload(**changes), format="json")
    assert response.status_code == 201, response.json()
    if documents:
        declaration = Declaration.objects.get(pk=response.json()["id"])
        documents_attach(declaration, DeclarationAttachment.Kind.ORIGIN_DOCUMENT)
    return response.json()


def _submitted_under_review(api, trader):
    """A declaration claiming JP-EU: the interim rule sends it to document review."""
    body = _create(
        api,
        lines=[p.line(origin_country="FR", preference="epa", epa_agreement="JP-EU", origin_proof="certificate",
                      origin_proof_reference="EUR1-778"), p.line(hs_code=p.WINE, unit="L", invoice_value="100000")],
    )  # fmt: skip
    assert api.post(f"{URL}{body['id']}/submit/").status_code == 200
    submission.declaration_screen(declaration_id=body["id"])
    declaration = Declaration.objects.get(pk=body["id"])
    assert declaration.status == Status.DOCUMENT_REVIEW
    return declaration


def test_a_trader_creates_and_lists_its_drafts(api_for, trader_a):
    body = _create(api_for(trader_a))
    assert body["number"].startswith("IM-2026-")
    assert body["status"] == "draft"
    assert body["lines"][0]["hs_code"] == p.TSHIRT
    assert body["allowed_actions"] == ["edit", "precheck", "submit", "attach", "withdraw"]
    listing = api_for(trader_a).get(URL, {"status": "draft"}).json()
    assert [item["number"] for item in listing["results"]] == [body["number"]]
    assert Declaration.objects.get(pk=body["id"]).source == Declaration.Source.API


def test_a_bad_line_is_answered_400_with_the_field_path_and_nothing_is_saved(api_for, trader_a):
    response = api_for(trader_a).post(
        URL, p.payload(lines=[p.line(), p.line(origin_country="XX")]), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"]["lines[1].origin_country"] == ["“XX” is not an ISO 3166 country code."]
    assert not Declaration.objects.exists()


def test_a_trader_never_sees_or_touches_another_companys_declaration(api_for, trader_a, trader_b):
    body = _create(api_for(trader_a))
    other = api_for(trader_b)
    assert other.get(URL).json()["results"] == []
    for method, path, data in [
        ("get", f"{URL}{body['id']}/", None),
        ("put", f"{URL}{body['id']}/", p.payload()),
        ("post", f"{URL}{body['id']}/submit/", None),
        ("post", f"{URL}{body['id']}/withdraw/", {}),
        ("get", f"{URL}{body['id']}/versions/", None),
        ("get", f"{URL}{body['id']}/attachments/", None),
    ]:
        response = getattr(other, method)(path, data, format="json")
        assert response.status_code == 404, (method, path)
    assert Declaration.objects.get(pk=body["id"]).status == Status.DRAFT


def test_officers_see_every_company_but_cannot_create(api_for, trader_a, clearance_officer):
    body = _create(api_for(trader_a))
    officer = api_for(clearance_officer)
    assert officer.get(f"{URL}{body['id']}/").status_code == 200
    assert officer.post(URL, p.payload(), format="json").status_code == 403


def test_a_draft_is_updated_with_put_and_submitted(api_for, trader_a):
    api = api_for(trader_a)
    body = _create(api)
    response = api.put(f"{URL}{body['id']}/", p.payload(invoice_number="INV-9"), format="json")
    assert response.status_code == 200
    assert response.json()["invoice_number"] == "INV-9"
    submitted = api.post(f"{URL}{body['id']}/submit/").json()
    assert submitted["status"] == "submitted"
    # 200,000 at the WTO 7.4 %: duty 14,800; tax base 214,000 × 7.8 % = 16,692 → 16,600.
    assert (submitted["customs_duty_jpy"], submitted["consumption_tax_jpy"]) == (14_800, 16_600)
    assert submitted["lines"][0]["rate_basis"]
    assert api.put(f"{URL}{body['id']}/", p.payload(), format="json").status_code == 409


def test_an_amendment_keeps_the_old_version_and_shows_the_diff_and_tax_difference(api_for, trader_a):
    api = api_for(trader_a)
    declaration = _submitted_under_review(api, trader_a)
    old_snapshot = declaration.versions.get(version=1).snapshot
    amended_lines = [
        p.line(origin_country="FR", preference="epa", epa_agreement="JP-EU", origin_proof="certificate",
               origin_proof_reference="EUR1-778", invoice_value="300000"),
    ]  # fmt: skip
    preview = api.post(
        f"{URL}{declaration.pk}/versions/", p.header() | {"lines": amended_lines, "preview": True}, format="json"
    )
    assert preview.status_code == 200, preview.json()
    result = preview.json()
    assert [(c["line_no"], c["change"]) for c in result["diff"]["lines"]] == [(1, "changed"), (2, "removed")]
    changed = {c["field"]: (c["old"], c["new"]) for c in result["diff"]["lines"][0]["fields"]}
    assert changed["invoice_value"] == ("200000.00", "300000.00")
    # Before: line 1 free (JP-EU), wine 15 % of 100,000 = 15,000. After: no duty at all.
    assert result["taxes_before"]["customs_duty_jpy"] == 15_000
    assert result["taxes_after"]["customs_duty_jpy"] == 0
    assert result["tax_difference"]["customs_duty_jpy"] == -15_000
    declaration.refresh_from_db()
    assert (declaration.version, declaration.lines.count(), declaration.status) == (1, 2, Status.DOCUMENT_REVIEW)

    response = api.post(
        f"{URL}{declaration.pk}/versions/", p.header() | {"lines": amended_lines, "reason": "Wine was shipped separately"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert (response.json()["version"], response.json()["status"]) == (2, "submitted")
    assert DeclarationVersion.objects.get(declaration=declaration, version=1).snapshot == old_snapshot
    versions = api.get(f"{URL}{declaration.pk}/versions/").json()
    assert [(v["version"], v["reason"]) for v in versions] == [(1, ""), (2, "Wine was shipped separately")]
    diff = api.get(f"{URL}{declaration.pk}/diff/", {"from_version": 1, "to_version": 2}).json()
    assert {c["field"] for c in diff["header"]} >= {"customs_duty_jpy", "total_tax_jpy"}
    assert AuditEvent.objects.filter(action="declaration.amended", object_id=str(declaration.pk)).exists()


def test_an_amendment_without_a_reason_or_without_changes_is_refused(api_for, trader_a):
    api = api_for(trader_a)
    declaration = _submitted_under_review(api, trader_a)
    same = [line for line in declaration.versions.get().snapshot["lines"]]
    body = p.header() | {"lines": [p.line(**{k: str(v) for k, v in line.items() if k in p.line()}) for line in same]}
    assert (
        api.post(f"{URL}{declaration.pk}/versions/", body, format="json").json()["error"]["code"] == "reason_required"
    )
    response = api.post(f"{URL}{declaration.pk}/versions/", body | {"reason": "typo"}, format="json")
    assert response.json()["error"]["code"] == "nothing_changed"
    assert Declaration.objects.get(pk=declaration.pk).version == 1


def test_attachments_upload_as_multipart_and_a_disguised_file_is_refused(api_for, trader_a, trader_b):
    api = api_for(trader_a)
    body = _create(api, documents=False)
    url = f"{URL}{body['id']}/attachments/"
    ok = api.post(url, {"kind": "invoice", "file": SimpleUploadedFile("invoice.pdf", pdf_bytes())}, format="multipart")
    assert ok.status_code == 201, ok.json()
    assert ok.json()["content_type"] == "application/pdf"
    fake = SimpleUploadedFile("invoice.pdf", image_bytes("PNG"), "application/pdf")
    refused = api.post(url, {"kind": "invoice", "file": fake}, format="multipart")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "file_type_mismatch"
    assert [a["original_name"] for a in api.get(url).json()] == ["invoice.pdf"]
    other = SimpleUploadedFile("x.pdf", pdf_bytes())
    assert api_for(trader_b).post(url, {"kind": "invoice", "file": other}, format="multipart").status_code == 404


def test_an_image_claiming_a_hundred_thousand_pixels_square_is_refused_with_a_400(api_for, trader_a):
    api = api_for(trader_a)
    body = _create(api, documents=False)
    url = f"{URL}{body['id']}/attachments/"
    bomb = SimpleUploadedFile("scan.png", png_claiming(100_000, 100_000), "image/png")
    refused = api.post(url, {"kind": "invoice", "file": bomb}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "image_too_large"
    assert error["fields"]["file"] == ["The image is too large in pixels; scan or export it at a lower resolution."]
    assert not DeclarationAttachment.objects.exists()


@pytest.mark.parametrize("days_ahead", [31, None])
def test_a_draft_dated_beyond_the_far_future_limit_is_refused_with_a_field_error(api_for, trader_a, days_ahead):
    from datetime import timedelta

    from django.utils import timezone

    day = date(9999, 12, 31) if days_ahead is None else timezone.localdate() + timedelta(days=days_ahead)
    response = api_for(trader_a).post(
        URL, p.payload(declaration_date=day.isoformat()), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    latest = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert error["fields"]["declaration_date"] == [
        f"The declaration date {day.isoformat()} is more than 30 days after today. "
        f"Enter the date the declaration is filed, {latest} at the latest."
    ]
    assert not Declaration.objects.exists()


def test_withdrawal_through_the_api(api_for, trader_a):
    api = api_for(trader_a)
    body = _create(api)
    response = api.post(f"{URL}{body['id']}/withdraw/", {"reason": "Order cancelled"}, format="json")
    assert response.json()["status"] == "withdrawn"
    assert api.post(f"{URL}{body['id']}/withdraw/", {}, format="json").status_code == 409


@pytest.mark.parametrize(
    ("persona", "decision", "status", "expected"),
    [
        ("clearance_officer", "clear", 200, Status.AWAITING_PAYMENT),
        ("supervisor", "reject", 200, Status.REJECTED),
        ("clearance_officer", "escalate", 200, Status.INSPECTION),
        ("inspection_officer", "clear", 403, Status.DOCUMENT_REVIEW),
        ("audit_officer", "clear", 403, Status.DOCUMENT_REVIEW),
        ("trader_a", "clear", 403, Status.DOCUMENT_REVIEW),
    ],
)
def test_officer_decisions_by_role(api_for, trader_a, request, persona, decision, status, expected):
    declaration = _submitted_under_review(api_for(trader_a), trader_a)
    user = request.getfixturevalue(persona)
    response = api_for(user).post(
        f"{URL}{declaration.pk}/decision/", {"decision": decision, "reason": "Checked the certificate"}, format="json"
    )
    assert response.status_code == status, response.json()
    declaration.refresh_from_db()
    assert declaration.status == expected
    if status == 200:
        assert declaration.decision_reason == "Checked the certificate"
        assert AuditEvent.objects.filter(action=f"declaration.{expected}", actor=user).exists()


def test_a_decision_without_a_reason_is_refused(api_for, trader_a, clearance_officer):
    declaration = _submitted_under_review(api_for(trader_a), trader_a)
    response = api_for(clearance_officer).post(
        f"{URL}{declaration.pk}/decision/", {"decision": "clear", "reason": ""}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    assert Declaration.objects.get(pk=declaration.pk).status == Status.DOCUMENT_REVIEW


def test_the_list_api_query_count_does_not_grow_with_rows(api_for, trader_a, django_assert_max_num_queries):
    api = api_for(trader_a)
    for _ in range(12):
        _create(api)
    with django_assert_max_num_queries(4):
        assert len(api.get(URL).json()["results"]) == 12


def test_the_exchange_rate_api_gives_the_weeks_rate_or_a_clear_error(api_for, trader_a):
    api = api_for(trader_a)
    found = api.get("/api/v1/exchange-rates/", {"currency": "usd", "date": "2026-03-07"})
    assert found.json() == {"currency": "USD", "date": "2026-03-07", "rate_jpy": "150.000000"}
    missing = api.get("/api/v1/exchange-rates/", {"currency": "EUR", "date": "2026-03-07"})
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "exchange_rate_missing"
