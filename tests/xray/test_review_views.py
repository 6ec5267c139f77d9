"""The officers' X-ray pages: who may open them, the queue sorted by threat with its
filters and counts (query count pinned), the parcel page's decision and finding, the
image files streamed only to officers, the model versions page's promotion and
rollback, and the supervisor's settings."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customs_portal.models import AuditEvent, ModelVersion
from tests.xray.factories_review import screened_parcel, xray_model_version
from xray.parcels.models import Parcel
from xray.review.models import ParcelReview, ReviewSettings

pytest_plugins = ["tests.xray.fixtures_review"]
pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _no_tip():
    """These pages are tested without projected threats (test_tip_officer.py has them)."""
    ReviewSettings.objects.create(tip_share_percent=0)


def _pages(parcel) -> list[str]:
    image = parcel.images.first()
    return [
        reverse("xray-review-queue"),
        reverse("xray-review-parcel", args=[parcel.item_number]),
        reverse("xray-review-image", args=[image.pk]),
        reverse("xray-review-heatmap", args=[image.pk]),
        reverse("xray-review-monitoring"),
        reverse("xray-review-models"),
    ]


@pytest.mark.parametrize("persona", ["inspection_officer", "supervisor", "clearance_officer", "audit_officer"])
def test_every_officer_may_read_the_xray_pages(persona, request, client_for):
    parcel = screened_parcel()
    client = client_for(request.getfixturevalue(persona))
    for url in _pages(parcel):
        assert client.get(url, **EN).status_code == 200, url


@pytest.mark.parametrize("persona", ["trader_a", "scanner_user", "kiosk_user", "admin_user"])
def test_traders_and_devices_get_403_on_every_xray_page(persona, request, client_for):
    parcel = screened_parcel()
    client = client_for(request.getfixturevalue(persona))
    for url in _pages(parcel):
        assert client.get(url, **EN).status_code == 403, url
    decide = reverse("xray-review-decide", args=[parcel.item_number])
    assert client.post(decide, {"decision": "inspect", "reason": "model_agreed"}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("xray-review-queue"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_queue_lists_screened_parcels_by_threat_score_with_counts(client_for, inspection_officer):
    low, high, middle = screened_parcel(score=0.1), screened_parcel(score=0.95), screened_parcel(score=0.5)
    screened_parcel(score=0.99, status=Parcel.Status.DECIDED)
    response = client_for(inspection_officer).get(reverse("xray-review-queue"), **EN)
    items = [parcel.item_number for parcel in response.context["page"].object_list]
    assert items == [high.item_number, middle.item_number, low.item_number]
    assert response.context["counts"] == {"total": 3, "inspect": 2, "release": 1, "unread": 0}


def test_the_queue_filters_by_decision_mismatch_control_sample_and_status(client_for, supervisor):
    mismatch = screened_parcel(score=0.6, mismatch=True)
    control = screened_parcel(score=0.1, control_sample=True)
    released = screened_parcel(score=0.2)
    decided = screened_parcel(score=0.9, status=Parcel.Status.DECIDED)
    client = client_for(supervisor)

    def listed(**query) -> list[str]:
        response = client.get(reverse("xray-review-queue"), query, **EN)
        assert response.status_code == 200
        return [parcel.item_number for parcel in response.context["page"].object_list]

    assert listed(mismatch_only="on") == [mismatch.item_number]
    assert listed(control_sample="yes") == [control.item_number]
    assert listed(machine_decision="release") == [released.item_number, control.item_number]
    assert listed(status="decided") == [decided.item_number]
    assert len(listed(status="")) == 4
    response = client.get(reverse("xray-review-queue"), {"machine_decision": "release"}, **EN)
    # Counts per decision are of the other filters, so both decisions stay in sight.
    assert response.context["counts"]["inspect"] == 1 and response.context["counts"]["release"] == 2
    assert client.get(reverse("xray-review-queue"), {"date_from": "not a date"}, **EN).status_code == 400


def test_the_queue_reads_in_a_fixed_number_of_queries(client_for, inspection_officer, django_assert_num_queries):
    client = client_for(inspection_officer)
    screened_parcel()
    client.get(reverse("xray-review-queue"), **EN)
    for score in (0.2, 0.4, 0.6, 0.8, 0.9):
        screened_parcel(score=score, mismatch=True)
    # Session and user, the counts per decision, the page's count and its rows, and the
    # session's refresh (saved on every request: a savepoint around one UPDATE).
    with django_assert_num_queries(8):
        response = client.get(reverse("xray-review-queue"), **EN)
    assert len(response.context["page"].object_list) == 6


def test_the_parcel_page_shows_the_image_the_model_reading_and_declared_contents(client_for, inspection_officer):
    parcel = screened_parcel(score=0.91, mismatch=True)
    response = client_for(inspection_officer).get(reverse("xray-review-parcel", args=[parcel.item_number]), **EN)
    body = response.content.decode()
    assert reverse("xray-review-image", args=[parcel.images.first().pk]) in body
    assert "0.910" in body and "Phone case" in body and "xray:1" in body
    assert 'data-action="heatmap"' in body and "Record the decision" in body
    assert "<script>" not in body  # no inline script: the CSP allows only our own files


def test_read_only_officers_see_no_decision_form(client_for, clearance_officer):
    parcel = screened_parcel()
    response = client_for(clearance_officer).get(reverse("xray-review-parcel", args=[parcel.item_number]), **EN)
    assert response.context["decision_form"] is None
    decide = reverse("xray-review-decide", args=[parcel.item_number])
    assert (
        client_for(clearance_officer).post(decide, {"decision": "inspect", "reason": "model_agreed"}).status_code == 403
    )


def test_an_unknown_parcel_is_404(client_for, inspection_officer):
    assert client_for(inspection_officer).get(reverse("xray-review-parcel", args=["EE000000000JP"])).status_code == 404


def test_an_officer_overrides_the_model_with_a_reason_then_records_the_finding(
    client_for, inspection_officer, duty_assessed
):
    parcel = screened_parcel(score=0.2)
    client = client_for(inspection_officer)
    decide = reverse("xray-review-decide", args=[parcel.item_number])
    refused = client.post(decide, {"decision": "inspect", "reason": "model_agreed"}, **EN)
    assert refused.status_code == 400
    assert "give the reason for overriding it" in refused.content.decode()
    response = client.post(decide, {"decision": "inspect", "reason": "shape_of_concern", "note": "Odd shape"}, **EN)
    assert response.status_code == 302
    review = ParcelReview.objects.get(parcel=parcel)
    assert (review.decision, review.agrees_with_model, review.reason) == ("inspect", False, "shape_of_concern")
    page = client.get(reverse("xray-review-parcel", args=[parcel.item_number]), **EN)
    assert page.context["finding_form"] is not None
    finding = reverse("xray-review-finding", args=[parcel.item_number])
    assert client.post(finding, {"finding": "blade"}, **EN).status_code == 302
    review.refresh_from_db()
    assert review.finding == "blade" and duty_assessed == []
    assert client.post(finding, {"finding": "gun"}, **EN).status_code == 400


def test_releasing_from_the_page_assesses_the_duty(client_for, supervisor, duty_assessed):
    parcel = screened_parcel(score=0.1)
    response = client_for(supervisor).post(
        reverse("xray-review-decide", args=[parcel.item_number]), {"decision": "release", "reason": "model_agreed"}
    )
    assert response.status_code == 302 and duty_assessed == [parcel.item_number]


def test_images_are_streamed_privately_never_as_public_media(client_for, audit_officer, client):
    parcel = screened_parcel()
    image = parcel.images.first()
    response = client_for(audit_officer).get(reverse("xray-review-image", args=[image.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    heat = client_for(audit_officer).get(reverse("xray-review-heatmap", args=[image.pk]))
    assert heat.status_code == 200 and heat["Cache-Control"] == "private, no-store"
    assert client.get(reverse("xray-review-image", args=[image.pk])).status_code == 302
    assert client.get(image.file.url).status_code == 404


def test_an_image_without_a_heat_map_has_none_to_stream(client_for, inspection_officer):
    parcel = screened_parcel(heatmap=False)
    url = reverse("xray-review-heatmap", args=[parcel.images.first().pk])
    assert client_for(inspection_officer).get(url).status_code == 404


def test_the_models_page_lists_versions_with_their_metrics(client_for, clearance_officer):
    xray_model_version(version=1)
    response = client_for(clearance_officer).get(reverse("xray-review-models"), **EN)
    body = response.content.decode()
    assert "xray:1" in body and "Operating threshold" in body and "0.350" in body and "0.973" in body
    assert "Recall of threats at the threshold" in body and "Gun" in body
    assert "Serve this version" not in body  # promotion is the supervisor's


def test_a_supervisor_promotes_and_rolls_back_a_version(client_for, supervisor):
    first = xray_model_version(version=1)
    second = xray_model_version(version=2, status=ModelVersion.Status.TRAINED)
    client = client_for(supervisor)
    assert "Serve this version" in client.get(reverse("xray-review-models"), **EN).content.decode()
    assert client.post(reverse("xray-review-model-promote", args=[second.pk])).status_code == 302
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.status, first.status) == ("active", "retired")
    assert AuditEvent.objects.filter(action="xray_model.promoted").exists()
    assert client.post(reverse("xray-review-model-rollback")).status_code == 302
    first.refresh_from_db()
    assert first.status == "active"


def test_an_inspection_officer_cannot_promote(client_for, inspection_officer):
    version = xray_model_version(version=1, status=ModelVersion.Status.TRAINED)
    assert (
        client_for(inspection_officer).post(reverse("xray-review-model-promote", args=[version.pk])).status_code == 403
    )
    assert client_for(inspection_officer).post(reverse("xray-review-model-rollback")).status_code == 403
    version.refresh_from_db()
    assert version.status == "trained"


def test_another_models_version_cannot_be_promoted_from_the_xray_page(client_for, supervisor):
    risk = ModelVersion.objects.create(name="risk", version=1, artefact_path="/x", checksums={"a": "b"})
    assert client_for(supervisor).post(reverse("xray-review-model-promote", args=[risk.pk])).status_code == 404


def test_the_supervisor_changes_the_settings_on_the_page(client_for, supervisor):
    client = client_for(supervisor)
    url = reverse("xray-review-settings")
    assert client.get(url, **EN).status_code == 200
    assert client.post(url, {"tip_share_percent": 8, "control_sample_percent": 4}).status_code == 302
    assert ReviewSettings.objects.get().tip_share_percent == 8
    assert client.post(url, {"tip_share_percent": 80, "control_sample_percent": 4}, **EN).status_code == 400


@pytest.mark.parametrize("persona", ["inspection_officer", "clearance_officer", "trader_a"])
def test_only_a_supervisor_opens_the_settings(persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("xray-review-settings")).status_code == 403


@pytest.mark.parametrize("persona", ["clearance_officer", "audit_officer", "trader_a", "scanner_user"])
def test_only_reviewers_record_a_finding(persona, request, client_for, inspection_officer):
    parcel = screened_parcel()
    client_for(inspection_officer).post(
        reverse("xray-review-decide", args=[parcel.item_number]), {"decision": "inspect", "reason": "model_agreed"}
    )
    finding = reverse("xray-review-finding", args=[parcel.item_number])
    assert client_for(request.getfixturevalue(persona)).post(finding, {"finding": "gun"}).status_code == 403
    assert ParcelReview.objects.get(parcel=parcel).finding == ""


@pytest.mark.parametrize("persona", ["inspection_officer", "audit_officer", "trader_a"])
def test_only_a_supervisor_saves_the_settings(persona, request, client_for):
    url = reverse("xray-review-settings")
    response = client_for(request.getfixturevalue(persona)).post(
        url, {"tip_share_percent": 9, "control_sample_percent": 1}
    )
    assert response.status_code == 403
    assert ReviewSettings.objects.get().tip_share_percent == 0


def test_the_officers_navigation_links_the_xray_queue(client_for, audit_officer, trader_a):
    assert reverse("xray-review-queue") in client_for(audit_officer).get(reverse("officer-dashboard")).content.decode()
    assert reverse("xray-review-queue") not in client_for(trader_a).get(reverse("trader-dashboard")).content.decode()


def test_the_parcel_page_reads_in_the_same_queries_whatever_its_images(client_for, inspection_officer):
    client = client_for(inspection_officer)
    one, three = screened_parcel(images=1), screened_parcel(images=3)
    client.get(reverse("xray-review-parcel", args=[one.item_number]))
    with CaptureQueriesContext(connection) as first:
        assert client.get(reverse("xray-review-parcel", args=[one.item_number])).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(reverse("xray-review-parcel", args=[three.item_number])).status_code == 200
    # Session and user; the parcel, its items, images, their results and its reviews;
    # the TIP roll (the parcel's lock, an earlier projection, the settings, in a
    # savepoint and its release); the session's refresh (three).
    assert len(first.captured_queries) == len(second.captured_queries) == 15
