"""What an officer may do on the inspection pages is told by the server and enforced by
the services: the results each role may record, and the model versions a supervisor may
promote or roll back to; and the pages that show them read well."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent, ModelVersion
from declarations.models import Declaration, DeclarationStatusChange
from inspection import services
from inspection.models import InspectionResult
from inspection.reasons import reason_text
from tests.inspection.factories import submit_and_screen, submitted_declaration
from tests.tariff.factories import TariffLineFactory

Kind, Outcome = InspectionResult.Kind, InspectionResult.Outcome


def _declaration(trader, status: str, *, path: tuple[str, ...] = ()) -> Declaration:
    """A submitted declaration of `trader` put in `status`; `path` is the statuses its
    timeline shows it went through on the way (after submission)."""
    declaration = submitted_declaration(company=trader.company, declarant=trader)
    steps = [Declaration.Status.SUBMITTED, *path, status]
    for from_status, to_status in zip(steps, steps[1:], strict=False):
        DeclarationStatusChange.objects.create(
            declaration=declaration, from_status=from_status, to_status=to_status, actor_label="test"
        )
    Declaration.objects.filter(pk=declaration.pk).update(status=status)
    declaration.refresh_from_db()
    return declaration


INSPECTED = (Declaration.Status.INSPECTION,)


def _record(declaration, officer, kind):
    return services.inspection_result_record(
        declaration=declaration, kind=kind, outcome=Outcome.NO_DISCREPANCY, additional_duty_jpy=0, fraud_type="",
        notes="", officer=officer,
    )  # fmt: skip


@pytest.fixture
def scored(trained_model, trader_a):
    TariffLineFactory(hs_code="610910000", rates={"general": "10.9%"})
    return [
        submit_and_screen(submitted_declaration(company=trader_a.company, declarant=trader_a, value=value), by=trader_a)
        for value in (50000, 900000)
    ]


# The rule, in the service.


@pytest.mark.django_db
def test_each_role_is_told_the_results_it_may_record_by_the_declarations_state(
    trader_a, clearance_officer, inspection_officer, audit_officer, supervisor
):
    open_one = _declaration(trader_a, Declaration.Status.INSPECTION)
    inspected = _declaration(trader_a, Declaration.Status.PERMITTED, path=INSPECTED)
    released = _declaration(trader_a, Declaration.Status.AWAITING_PAYMENT, path=INSPECTED)
    green = _declaration(trader_a, Declaration.Status.PERMITTED, path=(Declaration.Status.SCREENING,))
    reviewed = _declaration(trader_a, Declaration.Status.DOCUMENT_REVIEW)
    draft = _declaration(trader_a, Declaration.Status.DRAFT)

    def allowed(declaration, user):
        return services.inspection_result_allowed_actions(declaration=declaration, user=user)

    assert allowed(open_one, inspection_officer) == allowed(open_one, supervisor) == ["record_inspection"]
    assert allowed(open_one, clearance_officer) == allowed(open_one, audit_officer) == []
    assert allowed(reviewed, inspection_officer) == allowed(reviewed, supervisor) == []
    assert allowed(released, inspection_officer) == ["record_inspection"]
    assert allowed(released, audit_officer) == []
    assert allowed(inspected, audit_officer) == ["record_post_clearance_audit"]
    assert allowed(inspected, supervisor) == ["record_inspection", "record_post_clearance_audit"]
    assert allowed(green, supervisor) == ["record_post_clearance_audit"]
    assert allowed(green, inspection_officer) == []
    assert allowed(draft, supervisor) == []
    _record(inspected, audit_officer, Kind.POST_CLEARANCE_AUDIT)
    assert allowed(inspected, supervisor) == ["record_inspection"]


@pytest.mark.django_db
def test_an_amendment_after_inspection_ends_the_inspection_result_of_the_old_version(trader_a, inspection_officer):
    amended = _declaration(
        trader_a,
        Declaration.Status.PERMITTED,
        path=(*INSPECTED, Declaration.Status.AWAITING_PAYMENT, Declaration.Status.SUBMITTED),
    )
    assert services.inspection_result_allowed_actions(declaration=amended, user=inspection_officer) == []
    with pytest.raises(ApplicationError) as refused:
        _record(amended, inspection_officer, Kind.INSPECTION)
    assert refused.value.code == "wrong_state"


@pytest.mark.django_db
def test_a_recorded_result_is_tied_to_the_declaration_version_and_audited(trader_a, inspection_officer):
    declaration = _declaration(trader_a, Declaration.Status.INSPECTION)
    Declaration.objects.filter(pk=declaration.pk).update(version=3)
    result = _record(declaration, inspection_officer, Kind.INSPECTION)
    assert result.declaration_version == 3
    event = AuditEvent.objects.get(action="inspection.inspection_result")
    assert event.actor == inspection_officer and event.after["declaration_version"] == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status", "kind", "code"),
    [
        ("audit_officer", Declaration.Status.INSPECTION, Kind.INSPECTION, "not_allowed"),
        ("clearance_officer", Declaration.Status.INSPECTION, Kind.INSPECTION, "not_allowed"),
        ("clearance_officer", Declaration.Status.PERMITTED, Kind.POST_CLEARANCE_AUDIT, "not_allowed"),
        ("inspection_officer", Declaration.Status.PERMITTED, Kind.POST_CLEARANCE_AUDIT, "not_allowed"),
        ("trader_a", Declaration.Status.INSPECTION, Kind.INSPECTION, "not_allowed"),
        ("supervisor", Declaration.Status.INSPECTION, Kind.POST_CLEARANCE_AUDIT, "wrong_state"),
        ("audit_officer", Declaration.Status.AWAITING_PAYMENT, Kind.POST_CLEARANCE_AUDIT, "wrong_state"),
        ("audit_officer", Declaration.Status.DRAFT, Kind.POST_CLEARANCE_AUDIT, "wrong_state"),
        ("supervisor", Declaration.Status.DRAFT, Kind.INSPECTION, "wrong_state"),
        ("inspection_officer", Declaration.Status.DOCUMENT_REVIEW, Kind.INSPECTION, "wrong_state"),
        ("inspection_officer", Declaration.Status.PERMITTED, Kind.INSPECTION, "wrong_state"),
    ],
)
def test_the_service_refuses_a_result_the_rule_does_not_allow_and_records_nothing(
    request, trader_a, persona, status, kind, code
):
    declaration = _declaration(trader_a, status)
    with pytest.raises(ApplicationError) as refused:
        _record(declaration, request.getfixturevalue(persona), kind)
    assert refused.value.code == code
    assert not InspectionResult.objects.exists()


@pytest.mark.django_db
def test_a_second_result_of_the_same_kind_is_refused(trader_a, inspection_officer, supervisor):
    declaration = _declaration(trader_a, Declaration.Status.INSPECTION)
    _record(declaration, inspection_officer, Kind.INSPECTION)
    with pytest.raises(ApplicationError) as refused:
        _record(declaration, supervisor, Kind.INSPECTION)
    assert refused.value.code == "duplicate_result"
    assert InspectionResult.objects.count() == 1


# The pages and the API.


@pytest.mark.django_db
def test_the_result_form_offers_only_the_kinds_allowed_and_refuses_an_officer_who_may_record_none(
    trader_a, client_for, audit_officer, inspection_officer
):
    open_one = _declaration(trader_a, Declaration.Status.INSPECTION)
    url = reverse("inspection-result", args=[open_one.pk])
    assert client_for(audit_officer).get(url).status_code == 403
    post = {"kind": "inspection", "outcome": "no_discrepancy", "additional_duty_jpy": "0"}
    assert client_for(audit_officer).post(url, post).status_code == 403
    cleared = _declaration(trader_a, Declaration.Status.PERMITTED, path=INSPECTED)
    clearance = client_for(inspection_officer)
    page = clearance.get(reverse("inspection-result", args=[cleared.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert re.findall(
        r'<option value="(\w+)"', page.content.decode().split('id="id_kind"')[1].split("</select>")[0]
    ) == ["inspection"]
    refused = clearance.post(reverse("inspection-result", args=[cleared.pk]), {**post, "kind": "post_clearance_audit"})
    assert refused.status_code == 400
    assert not InspectionResult.objects.exists()


@pytest.mark.django_db
def test_the_result_form_heading_names_the_declaration_and_its_company(trader_a, client_for, inspection_officer):
    declaration = _declaration(trader_a, Declaration.Status.INSPECTION)
    page = client_for(inspection_officer).get(
        reverse("inspection-result", args=[declaration.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    heading = f"Result for {declaration.number} ({trader_a.company.name})"
    assert f"<h1>{heading}</h1>" in page.content.decode()
    assert f"<title>{heading}" in page.content.decode()


@pytest.mark.django_db
def test_notes_over_the_limit_say_the_limit_and_their_length_and_record_nothing(
    trader_a, client_for, inspection_officer
):
    declaration = _declaration(trader_a, Declaration.Status.INSPECTION)
    response = client_for(inspection_officer).post(
        reverse("inspection-result", args=[declaration.pk]),
        {"kind": "inspection", "outcome": "no_discrepancy", "additional_duty_jpy": "0", "notes": "n" * 2001},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.context["form"].errors["notes"] == ["The notes can be at most 2000 characters (you wrote 2001)."]
    assert not InspectionResult.objects.exists()


@pytest.mark.django_db
def test_the_inspection_list_links_the_result_form_only_where_the_officer_may_record(
    scored, client_for, inspection_officer, audit_officer
):
    Declaration.objects.filter(pk__in=[d.pk for d in scored]).update(status=Declaration.Status.INSPECTION)
    _record(scored[0], inspection_officer, Kind.INSPECTION)
    result_link = 'href="/inspection/declarations/{}/result/"'
    page = client_for(inspection_officer).get(reverse("inspection-list")).content.decode()
    assert result_link.format(scored[1].pk) in page and result_link.format(scored[0].pk) not in page
    audit_page = client_for(audit_officer).get(reverse("inspection-list")).content.decode()
    assert "/result/" not in audit_page and scored[1].number in audit_page


@pytest.mark.django_db
def test_the_inspection_list_api_tells_each_officer_what_they_may_record(
    scored, inspection_officer, audit_officer, django_assert_max_num_queries
):
    Declaration.objects.filter(pk__in=[d.pk for d in scored]).update(status=Declaration.Status.INSPECTION)
    _record(scored[0], inspection_officer, Kind.INSPECTION)
    client = APIClient()
    client.force_authenticate(inspection_officer)
    with django_assert_max_num_queries(8):
        body = client.get(reverse("api-inspection-list")).json()
    actions = {row["declaration_id"]: row["allowed_actions"] for row in body["results"]}
    assert actions == {scored[0].pk: [], scored[1].pk: ["record_inspection"]}
    client.force_authenticate(audit_officer)
    assert [row["allowed_actions"] for row in client.get(reverse("api-inspection-list")).json()["results"]] == [[], []]


@pytest.mark.django_db
def test_the_audit_company_page_is_named_after_the_company_and_shows_yen(scored, client_for, audit_officer):
    Declaration.objects.filter(pk__in=[d.pk for d in scored]).update(status=Declaration.Status.PERMITTED)
    company = scored[0].company
    client = client_for(audit_officer)
    page = client.get(reverse("inspection-audit-company", args=[company.pk]), HTTP_ACCEPT_LANGUAGE="en")
    content = page.content.decode()
    assert f"<h1>Cleared declarations of {company.name}</h1>" in content
    assert f"<title>Cleared declarations of {company.name}" in content
    assert content.count("Record audit result") == 2
    listed = page.context["rows"][0][0].expected_revenue_jpy
    assert f"¥{listed:,}" in content
    audit_list = client.get(reverse("inspection-audit"), {"office": ""}).content.decode()
    total = sum(score.expected_revenue_jpy for score, _reasons, _actions in page.context["rows"])
    assert f"¥{total:,}" in audit_list


@pytest.mark.django_db
def test_the_models_page_shows_exactly_the_buttons_the_user_may_use_and_metrics_with_their_names(
    trained_model, client_for, supervisor, clearance_officer
):
    newer = services.risk_model_train(system="test")
    assert newer.status == ModelVersion.Status.ACTIVE
    page = client_for(supervisor).get(reverse("inspection-models"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    promote_forms = re.findall(r'action="/inspection/models/(\d+)/promote/"', page)
    assert promote_forms == [str(trained_model.pk)]
    assert f"Roll back to {trained_model.label}" in page
    officer_page = client_for(clearance_officer).get(reverse("inspection-models")).content.decode()
    assert "/promote/" not in officer_page and "/rollback/" not in officer_page
    precision = newer.metrics["holdout"]["precision@5%"]
    assert f'Precision (top 5 %): <span class="num">{precision * 100:.1f} %</span>' in page
    assert "Revenue caught (top 5 %)" in page and "Recall (top 5 %)" in page
    assert f">{precision}<" not in page


def test_figures_in_reasons_read_with_thousands_separators_and_sensible_decimals():
    unit_value = {
        "code": "unit_value_low",
        "params": {"percent": 62, "median": 191785.59, "country": "", "basis": "qty"},
    }
    assert reason_text(unit_value) == "unit value 62 % below the median of 191,786 for this tariff line"
    rare = {"code": "origin_rare", "params": {"country": "CN", "percent": 0.4}}
    assert reason_text(rare) == "origin CN supplies only 0.4 % of this tariff line"
    findings = {"code": "importer_findings", "params": {"count": 1234}}
    assert reason_text(findings) == "importer had 1,234 findings in the last 12 months"
    tax = {"code": "tax_low", "params": {"points": 12.345}}
    assert reason_text(tax) == "taxes 12.35 points below the usual rate of this tariff line"


@pytest.mark.django_db
def test_a_decision_reason_over_the_limit_says_the_limit_and_its_length_and_decides_nothing(
    trader_a, client_for, clearance_officer
):
    declaration = _declaration(trader_a, Declaration.Status.DOCUMENT_REVIEW)
    response = client_for(clearance_officer).post(
        reverse("declaration-decide", args=[declaration.pk]),
        {"decision": "reject", "reason": "r" * 2001},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "The reason can be at most 2000 characters (you wrote 2001)." in response.content.decode()
    declaration.refresh_from_db()
    assert declaration.status == Declaration.Status.DOCUMENT_REVIEW
