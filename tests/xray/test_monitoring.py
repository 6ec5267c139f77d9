"""The model's monitoring: per model version and week, how often its decision matched
what officers found, with recall and precision, on every confirmed parcel and on the
random control sample alone, as a chart and a table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customs_portal.models import ModelVersion
from tests.xray.factories_review import screened_parcel, xray_model_version
from xray.review import charts, selectors, services
from xray.review.models import ParcelReview

pytest_plugins = ["tests.xray.fixtures_review"]
pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _confirmed(officer, *, score: float, found: str, control: bool = False, weeks_ago: int = 0, version=None):
    """A parcel the model read (inspect from 0.35), decided and, when opened, with its finding."""
    parcel = screened_parcel(score=score, control_sample=control, version=version)
    opened = control or score >= 0.35 or found != "other"
    reason = "control_sample" if control else ("model_agreed" if opened == (score >= 0.35) else "intelligence")
    services.parcel_review_decide(
        parcel=parcel, officer=officer, decision="inspect" if opened else "release", reason=reason
    )
    if opened:
        services.parcel_finding_record(parcel=parcel, officer=officer, finding=found)
    if weeks_ago:
        ParcelReview.objects.filter(parcel=parcel).update(created_at=timezone.now() - timedelta(weeks=weeks_ago))
    return parcel


def test_weekly_accuracy_recall_and_precision_per_version_with_the_control_sample_apart(
    inspection_officer, duty_assessed
):
    first = xray_model_version(version=1)
    # Two weeks ago, version 1: a gun caught, a false alarm, a knife missed (found
    # because an officer opened it on intelligence) and a clean parcel released.
    _confirmed(inspection_officer, score=0.9, found="gun", weeks_ago=2, version=first)
    _confirmed(inspection_officer, score=0.6, found="other", weeks_ago=2, version=first)
    _confirmed(inspection_officer, score=0.1, found="blade", weeks_ago=2, version=first)
    _confirmed(inspection_officer, score=0.1, found="other", weeks_ago=2, version=first)
    # This week, version 2, with two control-sample parcels: one matched, one missed.
    second = xray_model_version(version=2, status=ModelVersion.Status.TRAINED)
    _confirmed(inspection_officer, score=0.95, found="shuriken", version=second)
    _confirmed(inspection_officer, score=0.05, found="other", control=True, version=second)
    _confirmed(inspection_officer, score=0.05, found="gun", control=True, version=second)
    # Decided but not yet opened: no finding, so not counted.
    screened = screened_parcel(score=0.9, version=second)
    services.parcel_review_decide(
        parcel=screened, officer=inspection_officer, decision="inspect", reason="model_agreed"
    )

    series = selectors.monitoring_series(user=inspection_officer)
    assert [(row["version"], row["all"]["reviewed"]) for row in series] == [(1, 4), (2, 3)]
    old, new = series
    assert old["all"] == {"reviewed": 4, "matched": 2, "accuracy": 0.5, "recall": 0.5, "precision": 0.5, "threats": 2}
    assert old["control"]["reviewed"] == 0 and old["control"]["accuracy"] is None
    assert new["all"]["accuracy"] == 0.6667 and new["all"]["recall"] == 0.5
    assert new["control"] == {
        "reviewed": 2, "matched": 1, "accuracy": 0.5, "recall": 0.0, "precision": None, "threats": 1,
    }  # fmt: skip
    assert new["week"] - old["week"] == timedelta(weeks=2)

    chart = charts.monitoring_chart(series)
    assert len(chart["labels"]) == 2
    assert [dataset["data"] for dataset in chart["datasets"]] == [[0.5, None], [None, 0.6667], [None, 0.5]]
    assert "version 2, random control sample" in chart["datasets"][2]["label"]


def test_findings_older_than_the_window_are_left_out(inspection_officer, duty_assessed):
    _confirmed(inspection_officer, score=0.9, found="gun", weeks_ago=20)
    assert selectors.monitoring_series(user=inspection_officer, weeks=12) == []


def test_the_monitoring_page_draws_the_chart_from_embedded_data_and_a_table(
    client_for, audit_officer, inspection_officer, duty_assessed
):
    _confirmed(inspection_officer, score=0.9, found="gun")
    _confirmed(inspection_officer, score=0.05, found="other", control=True)
    response = client_for(audit_officer).get(reverse("xray-review-monitoring"), **EN)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="monitoring-chart-data"' in body and "xray/monitoring.js" in body
    assert "vendor/chartjs/chart.umd.min.js" in body and "cdn" not in body.lower()
    assert "Random control sample" in body and "100 %" in body


@pytest.mark.parametrize("persona", ["trader_a", "admin_user"])
def test_the_monitoring_page_is_for_officers_only(persona, request, client_for):
    assert client_for(request.getfixturevalue(persona)).get(reverse("xray-review-monitoring")).status_code == 403
