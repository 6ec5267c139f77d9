"""Digitised applications: duty relief and IP import suspension, with their life
cycle, officer decisions, evidence files, pages and API."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent, Notification
from declarations.applications import services as applications
from declarations.models import ApplicationStatus, DutyReliefApplication, IpSuspensionApplication
from tests.declarations.factories import DeclarationFactory

pytestmark = pytest.mark.django_db
Status = ApplicationStatus
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def _relief(trader, **overrides):
    data = {
        "provision": DutyReliefApplication.Provision.RE_EXPORT,
        "goods_description": "Machine tool for a trade fair",
        "declaration": None,
        "amount_claimed_jpy": 480_000,
        "reason": "Re-exported within one year.",
    } | overrides
    return applications.application_create(kind="relief", applicant=trader, data=data)


def _ip(trader, **overrides):
    data = {
        "right_holder": "Fuji Trading",
        "right_type": IpSuspensionApplication.RightType.TRADEMARK,
        "registration_number": "5123456",
        "goods_description": "Handbags bearing the FUJI mark",
        "identification": "Genuine goods carry a hologram tag.",
        "valid_from": dt.date(2026, 4, 1),
        "valid_until": dt.date(2028, 3, 31),
    } | overrides
    return applications.application_create(kind="ip", applicant=trader, data=data)


@pytest.fixture
def submitted_relief(trader_a):
    application = _relief(trader_a)
    return applications.application_submit(application=application, submitted_by=trader_a)


# --- services ------------------------------------------------------------------------


def test_an_officer_decision_is_audited_and_told_to_the_company(submitted_relief, clearance_officer, trader_a):
    applications.application_review_start(application=submitted_relief, officer=clearance_officer)
    applications.application_decide(
        application=submitted_relief, officer=clearance_officer, approve=True, reason="Contract checked."
    )
    submitted_relief.refresh_from_db()
    assert submitted_relief.status == Status.APPROVED
    assert submitted_relief.decided_by == clearance_officer
    assert submitted_relief.decision_reason == "Contract checked."
    event = AuditEvent.objects.get(action="dutyreliefapplication.approved")
    assert event.actor == clearance_officer
    assert event.after == {"status": "approved", "reason": "Contract checked."}
    assert Notification.objects.filter(company=trader_a.company, event="application.status_changed").count() == 2


def test_a_decision_needs_a_reason_and_changes_nothing_without_one(submitted_relief, clearance_officer):
    with pytest.raises(ApplicationError) as refused:
        applications.application_decide(
            application=submitted_relief, officer=clearance_officer, approve=False, reason=" "
        )
    assert "reason" in refused.value.fields
    submitted_relief.refresh_from_db()
    assert submitted_relief.status == Status.SUBMITTED


@pytest.mark.parametrize("persona", ["trader_a", "inspection_officer", "audit_officer"])
def test_only_clearance_officers_and_supervisors_decide(submitted_relief, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(ApplicationError) as refused:
        applications.application_decide(application=submitted_relief, officer=user, approve=True, reason="ok")
    assert refused.value.status == 403
    submitted_relief.refresh_from_db()
    assert submitted_relief.status == Status.SUBMITTED


def test_a_supervisor_may_reject_at_once(submitted_relief, supervisor):
    applications.application_decide(application=submitted_relief, officer=supervisor, approve=False, reason="No basis.")
    submitted_relief.refresh_from_db()
    assert submitted_relief.status == Status.REJECTED


def test_a_decided_application_cannot_be_decided_again(submitted_relief, clearance_officer, supervisor):
    applications.application_decide(application=submitted_relief, officer=clearance_officer, approve=True, reason="ok")
    with pytest.raises(ApplicationError) as refused:
        applications.application_decide(application=submitted_relief, officer=supervisor, approve=False, reason="no")
    assert refused.value.status == 409


def test_a_trader_deciding_a_decided_application_is_refused_for_the_role(
    api_for, submitted_relief, clearance_officer, trader_a
):
    applications.application_decide(application=submitted_relief, officer=clearance_officer, approve=True, reason="ok")
    response = api_for(trader_a).post(
        f"/api/v1/applications/relief/{submitted_relief.pk}/decide/", {"approve": False, "reason": "x"}, format="json"
    )
    assert response.status_code == 403
    submitted_relief.refresh_from_db()
    assert (submitted_relief.status, submitted_relief.decision_reason) == (Status.APPROVED, "ok")


def test_another_company_cannot_withdraw_or_submit(submitted_relief, trader_b):
    with pytest.raises(ApplicationError) as refused:
        applications.application_withdraw(application=submitted_relief, withdrawn_by=trader_b)
    assert refused.value.status == 404


def test_the_trader_withdraws_its_own_application(submitted_relief, trader_a):
    applications.application_withdraw(application=submitted_relief, withdrawn_by=trader_a, reason="Not needed.")
    submitted_relief.refresh_from_db()
    assert submitted_relief.status == Status.WITHDRAWN


def test_a_declaration_of_another_company_cannot_be_referenced(trader_a, trader_b):
    foreign = DeclarationFactory(company=trader_b.company, declarant=trader_b)
    with pytest.raises(ApplicationError) as refused:
        _relief(trader_a, declaration=foreign)
    assert "declaration" in refused.value.fields
    assert not DutyReliefApplication.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount_claimed_jpy": 0}, "amount_claimed_jpy"),
        ({"amount_claimed_jpy": -5}, "amount_claimed_jpy"),
        ({"provision": "made_up"}, "provision"),
        ({"reason": ""}, "reason"),
    ],
)
def test_bad_relief_input_is_refused(trader_a, overrides, field):
    with pytest.raises(ApplicationError) as refused:
        _relief(trader_a, **overrides)
    assert field in refused.value.fields


def test_an_ip_period_is_ordered_and_at_most_four_years(trader_a):
    with pytest.raises(ApplicationError):
        _ip(trader_a, valid_until=dt.date(2026, 3, 1))
    with pytest.raises(ApplicationError):
        _ip(trader_a, valid_until=dt.date(2030, 4, 2))
    assert not IpSuspensionApplication.objects.exists()


def test_an_ip_application_needs_evidence_before_submission(trader_a):
    application = _ip(trader_a)
    with pytest.raises(ApplicationError) as refused:
        applications.application_submit(application=application, submitted_by=trader_a)
    assert "file" in refused.value.fields
    applications.ip_evidence_add(
        application=application, file=SimpleUploadedFile("registration.pdf", PDF), uploaded_by=trader_a
    )
    applications.ip_evidence_add(
        application=application, file=SimpleUploadedFile("tag.png", _png()), uploaded_by=trader_a
    )
    applications.application_submit(application=application, submitted_by=trader_a)
    assert application.status == Status.SUBMITTED
    assert sorted(application.evidence.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("fake.pdf", b"This is plain text pretending to be a PDF", "file_type_not_allowed"),
        ("photo.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "file_type_not_allowed"),
        ("scan.pdf", None, "file_type_mismatch"),  # a real PNG named .pdf
        ("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n", "file_too_large"),
    ],
)
def test_evidence_is_checked_by_content_and_size(trader_a, name, content, code):
    application = _ip(trader_a)
    with pytest.raises(ApplicationError) as refused:
        applications.ip_evidence_add(
            application=application, file=SimpleUploadedFile(name, content or _png()), uploaded_by=trader_a
        )
    assert refused.value.code == code
    assert not application.evidence.exists()


# --- pages -----------------------------------------------------------------------------


def test_a_trader_files_and_submits_an_application_through_the_pages(client_for, trader_a):
    client = client_for(trader_a)
    response = client.post(
        "/applications/relief/new/",
        {
            "provision": DutyReliefApplication.Provision.SPECIFIC_USE,
            "goods_description": "Research reagents",
            "amount_claimed_jpy": "36000",
            "reason": "University research.",
        },
    )
    application = DutyReliefApplication.objects.get()
    assert response.status_code == 302
    assert application.company == trader_a.company
    client.post(f"/applications/relief/{application.pk}/action/", {"action": "submit"})
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_a_bad_form_shows_errors_and_saves_nothing(client_for, trader_a):
    response = client_for(trader_a).post(
        "/applications/relief/new/",
        {"provision": "customs_tariff_17", "goods_description": "x", "amount_claimed_jpy": "-1", "reason": "r"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert b"field-error" in response.content
    assert not DutyReliefApplication.objects.exists()


def test_the_officer_decides_through_the_page(client_for, submitted_relief, clearance_officer):
    client = client_for(clearance_officer)
    queue = client.get("/applications/?kind=relief")
    assert submitted_relief.number.encode() in queue.content
    client.post(
        f"/applications/relief/{submitted_relief.pk}/action/", {"action": "reject", "reason": "No re-export proof."}
    )
    submitted_relief.refresh_from_db()
    assert (submitted_relief.status, submitted_relief.decision_reason) == (Status.REJECTED, "No re-export proof.")


def test_a_trader_cannot_decide_through_the_page(client_for, submitted_relief, trader_a):
    response = client_for(trader_a).post(
        f"/applications/relief/{submitted_relief.pk}/action/", {"action": "approve", "reason": "self-approved"}
    )
    assert response.status_code == 403
    submitted_relief.refresh_from_db()
    assert submitted_relief.status == Status.SUBMITTED


def test_another_companys_application_is_not_found(client_for, submitted_relief, trader_b):
    client = client_for(trader_b)
    assert client.get(f"/applications/relief/{submitted_relief.pk}/").status_code == 404
    assert submitted_relief.number.encode() not in client.get("/applications/?kind=relief").content


def test_officers_do_not_see_drafts(client_for, trader_a, clearance_officer):
    draft = _relief(trader_a)
    assert client_for(clearance_officer).get(f"/applications/relief/{draft.pk}/").status_code == 404


def test_evidence_upload_and_download_through_the_pages(client_for, trader_a, trader_b, clearance_officer):
    application = _ip(trader_a)
    client = client_for(trader_a)
    client.post(f"/applications/ip/{application.pk}/evidence/", {"file": SimpleUploadedFile("registration.pdf", PDF)})
    evidence = application.evidence.get()
    url = f"/applications/ip/{application.pk}/evidence/{evidence.pk}/"
    assert b"".join(client.get(url).streaming_content) == PDF
    assert client_for(trader_b).get(url).status_code == 404


def test_the_list_page_runs_a_fixed_number_of_queries(
    client_for, trader_a, clearance_officer, django_assert_max_num_queries
):
    for _ in range(15):
        applications.application_submit(application=_relief(trader_a), submitted_by=trader_a)
    client = client_for(clearance_officer)
    with django_assert_max_num_queries(8):
        response = client.get("/applications/?kind=relief")
    assert response.content.count(b"DR-") >= 15


# --- API -------------------------------------------------------------------------------


def test_the_api_creates_lists_and_decides(api_for, trader_a, trader_b, clearance_officer):
    own = DeclarationFactory(company=trader_a.company, declarant=trader_a)
    created = api_for(trader_a).post(
        "/api/v1/applications/relief/",
        {
            "provision": "customs_tariff_17",
            "goods_description": "Fair exhibit",
            "declaration_number": own.number,
            "amount_claimed_jpy": 1000,
            "reason": "Re-export.",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["declaration_number"] == own.number
    assert api_for(trader_b).get("/api/v1/applications/relief/").json()["count"] == 0
    assert api_for(trader_b).get(f"/api/v1/applications/relief/{body['id']}/").status_code == 404
    assert api_for(trader_a).post(f"/api/v1/applications/relief/{body['id']}/submit/").status_code == 200
    refused = api_for(trader_a).post(
        f"/api/v1/applications/relief/{body['id']}/decide/", {"approve": True, "reason": "mine"}, format="json"
    )
    assert refused.status_code == 403
    decided = api_for(clearance_officer).post(
        f"/api/v1/applications/relief/{body['id']}/decide/", {"approve": True, "reason": "Fine."}, format="json"
    )
    assert decided.json()["status"] == "approved"


def test_the_api_refuses_bad_input_with_field_errors(api_for, trader_a, trader_b):
    foreign = DeclarationFactory(company=trader_b.company, declarant=trader_b)
    response = api_for(trader_a).post(
        "/api/v1/applications/relief/",
        {
            "provision": "customs_tariff_17",
            "goods_description": "x",
            "declaration_number": foreign.number,
            "amount_claimed_jpy": 1000,
            "reason": "r",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "declaration_number" in response.json()["error"]["fields"]
    response = api_for(trader_a).post("/api/v1/applications/ip/", {"right_type": "perfume"}, format="json")
    assert response.status_code == 400
    assert "right_type" in response.json()["error"]["fields"]
    assert not DutyReliefApplication.objects.exists() and not IpSuspensionApplication.objects.exists()


def test_the_api_uploads_evidence(api_for, trader_a, trader_b):
    application = _ip(trader_a)
    response = api_for(trader_a).post(
        f"/api/v1/applications/ip/{application.pk}/evidence/",
        {"file": SimpleUploadedFile("tag.png", _png())},
        format="multipart",
    )
    assert response.status_code == 201
    assert response.json()["content_type"] == "image/png"
    assert (
        api_for(trader_b)
        .post(
            f"/api/v1/applications/ip/{application.pk}/evidence/",
            {"file": SimpleUploadedFile("tag.png", _png())},
            format="multipart",
        )
        .status_code
        == 404
    )


# --- demo data -----------------------------------------------------------------------------


def test_the_demo_seed_is_idempotent(trader_a):
    from customs_portal.models import Role
    from declarations.demo import applications as applications_demo
    from declarations.demo import export_control as export_control_demo
    from declarations.models import ControlledGood, EndUser
    from tests.customs_portal.factories import UserFactory

    UserFactory(username="importer", role=Role.TRADER, company=trader_a.company)
    UserFactory(username="clearance", role=Role.CLEARANCE_OFFICER)
    export_control_demo.seed()
    applications_demo.seed()
    counts = (
        ControlledGood.objects.count(),
        EndUser.objects.count(),
        DutyReliefApplication.objects.count(),
        IpSuspensionApplication.objects.count(),
    )
    export_control_demo.seed()
    applications_demo.seed()
    assert counts == (
        ControlledGood.objects.count(),
        EndUser.objects.count(),
        DutyReliefApplication.objects.count(),
        IpSuspensionApplication.objects.count(),
    )
    assert counts[2:] == (2, 1)
    assert DutyReliefApplication.objects.filter(status=Status.APPROVED).count() == 1


def test_the_pages_render_for_the_trader_and_the_officer(client_for, trader_a, clearance_officer):
    application = _ip(trader_a)
    applications.ip_evidence_add(application=application, file=SimpleUploadedFile("r.pdf", PDF), uploaded_by=trader_a)
    trader = client_for(trader_a)
    assert trader.get("/applications/ip/new/").status_code == 200
    assert trader.get(f"/applications/ip/{application.pk}/edit/").status_code == 200
    draft_page = trader.get(f"/applications/ip/{application.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'value="submit"' in draft_page.content and b"r.pdf" in draft_page.content
    applications.application_submit(application=application, submitted_by=trader_a)
    officer_page = client_for(clearance_officer).get(f"/applications/ip/{application.pk}/")
    assert officer_page.status_code == 200
    assert b'value="approve"' in officer_page.content and b'value="submit"' not in officer_page.content
    assert client_for(clearance_officer).get("/applications/ip/new/").status_code == 403


# --- allowed actions -------------------------------------------------------------------


def _in_status(application, status: str, *, trader, officer):
    """Moves a fresh application to `status` through the services."""
    if status == Status.DRAFT:
        return application
    if isinstance(application, IpSuspensionApplication):
        applications.ip_evidence_add(
            application=application, file=SimpleUploadedFile("mark.pdf", PDF), uploaded_by=trader
        )
    applications.application_submit(application=application, submitted_by=trader)
    if status in (Status.UNDER_REVIEW, Status.APPROVED):
        applications.application_review_start(application=application, officer=officer)
    if status == Status.APPROVED:
        applications.application_decide(application=application, officer=officer, approve=True, reason="ok")
    if status == Status.WITHDRAWN:
        applications.application_withdraw(application=application, withdrawn_by=trader)
    application.refresh_from_db()
    return application


ALLOWED = [
    # kind, status, persona, actions
    ("relief", Status.DRAFT, "trader_a", ["edit", "submit", "withdraw"]),
    ("ip", Status.DRAFT, "trader_a", ["edit", "attach", "submit", "withdraw"]),
    ("relief", Status.SUBMITTED, "trader_a", ["withdraw"]),
    ("ip", Status.SUBMITTED, "trader_a", ["attach", "withdraw"]),
    ("ip", Status.UNDER_REVIEW, "trader_a", ["withdraw"]),
    ("relief", Status.APPROVED, "trader_a", []),
    ("relief", Status.WITHDRAWN, "trader_a", []),
    ("relief", Status.SUBMITTED, "trader_b", []),
    ("relief", Status.SUBMITTED, "clearance_officer", ["review", "decide"]),
    ("ip", Status.UNDER_REVIEW, "supervisor", ["decide"]),
    ("relief", Status.SUBMITTED, "inspection_officer", []),
    ("relief", Status.UNDER_REVIEW, "audit_officer", []),
    ("relief", Status.APPROVED, "clearance_officer", []),
]


@pytest.mark.parametrize(("kind", "status", "persona", "expected"), ALLOWED)
def test_the_allowed_actions_follow_the_status_and_the_role(
    kind, status, persona, expected, trader_a, clearance_officer, request
):
    make = _relief if kind == "relief" else _ip
    application = _in_status(make(trader_a), status, trader=trader_a, officer=clearance_officer)
    user = request.getfixturevalue(persona)
    assert applications.application_allowed_actions(application=application, user=user) == expected


@pytest.mark.parametrize(
    ("status", "persona", "expected"),
    [
        (Status.DRAFT, "trader_a", ["edit", "attach", "submit", "withdraw"]),
        (Status.SUBMITTED, "trader_a", ["attach", "withdraw"]),
        (Status.SUBMITTED, "clearance_officer", ["review", "decide"]),
        (Status.SUBMITTED, "inspection_officer", []),
    ],
)
def test_the_api_tells_the_allowed_actions(status, persona, expected, api_for, trader_a, clearance_officer, request):
    application = _in_status(_ip(trader_a), status, trader=trader_a, officer=clearance_officer)
    api = api_for(request.getfixturevalue(persona))
    assert api.get(f"/api/v1/applications/ip/{application.pk}/").json()["allowed_actions"] == expected
    listed = api.get("/api/v1/applications/ip/").json()["results"]
    assert [row["allowed_actions"] for row in listed] == [expected]


BUTTONS = {
    "edit": 'href="/applications/ip/%d/edit/"',
    "attach": 'action="/applications/ip/%d/evidence/"',
    "submit": 'value="submit"',
    "withdraw": 'value="withdraw"',
    "review": 'value="review"',
    "decide": 'value="approve"',
}


@pytest.mark.parametrize(
    ("status", "persona"),
    [
        (Status.DRAFT, "trader_a"),
        (Status.SUBMITTED, "trader_a"),
        (Status.UNDER_REVIEW, "trader_a"),
        (Status.SUBMITTED, "clearance_officer"),
        (Status.UNDER_REVIEW, "supervisor"),
        (Status.SUBMITTED, "inspection_officer"),
        (Status.APPROVED, "trader_a"),
    ],
)
def test_the_page_shows_exactly_the_allowed_actions(status, persona, client_for, trader_a, clearance_officer, request):
    application = _in_status(_ip(trader_a), status, trader=trader_a, officer=clearance_officer)
    user = request.getfixturevalue(persona)
    allowed = applications.application_allowed_actions(application=application, user=user)
    page = client_for(user).get(f"/applications/ip/{application.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown = [action for action, marker in BUTTONS.items() if (marker.replace("%d", str(application.pk))) in page]
    assert shown == allowed
    assert ('value="reject"' in page) == ("decide" in allowed)


def test_a_submitted_application_cannot_be_edited_and_nothing_changes(submitted_relief, trader_a):
    with pytest.raises(ApplicationError) as refused:
        applications.application_update(
            application=submitted_relief,
            updated_by=trader_a,
            data={
                "provision": DutyReliefApplication.Provision.RE_EXPORT, "goods_description": "Other goods",
                "declaration": None, "amount_claimed_jpy": 1, "reason": "x",
            },
        )  # fmt: skip
    assert (refused.value.code, refused.value.status) == ("not_editable", 409)
    submitted_relief.refresh_from_db()
    assert submitted_relief.amount_claimed_jpy == 480_000


def test_evidence_cannot_be_added_once_under_review(trader_a, clearance_officer):
    application = _in_status(_ip(trader_a), Status.UNDER_REVIEW, trader=trader_a, officer=clearance_officer)
    with pytest.raises(ApplicationError) as refused:
        applications.ip_evidence_add(
            application=application, file=SimpleUploadedFile("late.pdf", PDF), uploaded_by=trader_a
        )
    assert (refused.value.code, refused.value.status) == ("not_attachable", 409)
    assert application.evidence.count() == 1


def test_an_inspection_officer_cannot_start_a_review_in_the_service(submitted_relief, inspection_officer):
    with pytest.raises(ApplicationError) as refused:
        applications.application_review_start(application=submitted_relief, officer=inspection_officer)
    assert refused.value.status == 403
    submitted_relief.refresh_from_db()
    assert submitted_relief.status == Status.SUBMITTED


def test_the_edit_page_of_a_submitted_application_sends_back_to_the_detail(client_for, submitted_relief, trader_a):
    response = client_for(trader_a).get(f"/applications/relief/{submitted_relief.pk}/edit/")
    assert response["Location"] == f"/applications/relief/{submitted_relief.pk}/"


def test_the_decision_notification_reads_in_the_readers_language(
    submitted_relief, clearance_officer, api_for, trader_a
):
    from django.utils import translation

    with translation.override("ja"):
        applications.application_decide(
            application=submitted_relief, officer=clearance_officer, approve=True, reason="再輸出を確認しました。"
        )
    told = api_for(trader_a).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert told["code"] == "application.status_changed"
    assert told["params"] == {
        "number": submitted_relief.number,
        "status": "approved",
        "reason": "再輸出を確認しました。",
    }
    assert told["subject"] == f"Application {submitted_relief.number}: Approved"
    assert told["body"] == "再輸出を確認しました。"
    told = api_for(trader_a).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="ja").json()["results"][0]
    assert told["subject"] == f"申請 {submitted_relief.number}: 承認"


@pytest.mark.django_db(transaction=True)
def test_in_a_browser_each_persona_sees_only_its_allowed_buttons(browser_as, trader_a, clearance_officer):
    from tests.browser import PHONE, screenshot

    application = _in_status(_ip(trader_a), Status.SUBMITTED, trader=trader_a, officer=clearance_officer)
    url = f"/applications/ip/{application.pk}/"
    errors: list[str] = []

    officer = browser_as(clearance_officer, language="en")
    officer.on("pageerror", lambda error: errors.append(str(error)))
    officer.goto(url)
    buttons = officer.locator(".app-actions button").all_inner_texts()
    assert [text.strip() for text in buttons] == ["Start review", "Approve", "Reject"]
    assert officer.get_by_role("button", name="Upload").count() == 0
    screenshot(officer, "application-submitted-officer-desktop-en")

    trader = browser_as(trader_a, language="ja", viewport=PHONE)
    trader.on("pageerror", lambda error: errors.append(str(error)))
    trader.goto(url)
    assert [text.strip() for text in trader.locator(".app-actions button").all_inner_texts()] == ["取下げ"]
    assert trader.get_by_role("button", name="アップロード").count() == 1
    screenshot(trader, "application-submitted-trader-phone-ja")

    officer.get_by_role("button", name="Start review").click()
    assert [text.strip() for text in officer.locator(".app-actions button").all_inner_texts()] == ["Approve", "Reject"]
    assert errors == []
