"""AEO certificates: the services that grant, change and revoke them, who may use the
supervisor page, how bad input is refused, the audit trail, the validity boundary, the
trader's dashboard and the read-only admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customs_portal import aeo
from customs_portal.errors import ApplicationError
from customs_portal.models import AeoCertificate, AuditEvent
from tests.customs_portal.factories import CompanyFactory

pytestmark = pytest.mark.django_db

Kind = AeoCertificate.Kind
JAN_1, JUL_1 = dt.date(2026, 1, 1), dt.date(2026, 7, 1)


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def grant(company, supervisor, *, number="AEO-0001", kind=Kind.IMPORTER, valid_from=JAN_1, valid_to=JUL_1):
    return aeo.aeo_certificate_grant(
        company=company, kind=kind, certificate_number=number, valid_from=valid_from, valid_to=valid_to,
        granted_by=supervisor,
    )  # fmt: skip


# Services.


def test_a_supervisor_grants_a_certificate_and_the_grant_is_audited(company_a, supervisor):
    certificate = grant(company_a, supervisor, number=" aeo-im-42 ")

    assert certificate.certificate_number == "AEO-IM-42"
    assert (certificate.company, certificate.kind, certificate.granted_by) == (company_a, Kind.IMPORTER, supervisor)
    event = AuditEvent.objects.get(action="aeo_certificate.granted")
    assert event.actor == supervisor and event.company == company_a
    assert event.object_type == "customs_portal.AeoCertificate" and event.object_id == str(certificate.pk)
    assert event.after["valid_from"] == "2026-01-01" and event.after["valid_to"] == "2026-07-01"


def test_a_company_may_hold_several_kinds_of_certificate_at_once(company_a, supervisor):
    grant(company_a, supervisor, number="AEO-IM-1", kind=Kind.IMPORTER)
    grant(company_a, supervisor, number="AEO-EX-1", kind=Kind.EXPORTER)
    grant(company_a, supervisor, number="AEO-WH-1", kind=Kind.WAREHOUSE)

    assert set(company_a.aeo_certificates.values_list("kind", flat=True)) == {"importer", "exporter", "warehouse"}


def test_changing_the_validity_is_audited_with_before_and_after(company_a, supervisor):
    certificate = grant(company_a, supervisor)

    aeo.aeo_certificate_change(
        certificate=certificate, valid_from=JAN_1, valid_to=dt.date(2027, 1, 1), changed_by=supervisor
    )

    certificate.refresh_from_db()
    assert certificate.valid_to == dt.date(2027, 1, 1)
    event = AuditEvent.objects.get(action="aeo_certificate.changed")
    assert event.before["valid_to"] == "2026-07-01" and event.after["valid_to"] == "2027-01-01"


def test_revoking_ends_the_benefit_from_today_and_is_audited(company_a, supervisor):
    today = timezone.localdate()
    certificate = grant(
        company_a, supervisor, valid_from=today - dt.timedelta(days=10), valid_to=today.replace(year=today.year + 2)
    )

    aeo.aeo_certificate_revoke(certificate=certificate, reason="Compliance review failed", revoked_by=supervisor)

    certificate.refresh_from_db()
    assert certificate.revoked_on == today and certificate.revocation_reason == "Compliance review failed"
    assert aeo.certificate_valid_on(certificate, today - dt.timedelta(days=1))
    assert not aeo.certificate_valid_on(certificate, today)
    event = AuditEvent.objects.get(action="aeo_certificate.revoked")
    assert event.before["revoked_on"] is None and event.after["revoked_on"] == today.isoformat()
    with pytest.raises(ApplicationError) as error:
        aeo.aeo_certificate_revoke(certificate=certificate, reason="again", revoked_by=supervisor)
    assert error.value.code == "certificate_revoked"
    with pytest.raises(ApplicationError):
        aeo.aeo_certificate_change(certificate=certificate, valid_from=JAN_1, valid_to=JUL_1, changed_by=supervisor)


@pytest.mark.parametrize("persona", ["clearance_officer", "audit_officer", "trader_a", "admin_user"])
def test_only_supervisors_may_grant_change_or_revoke(request, persona, company_a, supervisor):
    user = request.getfixturevalue(persona)
    certificate = grant(company_a, supervisor)

    with pytest.raises(ApplicationError) as error:
        grant(company_a, user, number="AEO-0002", kind=Kind.EXPORTER)
    assert error.value.status == 403
    with pytest.raises(ApplicationError):
        aeo.aeo_certificate_change(
            certificate=certificate, valid_from=JAN_1, valid_to=dt.date(2030, 1, 1), changed_by=user
        )
    with pytest.raises(ApplicationError):
        aeo.aeo_certificate_revoke(certificate=certificate, reason="no", revoked_by=user)

    certificate.refresh_from_db()
    assert certificate.valid_to == JUL_1 and certificate.revoked_on is None
    assert AeoCertificate.objects.count() == 1 and AuditEvent.objects.filter(actor=user).count() == 0


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"valid_to": dt.date(2025, 12, 31)}, "invalid_period", "valid_to"),
        ({"valid_to": JAN_1}, "invalid_period", "valid_to"),
        ({"number": "AEO-0001"}, "duplicate_certificate_number", "certificate_number"),
        ({"number": "x"}, "invalid_certificate_number", "certificate_number"),
        ({"number": "AEO-0002", "valid_from": dt.date(2026, 6, 30), "valid_to": dt.date(2027, 1, 1)},
         "overlapping_certificate", "valid_from"),
    ],
)  # fmt: skip
def test_bad_grants_are_refused_with_a_field_error_and_change_nothing(company_a, supervisor, changes, code, field):
    grant(company_a, supervisor)
    events = AuditEvent.objects.count()
    arguments = {"number": "AEO-NEW", **changes}

    with pytest.raises(ApplicationError) as error:
        grant(company_a, supervisor, **arguments)

    assert error.value.code == code and field in error.value.fields
    assert AeoCertificate.objects.count() == 1 and AuditEvent.objects.count() == events


def test_a_new_certificate_may_start_on_the_day_the_old_one_ends(company_a, supervisor):
    grant(company_a, supervisor)

    renewed = grant(company_a, supervisor, number="AEO-0002", valid_from=JUL_1, valid_to=dt.date(2031, 7, 1))

    assert renewed.valid_from == JUL_1


def test_changing_to_a_bad_period_is_refused_and_changes_nothing(company_a, supervisor):
    certificate = grant(company_a, supervisor)

    with pytest.raises(ApplicationError) as error:
        aeo.aeo_certificate_change(certificate=certificate, valid_from=JUL_1, valid_to=JAN_1, changed_by=supervisor)

    assert "valid_to" in error.value.fields
    certificate.refresh_from_db()
    assert (certificate.valid_from, certificate.valid_to) == (JAN_1, JUL_1)
    assert not AuditEvent.objects.filter(action="aeo_certificate.changed").exists()


# The validity boundary: valid_to is the first day without the benefit.


def test_the_certificate_covers_its_start_date_and_not_its_end_date(company_a, supervisor):
    grant(company_a, supervisor)
    number = company_a.corporate_number

    def covered(day: dt.date) -> bool:
        return aeo.party_certificate(corporate_number=number, declaration_kind="import", on=day) is not None

    assert not covered(dt.date(2025, 12, 31))
    assert covered(JAN_1)
    assert covered(dt.date(2026, 6, 30))
    assert not covered(JUL_1)
    assert aeo.aeo_flags(
        [(number, "import", dt.date(2026, 6, 30)), (number, "import", JUL_1), (number, "export", JAN_1)]
    ) == [True, False, False]


def test_an_importer_certificate_does_not_make_exports_aeo_but_an_exporter_one_does(company_a, supervisor):
    number = company_a.corporate_number
    grant(company_a, supervisor, number="AEO-IM-1", kind=Kind.IMPORTER)
    assert aeo.aeo_flags([(number, "export", JAN_1)]) == [False]

    grant(company_a, supervisor, number="AEO-EX-1", kind=Kind.EXPORTER)
    assert aeo.aeo_flags([(number, "export", JAN_1), (number, "import", JAN_1)]) == [True, True]


# The supervisor page.


def test_the_supervisor_page_lists_every_companys_certificates(client_for, supervisor, company_a, company_b):
    grant(company_a, supervisor, number="AEO-A-1")
    grant(company_b, supervisor, number="AEO-B-1", kind=Kind.CUSTOMS_BROKER)

    response = english(client_for(supervisor)).get(reverse("aeo-certificates"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "AEO-A-1" in page and "AEO-B-1" in page and "AEO customs broker" in page
    assert (
        reverse("aeo-certificates")
        in english(client_for(supervisor)).get(reverse("officer-dashboard")).content.decode()
    )


@pytest.mark.parametrize("persona", ["clearance_officer", "inspection_officer", "audit_officer", "trader_a"])
def test_other_roles_are_refused_the_supervisor_page_and_its_forms(request, client_for, persona, company_a, supervisor):
    certificate = grant(company_a, supervisor)
    client = client_for(request.getfixturevalue(persona))
    data = {"company": company_a.pk, "kind": "exporter", "certificate_number": "AEO-X", "valid_from": "2026-01-01",
            "valid_to": "2027-01-01"}  # fmt: skip

    assert client.get(reverse("aeo-certificates")).status_code == 403
    assert client.post(reverse("aeo-certificates"), data).status_code == 403
    edit = reverse("aeo-certificate-edit", args=[certificate.pk])
    assert client.post(edit, {"valid_from": "2026-01-01", "valid_to": "2030-01-01"}).status_code == 403
    revoke = reverse("aeo-certificate-revoke", args=[certificate.pk])
    assert client.post(revoke, {"reason": "no"}).status_code == 403

    certificate.refresh_from_db()
    assert AeoCertificate.objects.count() == 1 and certificate.valid_to == JUL_1 and certificate.revoked_on is None


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("aeo-certificates"))

    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_supervisor_grants_through_the_page(client_for, supervisor, company_a):
    data = {"company": company_a.pk, "kind": "importer", "certificate_number": "aeo-im-7", "valid_from": "2026-01-01",
            "valid_to": "2031-01-01"}  # fmt: skip

    response = client_for(supervisor).post(reverse("aeo-certificates"), data)

    assert response.status_code == 302
    certificate = AeoCertificate.objects.get()
    assert certificate.certificate_number == "AEO-IM-7" and certificate.valid_to == dt.date(2031, 1, 1)
    assert AuditEvent.objects.filter(action="aeo_certificate.granted", actor=supervisor).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"valid_to": "2025-06-01"}, "The end date must be after the start date."),
        ({"valid_to": "2026-13-45"}, "Enter a valid date."),
        ({"certificate_number": "AEO-0001"}, "This certificate number is already registered."),
        ({"kind": "carrier"}, "Select a valid choice."),
    ],
)
def test_bad_input_on_the_page_shows_a_form_error_and_grants_nothing(
    client_for, supervisor, company_a, changes, message
):
    grant(company_a, supervisor)
    data = {"company": company_a.pk, "kind": "exporter", "certificate_number": "AEO-NEW", "valid_from": "2026-01-01",
            "valid_to": "2027-01-01", **changes}  # fmt: skip

    response = english(client_for(supervisor)).post(reverse("aeo-certificates"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert AeoCertificate.objects.count() == 1


def test_the_page_refuses_a_post_without_a_csrf_token(supervisor, company_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)
    data = {"company": company_a.pk, "kind": "importer", "certificate_number": "AEO-1", "valid_from": "2026-01-01",
            "valid_to": "2027-01-01"}  # fmt: skip

    assert client.post(reverse("aeo-certificates"), data).status_code == 403
    assert not AeoCertificate.objects.exists()
    page = client.get(reverse("aeo-certificates")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_a_supervisor_changes_the_validity_and_revokes_through_the_page(client_for, supervisor, company_a):
    certificate = grant(company_a, supervisor)
    client = english(client_for(supervisor))
    edit = reverse("aeo-certificate-edit", args=[certificate.pk])

    assert client.get(edit).status_code == 200
    bad = client.post(edit, {"valid_from": "2026-07-01", "valid_to": "2026-01-01"})
    assert bad.status_code == 400 and "The end date must be after the start date." in bad.content.decode()
    assert client.post(edit, {"valid_from": "2026-01-01", "valid_to": "2028-01-01"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.valid_to == dt.date(2028, 1, 1)

    revoke = reverse("aeo-certificate-revoke", args=[certificate.pk])
    no_reason = client.post(revoke, {"reason": " "})
    assert no_reason.status_code == 400 and "This field is required." in no_reason.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_on is None
    assert client.post(revoke, {"reason": "Ceased trading"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_on == timezone.localdate()
    assert [e.action for e in AuditEvent.objects.filter(object_id=str(certificate.pk)).order_by("id")] == [
        "aeo_certificate.granted", "aeo_certificate.changed", "aeo_certificate.revoked",
    ]  # fmt: skip


def test_an_unknown_certificate_is_not_found(client_for, supervisor):
    assert client_for(supervisor).get(reverse("aeo-certificate-edit", args=[999])).status_code == 404


# The admin shows certificates and changes nothing.


def test_the_admin_shows_certificates_read_only(client_for, admin_user, company_a, supervisor):
    certificate = grant(company_a, supervisor)
    client = client_for(admin_user)

    assert "AEO-0001" in client.get("/admin/customs_portal/aeocertificate/").content.decode()
    assert client.get("/admin/customs_portal/aeocertificate/add/").status_code == 403
    client.post(
        f"/admin/customs_portal/aeocertificate/{certificate.pk}/change/",
        {"certificate_number": "CHANGED", "valid_from": "2020-01-01", "valid_to": "2040-01-01"},
    )
    certificate.refresh_from_db()
    assert certificate.certificate_number == "AEO-0001" and certificate.valid_to == JUL_1


# The trader's dashboard.


def dashboard(client_for, trader) -> str:
    response = english(client_for(trader)).get(reverse("trader-dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_trader_sees_its_own_status_and_validity(client_for, trader_a, company_b, supervisor):
    today = timezone.localdate()
    grant(trader_a.company, supervisor, number="AEO-MINE", valid_from=today - dt.timedelta(days=100),
          valid_to=today + dt.timedelta(days=400))  # fmt: skip
    grant(company_b, supervisor, number="AEO-THEIRS", valid_from=today, valid_to=today + dt.timedelta(days=30))

    page = dashboard(client_for, trader_a)

    assert "AEO-MINE" in page and "AEO importer" in page and "Valid" in page
    assert (today + dt.timedelta(days=400)).isoformat() in page and (today - dt.timedelta(days=100)).isoformat() in page
    assert "AEO-THEIRS" not in page
    assert "aeo-warning" not in page


def test_a_trader_without_a_certificate_is_told_so(client_for, trader_a):
    assert "holds no Authorised Economic Operator (AEO) certificate" in dashboard(client_for, trader_a)


@pytest.mark.parametrize(("days_left", "warned"), [(1, True), (30, True), (60, True), (61, False), (365, False)])
def test_the_dashboard_warns_when_the_certificate_ends_within_sixty_days(
    client_for, trader_a, supervisor, days_left, warned
):
    today = timezone.localdate()
    grant(
        trader_a.company,
        supervisor,
        valid_from=today - dt.timedelta(days=300),
        valid_to=today + dt.timedelta(days=days_left),
    )

    page = dashboard(client_for, trader_a)

    assert ("aeo-warning" in page) is warned
    if warned:
        assert f"in {days_left} day" in page and (today + dt.timedelta(days=days_left)).isoformat() in page


def test_a_certificate_that_ended_today_shows_as_expired_without_a_warning(client_for, trader_a, supervisor):
    today = timezone.localdate()
    grant(trader_a.company, supervisor, valid_from=today - dt.timedelta(days=300), valid_to=today)

    page = dashboard(client_for, trader_a)

    assert "Expired" in page and "aeo-warning" not in page


def test_the_supervisor_page_marks_a_certificate_ending_today_as_expired(client_for, supervisor):
    today = timezone.localdate()
    company = CompanyFactory()
    certificate = grant(company, supervisor, valid_from=today - dt.timedelta(days=5), valid_to=today)

    assert aeo.certificate_status(certificate, today=today).state == "expired"
    assert aeo.certificate_status(certificate, today=today - dt.timedelta(days=1)).state == "valid"
    assert aeo.certificate_status(certificate, today=today - dt.timedelta(days=6)).state == "not_yet_valid"


def test_a_revocation_reason_over_the_limit_says_the_limit_and_its_length_and_revokes_nothing(
    client_for, company_a, supervisor
):
    certificate = grant(company_a, supervisor)
    response = english(client_for(supervisor)).post(
        reverse("aeo-certificate-revoke", args=[certificate.pk]), {"reason": "x" * 501}
    )
    assert response.status_code == 400
    assert "The reason can be at most 500 characters (you wrote 501)." in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_on is None
