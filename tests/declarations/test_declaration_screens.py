"""The declaration pages for traders and officers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customs_portal.dashboard import queue_counts_for_user
from customs_portal.models import AuditEvent
from declarations.core.services import drafts, submission
from declarations.models import Declaration, DeclarationAttachment
from tests.declarations import declaration_payloads as p
from tests.declarations.factories import CustomsOfficeFactory, documents_attach
from tests.declarations.test_declaration_attachments import image_bytes, pdf_bytes, png_claiming

pytestmark = pytest.mark.django_db
Status = Declaration.Status
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def reference(db):
    with p.interim_screening_rule():
        yield p.reference_data()


def _draft(trader, *, documents=True, **changes):
    """A draft with its invoice attached unless `documents` is False."""
    declaration = drafts.declaration_draft_create(
        company=trader.company, declarant=trader, kind="import", data=p.header(**changes), lines=[p.line()]
    )
    return documents_attach(declaration) if documents else declaration


def _under_review(trader):
    declaration = drafts.declaration_draft_create(
        company=trader.company,
        declarant=trader,
        kind="import",
        data=p.header(),
        lines=[p.line(origin_country="FR", preference="epa", epa_agreement="JP-EU", origin_proof="certificate",
                      origin_proof_reference="EUR1-1")],
    )  # fmt: skip
    documents_attach(declaration, DeclarationAttachment.Kind.ORIGIN_DOCUMENT)
    submission.declaration_submit(declaration=declaration, submitted_by=trader)
    submission.declaration_screen(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    assert declaration.status == Status.DOCUMENT_REVIEW
    return declaration


def test_a_trader_creates_a_draft_through_the_form(client_for, trader_a):
    client = client_for(trader_a)
    page = client.get("/declarations/new/import/", **EN)
    assert page.status_code == 200
    assert b"duty-estimates" in page.content  # the live estimate panel calls the API
    response = client.post("/declarations/new/import/", p.form_post(lines=[p.line(), p.line(hs_code=p.WINE)]), **EN)
    declaration = Declaration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/declarations/{declaration.pk}/"
    assert declaration.lines.count() == 2


def test_the_form_shows_a_service_error_on_the_line_field_and_saves_nothing(client_for, trader_a):
    response = client_for(trader_a).post(
        "/declarations/new/import/", p.form_post(lines=[p.line(), p.line(hs_code="999999999")]), **EN
    )
    assert response.status_code == 200
    assert "No tariff line 999999999 is in force on 2026-03-03." in response.content.decode()
    assert not Declaration.objects.exists()


def test_a_draft_is_edited_and_submitted_from_its_pages(client_for, trader_a):
    declaration = _draft(trader_a)
    client = client_for(trader_a)
    data = p.form_post(invoice_number="INV-77") | {"lines-INITIAL_FORMS": "1"}
    assert client.post(f"/declarations/{declaration.pk}/edit/", data, **EN).status_code == 302
    declaration.refresh_from_db()
    assert declaration.invoice_number == "INV-77"
    client.post(f"/declarations/{declaration.pk}/submit/", **EN)
    declaration.refresh_from_db()
    assert declaration.status == Status.SUBMITTED
    page = client.get(f"/declarations/{declaration.pk}/", **EN).content.decode()
    assert "Waiting for screening." in page
    assert "WTO" in page  # the line's legal basis
    assert "Version 1" in page


def test_the_trader_list_filters_and_pins_its_query_count(
    client_for, trader_a, trader_b, django_assert_max_num_queries
):
    for _ in range(30):
        _draft(trader_a)
    _draft(trader_b, invoice_number="B-ONLY")
    client = client_for(trader_a)
    with django_assert_max_num_queries(8):
        page = client.get("/declarations/", **EN)
    assert len(page.context["page"].object_list) == 25
    assert page.context["page"].paginator.count == 30  # trader_b's draft is not listed
    one = Declaration.objects.filter(company=trader_a.company).first()
    found = client.get("/declarations/", {"number": one.number, "status": "draft", "date_from": "2026-03-01"}, **EN)
    assert [d.pk for d in found.context["page"].object_list] == [one.pk]
    assert client.get("/declarations/", {"status": "permitted"}, **EN).context["page"].paginator.count == 0


def test_another_companys_declaration_is_a_404_on_every_page(client_for, trader_a, trader_b):
    declaration = _under_review(trader_a)
    client = client_for(trader_b)
    for url in ["", "edit/", "amend/", "withdraw/", "pdf/", "diff/"]:
        assert client.get(f"/declarations/{declaration.pk}/{url}", **EN).status_code == 404, url
    assert client.post(f"/declarations/{declaration.pk}/withdraw/", **EN).status_code == 404
    assert Declaration.objects.get(pk=declaration.pk).status == Status.DOCUMENT_REVIEW


def test_officers_cannot_use_trader_pages_and_traders_cannot_use_the_queue(client_for, trader_a, clearance_officer):
    assert client_for(clearance_officer).get("/declarations/", **EN).status_code == 403
    assert client_for(trader_a).get("/officer/declarations/", **EN).status_code == 403


def test_the_pdf_download_is_a_pdf_with_japanese_text(client_for, trader_a):
    declaration = _draft(trader_a, party_name="富士トレーディング株式会社")
    response = client_for(trader_a).get(f"/declarations/{declaration.pk}/pdf/", **EN)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert b"IPAexGothic" in response.content and b"/FontFile2" in response.content


def test_withdrawal_asks_for_confirmation_then_withdraws(client_for, trader_a):
    declaration = _draft(trader_a)
    client = client_for(trader_a)
    assert "cannot be reopened" in client.get(f"/declarations/{declaration.pk}/withdraw/", **EN).content.decode()
    declaration.refresh_from_db()
    assert declaration.status == Status.DRAFT
    client.post(f"/declarations/{declaration.pk}/withdraw/", {"reason": "No longer needed"}, **EN)
    declaration.refresh_from_db()
    assert declaration.status == Status.WITHDRAWN


def test_attachments_upload_from_the_detail_page(client_for, trader_a):
    declaration = _draft(trader_a, documents=False)
    client = client_for(trader_a)
    client.post(
        f"/declarations/{declaration.pk}/attachments/",
        {"kind": "packing_list", "file": SimpleUploadedFile("list.png", image_bytes("PNG"), "image/png")},
        **EN,
    )
    response = client.post(
        f"/declarations/{declaration.pk}/attachments/",
        {"kind": "invoice", "file": SimpleUploadedFile("invoice.pdf", image_bytes("JPEG"), "application/pdf")},
        follow=True,
        **EN,
    )
    assert "its content is image/jpeg" in response.content.decode()
    attachment = DeclarationAttachment.objects.get()
    download = client.get(f"/declarations/{declaration.pk}/attachments/{attachment.pk}/", **EN)
    assert b"".join(download.streaming_content) == attachment.file.open("rb").read()
    assert pdf_bytes()  # the helper stays importable for the API tests


def test_an_amendment_is_previewed_with_its_tax_difference_then_sent(client_for, trader_a):
    declaration = _under_review(trader_a)
    client = client_for(trader_a)
    assert client.get(f"/declarations/{declaration.pk}/amend/", **EN).status_code == 200
    # The EPA claim is dropped: the WTO rate of 7.4 % applies instead of free.
    data = p.form_post() | {"reason": "No origin certificate after all", "lines-INITIAL_FORMS": "1"}
    preview = client.post(f"/declarations/{declaration.pk}/amend/", data | {"action": "preview"}, **EN)
    assert preview.context["preview"].tax_difference["customs_duty_jpy"] == 14_800
    html = preview.content.decode()
    assert "Send the amendment" in html
    assert "<td>¥0</td><td>¥14,800</td><td>¥14,800</td>" in html  # the duty before, after and the difference
    assert "Preference claimed" in html and "preference</code>" not in html
    declaration.refresh_from_db()
    assert declaration.version == 1
    client.post(f"/declarations/{declaration.pk}/amend/", data | {"action": "send"}, **EN)
    declaration.refresh_from_db()
    assert (declaration.version, declaration.status, declaration.customs_duty_jpy) == (2, Status.SUBMITTED, 14_800)
    diff = client.get(f"/declarations/{declaration.pk}/diff/", {"from": 1, "to": 2}, **EN)
    changes = {change.field for change in diff.context["diff"].lines[0].fields}
    assert {"origin_country", "preference", "epa_agreement"} <= changes


def test_the_review_queue_by_role_office_and_lane(client_for, trader_a, clearance_officer, inspection_officer,
                                                  supervisor, django_assert_max_num_queries):  # fmt: skip
    osaka = CustomsOfficeFactory(code="4A", name_en="Osaka Customs", name_ja="大阪税関")
    for _ in range(3):
        _under_review(trader_a)
    elsewhere = _under_review(trader_a)
    Declaration.objects.filter(pk=elsewhere.pk).update(office=osaka)
    tokyo = Declaration.objects.exclude(pk=elsewhere.pk).first().office
    clearance_officer.office = tokyo
    clearance_officer.save()
    officer = client_for(clearance_officer)
    # Session, user, the office choices, the count and one page of rows: not one per row.
    with django_assert_max_num_queries(9):
        page = officer.get("/officer/declarations/", **EN)
    assert page.context["page"].paginator.count == 3  # its own office by default
    everywhere = client_for(supervisor).get("/officer/declarations/", **EN)
    assert everywhere.context["page"].paginator.count == 4
    assert (
        client_for(supervisor).get("/officer/declarations/", {"office": osaka.pk}, **EN).context["page"].paginator.count
        == 1
    )
    assert client_for(inspection_officer).get("/officer/declarations/", **EN).context["page"].paginator.count == 0
    counts = {count.queue.key: count.count for count in queue_counts_for_user(user=clearance_officer)}
    assert counts["declarations_review"] == 3
    supervisor_counts = {count.queue.key: count.count for count in queue_counts_for_user(user=supervisor)}
    assert (supervisor_counts["declarations_review"], supervisor_counts["inspections"]) == (4, 0)


def test_an_officer_decides_from_the_detail_page_and_a_trader_cannot(client_for, trader_a, clearance_officer):
    declaration = _under_review(trader_a)
    page = client_for(clearance_officer).get(f"/declarations/{declaration.pk}/", **EN).content.decode()
    assert "Record the decision" in page
    assert (
        client_for(trader_a)
        .post(f"/declarations/{declaration.pk}/decide/", {"decision": "clear", "reason": "x"}, **EN)
        .status_code
        == 403
    )
    client_for(clearance_officer).post(
        f"/declarations/{declaration.pk}/decide/", {"decision": "reject", "reason": "Certificate forged"}, **EN
    )
    declaration.refresh_from_db()
    assert (declaration.status, declaration.decision_reason) == (Status.REJECTED, "Certificate forged")
    assert AuditEvent.objects.filter(action="declaration.rejected", actor=clearance_officer).exists()
    timeline = client_for(trader_a).get(f"/declarations/{declaration.pk}/", **EN).content.decode()
    assert "Certificate forged" in timeline


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_declaration_page_renders_in_japanese_and_english(client_for, trader_a, clearance_officer, language):
    declaration = _draft(trader_a)
    client = client_for(trader_a)
    header = {"HTTP_ACCEPT_LANGUAGE": language}
    for url in ["/declarations/", "/declarations/new/export/", f"/declarations/{declaration.pk}/",
                f"/declarations/{declaration.pk}/edit/", f"/declarations/{declaration.pk}/withdraw/"]:  # fmt: skip
        assert client.get(url, **header).status_code == 200, url
    assert client_for(clearance_officer).get("/officer/declarations/", **header).status_code == 200


def test_sending_an_amendment_without_a_reason_shows_the_error_and_changes_nothing(client_for, trader_a):
    declaration = _under_review(trader_a)
    data = p.form_post() | {"lines-INITIAL_FORMS": "1", "action": "send", "reason": ""}
    response = client_for(trader_a).post(f"/declarations/{declaration.pk}/amend/", data, **EN)
    assert response.status_code == 200
    assert "Say why the declaration is amended." in response.content.decode()
    declaration.refresh_from_db()
    assert (declaration.version, declaration.status) == (1, Status.DOCUMENT_REVIEW)


def test_an_image_claiming_too_many_pixels_is_refused_on_the_detail_page(client_for, trader_a):
    declaration = _draft(trader_a, documents=False)
    bomb = SimpleUploadedFile("scan.png", png_claiming(100_000, 100_000), "image/png")
    response = client_for(trader_a).post(
        f"/declarations/{declaration.pk}/attachments/", {"kind": "invoice", "file": bomb}, follow=True, **EN
    )
    assert response.status_code == 200
    assert "The image is too large in pixels" in response.content.decode()
    assert not DeclarationAttachment.objects.exists()
