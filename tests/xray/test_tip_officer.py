"""Threat image projection for officers: a configured share of the parcels an officer
opens shows a projected threat in place of the parcel's image, at the same address; the
answer is recorded on the presentation, the officer is told it was a test and then sees
the real parcel, which the answer never decides. Supervisors see the hit rate per officer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent, Role
from tests.customs_portal.factories import UserFactory
from tests.xray.factories_review import screened_parcel
from xray.parcels.models import Parcel
from xray.review import selectors, services
from xray.review.models import ParcelReview, ReviewSettings, TipPresentation

pytest_plugins = ["tests.xray.fixtures_review"]
pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def always_tip(monkeypatch, projected_threat):
    """Every roll falls within the share (the share itself is tested on its own)."""
    ReviewSettings.objects.create(tip_share_percent=5)
    monkeypatch.setattr(services, "_tip_roll", lambda **_: 0.0)
    return projected_threat


def _image_bytes(client, parcel) -> bytes:
    response = client.get(reverse("xray-review-image", args=[parcel.images.first().pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_an_officer_opening_a_parcel_may_see_a_projected_threat_at_the_same_address(
    client_for, inspection_officer, clearance_officer, always_tip
):
    parcel = screened_parcel()
    original = _image_bytes(client_for(clearance_officer), parcel)
    client = client_for(inspection_officer)
    page = client.get(reverse("xray-review-parcel", args=[parcel.item_number]), **EN)
    assert page.status_code == 200
    presentation = TipPresentation.objects.get()
    assert (presentation.officer, presentation.parcel, presentation.base_image) == (
        inspection_officer,
        parcel,
        parcel.images.first(),
    )
    assert presentation.projected_class in {"gun", "blade", "shuriken"}
    assert always_tip[0]["size"] == (96, 64)
    # The page looks like any other parcel's: same image address, same decision form.
    body = page.content.decode()
    assert reverse("xray-review-image", args=[parcel.images.first().pk]) in body
    assert "test image" not in body and page.context["decision_form"] is not None
    assert _image_bytes(client, parcel) != original
    # Other officers still see the parcel's own image.
    assert _image_bytes(client_for(clearance_officer), parcel) == original
    # Reopening shows the same projection, not a second one.
    client.get(reverse("xray-review-parcel", args=[parcel.item_number]), **EN)
    assert TipPresentation.objects.count() == 1


def test_flagging_the_projected_threat_records_a_hit_and_leaves_the_parcel_undecided(
    client_for, inspection_officer, clearance_officer, always_tip
):
    parcel = screened_parcel(score=0.1)
    original = _image_bytes(client_for(clearance_officer), parcel)
    client = client_for(inspection_officer)
    client.get(reverse("xray-review-parcel", args=[parcel.item_number]), **EN)
    response = client.post(
        reverse("xray-review-decide", args=[parcel.item_number]),
        {"decision": "inspect", "reason": "shape_of_concern"},
        follow=True,
        **EN,
    )
    presentation = TipPresentation.objects.get()
    assert presentation.flagged is True and presentation.answered_at is not None
    parcel.refresh_from_db()
    assert parcel.status == Parcel.Status.SCREENED and parcel.final_decision == ""
    assert not ParcelReview.objects.exists()
    assert "That was a test image (TIP)" in response.content.decode() and "you flagged it" in response.content.decode()
    # Then the real parcel, with its own image and no new projection.
    assert _image_bytes(client, parcel) == original
    assert TipPresentation.objects.count() == 1
    assert response.context["decision_form"] is not None
    assert AuditEvent.objects.filter(action="xray_tip.answered").get().after["flagged"] is True


def test_releasing_the_projected_threat_records_a_miss(client_for, supervisor, always_tip):
    parcel = screened_parcel(score=0.1)
    client = client_for(supervisor)
    client.get(reverse("xray-review-parcel", args=[parcel.item_number]), **EN)
    response = client.post(
        reverse("xray-review-decide", args=[parcel.item_number]), {"decision": "release", "reason": "model_agreed"},
        follow=True, **EN,
    )  # fmt: skip
    assert TipPresentation.objects.get().flagged is False
    assert "which you missed" in response.content.decode()
    parcel.refresh_from_db()
    assert parcel.status == Parcel.Status.SCREENED


def test_no_projection_when_the_share_is_zero_or_for_read_only_officers(
    client_for, inspection_officer, audit_officer, projected_threat
):
    ReviewSettings.objects.create(tip_share_percent=0)
    parcel = screened_parcel()
    client_for(inspection_officer).get(reverse("xray-review-parcel", args=[parcel.item_number]))
    ReviewSettings.objects.update(tip_share_percent=50)
    client_for(audit_officer).get(reverse("xray-review-parcel", args=[parcel.item_number]))
    assert not TipPresentation.objects.exists()


def test_about_the_configured_share_of_opened_parcels_carries_a_projection(inspection_officer, projected_threat):
    ReviewSettings.objects.create(tip_share_percent=25)
    parcels = [screened_parcel(heatmap=False) for _ in range(80)]
    shown = [services.tip_present(parcel=parcel, officer=inspection_officer) for parcel in parcels]
    count = sum(presentation is not None for presentation in shown)
    # 25 % of 80 is 20; three standard deviations (about 11.6) either side.
    assert 8 <= count <= 32
    # The roll is fixed per officer and parcel: opening them all again adds nothing.
    for parcel in parcels:
        services.tip_present(parcel=parcel, officer=inspection_officer)
    assert TipPresentation.objects.count() == count


def test_a_projection_is_answered_once_and_only_by_its_officer(inspection_officer, supervisor, always_tip):
    parcel = screened_parcel()
    presentation = services.tip_present(parcel=parcel, officer=inspection_officer)
    with pytest.raises(ApplicationError) as error:
        services.tip_answer(presentation=presentation, officer=supervisor, decision="inspect")
    assert error.value.status == 403
    services.tip_answer(presentation=presentation, officer=inspection_officer, decision="inspect")
    with pytest.raises(ApplicationError) as error:
        services.tip_answer(presentation=presentation, officer=inspection_officer, decision="release")
    assert error.value.code == "tip_answered"


def test_a_parcel_decided_by_another_officer_shows_its_own_image_again(
    client_for, inspection_officer, supervisor, always_tip
):
    parcel = screened_parcel()
    client = client_for(inspection_officer)
    client.get(reverse("xray-review-parcel", args=[parcel.item_number]))
    projected = _image_bytes(client, parcel)
    services.parcel_review_decide(parcel=parcel, officer=supervisor, decision="inspect", reason="model_agreed")
    assert _image_bytes(client, parcel) != projected


def test_the_supervisor_sees_tip_results_per_officer_over_the_last_30_days(client_for, supervisor, always_tip):
    alice = UserFactory(role=Role.INSPECTION_OFFICER, username="alice", first_name="Alice", last_name="Sato")
    bob = UserFactory(role=Role.INSPECTION_OFFICER, username="bob")
    for officer, answers in ((alice, ["inspect", "inspect", "release"]), (bob, ["inspect"])):
        for decision in answers:
            presentation = services.tip_present(parcel=screened_parcel(), officer=officer)
            services.tip_answer(presentation=presentation, officer=officer, decision=decision)
    old = services.tip_present(parcel=screened_parcel(), officer=bob)
    services.tip_answer(presentation=old, officer=bob, decision="release")
    TipPresentation.objects.filter(pk=old.pk).update(answered_at=timezone.now() - timedelta(days=31))
    stats = selectors.tip_stats(user=supervisor)
    assert [(row["officer"], row["count"], row["hits"], row["hit_rate"]) for row in stats] == [
        ("Sato Alice", 3, 2, 0.6667),
        ("bob", 1, 1, 1.0),
    ]
    page = client_for(supervisor).get(reverse("xray-review-settings"), **EN).content.decode()
    assert "Sato Alice" in page and "67 %" in page
