"""Submission runs the pre-submission check: a rejecting finding refuses it through the
service, the API and the pages alike, and the taxes stored are the ones the check computed
and the confirmation page showed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from customs_portal.errors import ApplicationError
from declarations.core import precheck
from declarations.core.services import amendments, drafts, submission
from declarations.models import Declaration, DeclarationAttachment
from tests.declarations import declaration_payloads as p
from tests.declarations.factories import documents_attach

pytestmark = pytest.mark.django_db
Status = Declaration.Status
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def reference(db):
    with p.interim_screening_rule():
        yield p.reference_data()


def _draft(trader, *, lines=None):
    return drafts.declaration_draft_create(
        company=trader.company, declarant=trader, kind="import", data=p.header(), lines=lines or [p.line()]
    )


def _unchanged(declaration) -> None:
    declaration.refresh_from_db()
    assert declaration.status == Status.DRAFT
    assert declaration.total_tax_jpy is None
    assert not declaration.versions.exists()
    assert not declaration.status_changes.exists()
    assert declaration.lines.get().customs_value_jpy is None


def test_a_declaration_without_an_invoice_is_refused_with_the_findings_and_nothing_changes(
    trader_a, django_capture_on_commit_callbacks
):
    declaration = _draft(trader_a)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ApplicationError) as refused:
        submission.declaration_submit(declaration=declaration, submitted_by=trader_a)
    assert (refused.value.code, refused.value.status) == ("submission_refused", 400)
    assert refused.value.fields == {"attachments": ["No invoice is attached."]}
    assert callbacks == []
    _unchanged(declaration)


def test_the_check_and_the_submission_refuse_the_same_things(trader_a):
    """Every rejecting finding of the check is a field error of the refusal, and nothing else."""
    epa = p.line(origin_country="FR", preference="epa", epa_agreement="JP-EU", origin_proof="certificate",
                 origin_proof_reference="EUR1-1")  # fmt: skip
    declaration = _draft(trader_a, lines=[epa])
    rejections = precheck.declaration_precheck_run(declaration=declaration).rejections
    assert {finding.code for finding in rejections} == {"invoice_missing", "origin_document_missing"}
    with pytest.raises(ApplicationError) as refused:
        submission.declaration_submit(declaration=declaration, submitted_by=trader_a)
    assert sum(refused.value.fields.values(), []) == [finding.message for finding in rejections]
    documents_attach(declaration, DeclarationAttachment.Kind.ORIGIN_DOCUMENT)
    assert precheck.declaration_precheck_run(declaration=declaration).rejections == []
    submission.declaration_submit(declaration=declaration, submitted_by=trader_a)
    declaration.refresh_from_db()
    assert declaration.status == Status.SUBMITTED


def test_submission_stores_the_taxes_the_check_computed(trader_a):
    declaration = documents_attach(_draft(trader_a, lines=[p.line(), p.line(hs_code=p.WINE, unit="L")]))
    taxes = precheck.declaration_precheck_run(declaration=declaration).taxes
    submission.declaration_submit(declaration=declaration, submitted_by=trader_a)
    declaration.refresh_from_db()
    assert (
        declaration.customs_value_jpy,
        declaration.customs_duty_jpy,
        declaration.consumption_tax_jpy,
        declaration.local_consumption_tax_jpy,
        declaration.total_tax_jpy,
    ) == (
        taxes.customs_value_jpy,
        taxes.customs_duty_jpy,
        taxes.consumption_tax_jpy,
        taxes.local_consumption_tax_jpy,
        taxes.total_tax_jpy,
    )
    # 200,000 at the WTO 7.4 %: 14,800; 200,000 of wine at 15 %: 30,000.
    assert taxes.customs_duty_jpy == 44_800
    assert [line.customs_value_jpy for line in declaration.lines.order_by("line_no")] == taxes.customs_values


def test_the_api_answers_a_refused_submission_400_with_the_field_paths(api_for, trader_a):
    declaration = _draft(trader_a)
    response = api_for(trader_a).post(f"/api/v1/declarations/{declaration.pk}/submit/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "submission_refused"
    assert error["fields"] == {"attachments": ["No invoice is attached."]}
    _unchanged(declaration)


def _dated(declaration, *, days_ahead: int):
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    Declaration.objects.filter(pk=declaration.pk).update(declaration_date=day)
    declaration.refresh_from_db()
    return declaration


def test_a_declaration_dated_too_far_ahead_is_refused_by_check_service_and_api(api_for, trader_a, settings):
    settings.DECLARATION_DATE_MAX_DAYS_AHEAD = 30
    declaration = _dated(documents_attach(_draft(trader_a)), days_ahead=31)
    [finding] = precheck.declaration_precheck_run(declaration=declaration).rejections
    assert (finding.code, finding.field) == ("declaration_date_in_future", "declaration_date")
    with pytest.raises(ApplicationError) as refused:
        submission.declaration_submit(declaration=declaration, submitted_by=trader_a)
    assert (refused.value.code, refused.value.status) == ("submission_refused", 400)
    response = api_for(trader_a).post(f"/api/v1/declarations/{declaration.pk}/submit/", **EN)
    assert response.status_code == 400
    error = response.json()["error"]
    latest = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    assert error["code"] == "submission_refused"
    assert error["fields"] == {
        "declaration_date": [f"The declaration date {declaration.declaration_date} is more than 30 days after today."]
    }
    checked = api_for(trader_a).get(f"/api/v1/declarations/{declaration.pk}/precheck/", **EN).json()
    assert checked["would_be_rejected"] is True
    assert checked["findings"][0]["fix"] == f"Enter the date the declaration is filed, {latest} at the latest."
    declaration.refresh_from_db()
    assert declaration.status == Status.DRAFT
    assert not declaration.versions.exists()


def test_a_declaration_dated_within_the_limit_is_submitted(trader_a, settings):
    settings.DECLARATION_DATE_MAX_DAYS_AHEAD = 30
    declaration = _dated(documents_attach(_draft(trader_a)), days_ahead=30)
    submission.declaration_submit(declaration=declaration, submitted_by=trader_a)
    declaration.refresh_from_db()
    assert declaration.status == Status.SUBMITTED


def test_the_confirmation_page_shows_the_taxes_and_a_submit_button(client_for, trader_a):
    declaration = documents_attach(_draft(trader_a))
    page = client_for(trader_a).get(f"/declarations/{declaration.pk}/submit/", **EN)
    assert page.status_code == 200
    html = page.content.decode()
    # 200,000 at 7.4 %: duty ¥14,800; consumption tax ¥16,600; local ¥4,600 (22/78); total ¥36,000.
    for shown in ("¥200,000", "¥14,800", "¥16,600", "¥4,600", "¥36,000"):
        assert shown in html, shown
    assert 'name="csrfmiddlewaretoken"' in html
    assert ">Submit</button>" in html
    _unchanged(declaration)  # the page computed without saving


def test_the_confirmation_page_of_a_declaration_that_would_be_rejected_has_no_submit_button(client_for, trader_a):
    declaration = _draft(trader_a)
    html = client_for(trader_a).get(f"/declarations/{declaration.pk}/submit/", **EN).content.decode()
    assert "No invoice is attached." in html
    assert "(Documents)" in html
    assert ">Submit</button>" not in html
    assert "Taxes that will be assessed" not in html
    assert "Correct what would be rejected before submitting." in html


def test_posting_a_refused_submission_shows_why_and_changes_nothing(client_for, trader_a):
    declaration = _draft(trader_a)
    client = client_for(trader_a)
    response = client.post(f"/declarations/{declaration.pk}/submit/", **EN)
    assert response.status_code == 302
    assert response["Location"] == f"/declarations/{declaration.pk}/submit/"
    page = client.get(response["Location"], **EN).content.decode()
    assert "Documents: No invoice is attached." in page
    _unchanged(declaration)


def test_the_page_submits_with_its_csrf_token_only(trader_a):
    declaration = documents_attach(_draft(trader_a))
    client = Client(enforce_csrf_checks=True)
    client.force_login(trader_a)
    assert client.post(f"/declarations/{declaration.pk}/submit/", **EN).status_code == 403
    _unchanged(declaration)
    client.get(f"/declarations/{declaration.pk}/submit/", **EN)
    token = client.cookies["csrftoken"].value
    response = client.post(f"/declarations/{declaration.pk}/submit/", {"csrfmiddlewaretoken": token}, **EN)
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == Status.SUBMITTED


def test_another_company_cannot_open_or_post_the_confirmation(client_for, trader_a, trader_b):
    declaration = documents_attach(_draft(trader_a))
    client = client_for(trader_b)
    assert client.get(f"/declarations/{declaration.pk}/submit/", **EN).status_code == 404
    assert client.post(f"/declarations/{declaration.pk}/submit/", **EN).status_code == 404
    _unchanged(declaration)


def test_an_amendment_meets_the_same_checks_and_a_rejected_one_changes_nothing(trader_a):
    declaration = documents_attach(_draft(trader_a))
    submission.declaration_submit(declaration=declaration, submitted_by=trader_a)
    declaration.refresh_from_db()
    epa = p.line(origin_country="FR", preference="epa", epa_agreement="JP-EU", origin_proof="certificate",
                 origin_proof_reference="EUR1-1")  # fmt: skip
    for call in (amendments.declaration_amendment_preview, amendments.declaration_amend):
        extra = {"reason": "EPA claimed"} if call is amendments.declaration_amend else {}
        with pytest.raises(ApplicationError) as refused:
            call(declaration=declaration, amended_by=trader_a, data=p.header(), lines=[epa], **extra)
        assert refused.value.code == "submission_refused"
        assert list(refused.value.fields) == ["attachments"]
    declaration.refresh_from_db()
    assert (declaration.version, declaration.lines.get().preference) == (1, "")
    documents_attach(declaration, DeclarationAttachment.Kind.ORIGIN_DOCUMENT)
    amendments.declaration_amend(declaration=declaration, amended_by=trader_a, data=p.header(), lines=[epa],
                                 reason="EPA claimed")  # fmt: skip
    declaration.refresh_from_db()
    assert declaration.version == 2
    assert declaration.customs_duty_jpy == 0  # JP-EU: free


def test_a_second_submit_of_a_draft_read_before_the_first_is_refused_and_stores_nothing(trader_a, client_for):
    """Two submits of one draft at once: the second waits for the row, then finds it
    submitted (409), and leaves one version and one status change."""
    declaration = documents_attach(_draft(trader_a))
    stale = Declaration.objects.get(pk=declaration.pk)  # read by the second request before the first commits
    submission.declaration_submit(declaration=declaration, submitted_by=trader_a)
    with pytest.raises(ApplicationError) as refused:
        submission.declaration_submit(declaration=stale, submitted_by=trader_a)
    assert (refused.value.code, refused.value.status) == ("transition_not_allowed", 409)
    assert declaration.versions.count() == 1
    assert declaration.status_changes.filter(to_status=Status.SUBMITTED).count() == 1
    page = client_for(trader_a).post(f"/declarations/{declaration.pk}/submit/", **EN)
    assert page.status_code == 302
