"""What a user may do with a declaration is decided once (`declaration_allowed_actions`):
the API returns it, the detail page shows exactly those buttons, and each service refuses
an action outside it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customs_portal.errors import ApplicationError
from declarations.core.services import amendments, attachments, decisions, drafts, submission
from declarations.models import Declaration
from tests.declarations import declaration_payloads as p
from tests.declarations.factories import DeclarationFactory, DeclarationLineFactory, documents_attach
from tests.declarations.test_declaration_attachments import pdf_bytes

pytestmark = pytest.mark.django_db
Status = Declaration.Status
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

# What each persona may do at each status.
EXPECTED = [
    (Status.DRAFT, "trader_a", ["edit", "precheck", "submit", "attach", "withdraw"]),
    (Status.DRAFT, "trader_b", None),  # another company: the declaration is not found
    (Status.DRAFT, "clearance_officer", ["precheck"]),
    (Status.SUBMITTED, "trader_a", ["amend", "attach", "withdraw"]),
    (Status.DOCUMENT_REVIEW, "trader_a", ["amend", "attach", "withdraw"]),
    (Status.DOCUMENT_REVIEW, "clearance_officer", ["decide"]),
    (Status.DOCUMENT_REVIEW, "supervisor", ["decide"]),
    (Status.DOCUMENT_REVIEW, "inspection_officer", []),
    (Status.INSPECTION, "inspection_officer", ["decide"]),
    (Status.INSPECTION, "clearance_officer", []),
    (Status.AWAITING_PAYMENT, "trader_a", ["amend", "attach", "withdraw"]),
    (Status.AWAITING_PAYMENT, "clearance_officer", []),
    (Status.PERMITTED, "trader_a", []),
    (Status.REJECTED, "trader_a", []),
    (Status.WITHDRAWN, "trader_a", []),
]

# The control each action shows on the detail page.
CONTROLS = {
    "edit": "/edit/",
    "submit": "/submit/",
    "amend": "/amend/",
    "withdraw": "/withdraw/",
    "attach": 'enctype="multipart/form-data"',
    "decide": "/decide/",
    "precheck": 'id="precheck-heading"',
}


def _declaration(trader, status):
    declaration = DeclarationFactory(company=trader.company, declarant=trader, status=status)
    DeclarationLineFactory(declaration=declaration)
    return documents_attach(declaration)


@pytest.mark.parametrize(("status", "persona", "expected"), EXPECTED)
def test_the_api_returns_the_actions_of_the_status_and_role(api_for, request, trader_a, status, persona, expected):
    declaration = _declaration(trader_a, status)
    response = api_for(request.getfixturevalue(persona)).get(f"/api/v1/declarations/{declaration.pk}/")
    if expected is None:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert response.json()["allowed_actions"] == expected


@pytest.mark.parametrize(("status", "persona", "expected"), [row for row in EXPECTED if row[2] is not None])
def test_the_page_shows_exactly_the_allowed_actions(client_for, request, trader_a, status, persona, expected):
    declaration = _declaration(trader_a, status)
    html = client_for(request.getfixturevalue(persona)).get(f"/declarations/{declaration.pk}/", **EN).content.decode()
    shown = {action for action, control in CONTROLS.items() if control in html}
    assert shown == set(expected)


def test_the_openapi_schema_lists_the_possible_actions(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    allowed = schema["components"]["schemas"]["DeclarationOutput"]["properties"]["allowed_actions"]
    assert allowed["readOnly"] is True
    enum_ref = allowed["items"].get("$ref", "").rsplit("/", 1)[-1]
    values = schema["components"]["schemas"][enum_ref]["enum"] if enum_ref else allowed["items"]["enum"]
    assert set(values) == {"edit", "precheck", "submit", "amend", "attach", "withdraw", "decide"}


@pytest.fixture
def permitted(trader_a):
    return _declaration(trader_a, Status.PERMITTED)


def _refused(call) -> ApplicationError:
    with pytest.raises(ApplicationError) as refused:
        call()
    return refused.value


def test_each_service_refuses_an_action_the_status_does_not_allow(permitted, trader_a, clearance_officer):
    p.reference_data()
    upload = SimpleUploadedFile("invoice.pdf", pdf_bytes(), "application/pdf")
    calls = {
        "edit": lambda: drafts.declaration_draft_update(
            declaration=permitted, updated_by=trader_a, data=p.header(), lines=[p.line()]
        ),
        "submit": lambda: submission.declaration_submit(declaration=permitted, submitted_by=trader_a),
        "amend": lambda: amendments.declaration_amend(
            declaration=permitted, amended_by=trader_a, data=p.header(), lines=[p.line()], reason="Price corrected"
        ),
        "attach": lambda: attachments.declaration_attachment_add(
            declaration=permitted, uploaded_by=trader_a, kind="invoice", file=upload
        ),
        "withdraw": lambda: submission.declaration_withdraw(declaration=permitted, withdrawn_by=trader_a),
        "decide": lambda: decisions.declaration_decide(
            declaration=permitted, officer=clearance_officer, decision="clear", reason="Fine"
        ),
    }
    codes = {action: (_refused(call).code, _refused(call).status) for action, call in calls.items()}
    assert codes == {
        "edit": ("not_a_draft", 409),
        "submit": ("transition_not_allowed", 409),
        "amend": ("not_amendable", 409),
        "attach": ("not_attachable", 409),
        "withdraw": ("transition_not_allowed", 409),
        "decide": ("transition_not_allowed", 409),
    }
    permitted.refresh_from_db()
    assert permitted.status == Status.PERMITTED
    assert permitted.attachments.count() == 1
    assert permitted.versions.count() == 0


def test_a_role_that_never_may_is_refused_403(trader_a, clearance_officer, inspection_officer):
    draft = _declaration(trader_a, Status.DRAFT)
    review = _declaration(trader_a, Status.DOCUMENT_REVIEW)
    assert (
        _refused(lambda: submission.declaration_submit(declaration=draft, submitted_by=clearance_officer)).status == 403
    )
    refused = _refused(
        lambda: decisions.declaration_decide(
            declaration=review, officer=inspection_officer, decision="clear", reason="Fine"
        )
    )
    assert (refused.code, refused.status) == ("permission_denied", 403)
    refused = _refused(
        lambda: decisions.declaration_decide(declaration=review, officer=trader_a, decision="clear", reason="Fine")
    )
    assert refused.status == 403
    review.refresh_from_db()
    assert review.status == Status.DOCUMENT_REVIEW


def test_another_companys_trader_is_told_the_declaration_does_not_exist(trader_a, trader_b):
    draft = _declaration(trader_a, Status.DRAFT)
    refused = _refused(lambda: submission.declaration_withdraw(declaration=draft, withdrawn_by=trader_b))
    assert (refused.code, refused.status) == ("not_found", 404)
