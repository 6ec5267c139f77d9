from __future__ import annotations

import pytest
from django.urls import reverse

from customs_portal.models import AuditEvent, ModelVersion
from declarations.models import Declaration
from inspection import services
from inspection.models import InspectionResult
from tests.inspection.factories import submit_and_screen, submitted_declaration
from tests.tariff.factories import TariffLineFactory


@pytest.fixture
def scored(trained_model, trader_a):
    TariffLineFactory(hs_code="610910000", rates={"general": "10.9%"})
    declarations = []
    for value in (50000, 200000, 900000):
        declaration = submitted_declaration(company=trader_a.company, declarant=trader_a, value=value)
        declarations.append(submit_and_screen(declaration, by=trader_a))
    # All of them under physical inspection, where an inspection officer records results.
    Declaration.objects.filter(pk__in=[d.pk for d in declarations]).update(status=Declaration.Status.INSPECTION)
    return [Declaration.objects.get(pk=d.pk) for d in declarations]


@pytest.mark.django_db
def test_officers_see_the_inspection_list_ranked_by_expected_revenue_in_few_queries(
    scored, client_for, inspection_officer, django_assert_max_num_queries
):
    client = client_for(inspection_officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("inspection-list"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    expected = [score.expected_revenue_jpy for score, _reasons, _actions in response.context["rows"]]
    assert len(expected) == 3 and expected == sorted(expected, reverse=True)
    by_probability = client.get(reverse("inspection-list"), {"sort": "probability"}).context["rows"]
    probabilities = [score.probability for score, _reasons, _actions in by_probability]
    assert probabilities == sorted(probabilities, reverse=True)
    assert client.get(reverse("inspection-list"), {"office": "ZZ"}).context["page"].paginator.count == 0


@pytest.mark.django_db
def test_the_inspection_list_exports_csv(scored, client_for, supervisor):
    response = client_for(supervisor).get(reverse("inspection-list"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[0].startswith("declaration,office") and len(lines) == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["inspection-list", "inspection-audit", "inspection-probably-wrong", "inspection-models"]
)
def test_traders_cannot_see_risk_pages(name, client_for, trader_a, audit_officer):
    assert client_for(trader_a).get(reverse(name)).status_code == 403
    assert client_for(audit_officer).get(reverse(name)).status_code == 200


@pytest.mark.django_db
def test_an_inspection_result_is_recorded_and_audited_and_becomes_a_label(scored, client_for, inspection_officer):
    declaration = scored[0]
    url = reverse("inspection-result", args=[declaration.pk])
    response = client_for(inspection_officer).post(
        url,
        {
            "kind": "inspection",
            "outcome": "discrepancy",
            "additional_duty_jpy": "15000",
            "fraud_type": "undervaluation",
        },
    )
    assert response.status_code == 302
    result = InspectionResult.objects.get()
    assert result.additional_duty_jpy == 15000 and result.officer == inspection_officer
    assert AuditEvent.objects.filter(action="inspection.inspection_result", object_id=str(declaration.pk)).exists()
    frame = services.training_frame()
    portal = frame[frame["sgd_id"].str.startswith(f"PORTAL-{declaration.pk}-")]
    assert portal["illicit"].tolist() == [1] and portal["revenue"].sum() == 15000


@pytest.mark.django_db
def test_a_discrepancy_without_its_kind_is_refused_and_nothing_recorded(scored, client_for, inspection_officer):
    url = reverse("inspection-result", args=[scored[0].pk])
    response = client_for(inspection_officer).post(
        url, {"kind": "inspection", "outcome": "discrepancy", "additional_duty_jpy": "-5"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Choose the kind of discrepancy." in response.content.decode()
    assert not InspectionResult.objects.exists()


@pytest.mark.django_db
def test_a_trader_cannot_record_a_result(scored, client_for, trader_a):
    url = reverse("inspection-result", args=[scored[0].pk])
    assert client_for(trader_a).post(url, {"kind": "inspection", "outcome": "no_discrepancy"}).status_code == 403
    assert not InspectionResult.objects.exists()


@pytest.mark.django_db
def test_a_supervisor_promotes_and_rolls_back_in_the_ui_and_both_are_audited(
    trained_model, client_for, supervisor, clearance_officer
):
    client = client_for(supervisor)
    assert (
        "Roll back" not in client.get(reverse("inspection-models"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )  # nothing served before
    second = services.risk_model_train(system="test")
    assert second.status == ModelVersion.Status.ACTIVE
    assert (
        f"Roll back to {trained_model.label}"
        in client.get(reverse("inspection-models"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert client_for(clearance_officer).post(reverse("inspection-model-rollback")).status_code == 403
    client.post(reverse("inspection-model-rollback"))
    trained_model.refresh_from_db()
    assert trained_model.status == ModelVersion.Status.ACTIVE
    client.post(reverse("inspection-model-promote", args=[second.pk]))
    second.refresh_from_db()
    assert second.status == ModelVersion.Status.ACTIVE
    actors = AuditEvent.objects.filter(action="risk_model.promoted", actor=supervisor)
    assert actors.count() == 2


@pytest.mark.django_db
def test_the_risk_model_pages_show_and_promote_only_risk_versions(trained_model, client_for, supervisor, trader_a):
    from customs_portal import ml_registry

    xray = ml_registry.model_version_register(
        name="xray", write=lambda directory: (directory / "weights.bin").write_bytes(b"\0"), system="test"
    )
    client = client_for(supervisor)
    assert [row[0] for row in client.get(reverse("inspection-models")).context["rows"]] == [trained_model]
    assert client.post(reverse("inspection-model-promote", args=[xray.pk])).status_code == 404
    assert client_for(trader_a).post(reverse("inspection-model-promote", args=[xray.pk])).status_code == 403
    xray.refresh_from_db()
    assert xray.status == ModelVersion.Status.TRAINED


@pytest.mark.django_db
def test_the_audit_and_probably_wrong_lists_render(scored, client_for, audit_officer):
    Declaration.objects.filter(pk=scored[0].pk).update(status=Declaration.Status.PERMITTED)
    client = client_for(audit_officer)
    response = client.get(reverse("inspection-audit"))
    assert response.status_code == 200 and len(response.context["page"].object_list) == 1
    assert client.get(reverse("inspection-audit"), {"format": "csv"}).status_code == 200
    assert client.get(reverse("inspection-probably-wrong")).status_code == 200


@pytest.mark.django_db
def test_the_inspection_list_api_is_for_officers_only(scored, inspection_officer, trader_a):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(inspection_officer)
    body = client.get(reverse("api-inspection-list")).json()
    assert body["count"] == 3 and {"probability", "expected_revenue_jpy", "reasons"} <= set(body["results"][0])
    client.force_authenticate(trader_a)
    assert client.get(reverse("api-inspection-list")).status_code == 403
