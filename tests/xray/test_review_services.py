"""The officers' writes: a decision confirms or overrides the model once, with a reason;
the finding after opening becomes the images' label; released parcels get their duty
assessed; settings are a supervisor's; every write is audited."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent
from declarations.tariff.interface import tariff_seed_load
from tests.xray.factories_review import screened_parcel
from xray.parcels.models import Decision, Parcel
from xray.review import selectors, services
from xray.review.models import Finding, ParcelReview, ReviewSettings

pytest_plugins = ["tests.xray.fixtures_review"]
pytestmark = pytest.mark.django_db
Reason = ParcelReview.Reason


def test_confirming_the_model_decides_the_parcel_and_is_audited(inspection_officer, duty_assessed):
    parcel = screened_parcel(score=0.9)
    review = services.parcel_review_decide(
        parcel=parcel, officer=inspection_officer, decision=Decision.INSPECT, reason=Reason.MODEL_AGREED
    )
    parcel.refresh_from_db()
    assert parcel.status == Parcel.Status.DECIDED
    assert parcel.final_decision == Decision.INSPECT and parcel.decided_at is not None
    assert review.agrees_with_model and review.finding == "" and review.model_version_number == 1
    event = AuditEvent.objects.get(action="xray_parcel.reviewed")
    assert event.actor == inspection_officer and event.after["agrees_with_model"] is True
    assert duty_assessed == []


def test_overriding_the_model_needs_a_reason_other_than_agreeing(inspection_officer, duty_assessed):
    parcel = screened_parcel(score=0.9)
    with pytest.raises(ApplicationError) as error:
        services.parcel_review_decide(
            parcel=parcel, officer=inspection_officer, decision=Decision.RELEASE, reason=Reason.MODEL_AGREED
        )
    assert error.value.code == "override_needs_reason" and "reason" in error.value.fields
    review = services.parcel_review_decide(
        parcel=parcel, officer=inspection_officer, decision=Decision.RELEASE, reason=Reason.IMAGE_CLEAR
    )
    assert not review.agrees_with_model


def test_a_reason_of_other_needs_a_note(supervisor):
    parcel = screened_parcel(score=0.1)
    with pytest.raises(ApplicationError) as error:
        services.parcel_review_decide(parcel=parcel, officer=supervisor, decision=Decision.INSPECT, reason=Reason.OTHER)
    assert error.value.code == "note_required"


def test_a_released_parcel_is_labelled_no_threat_and_its_duty_assessed(inspection_officer, duty_assessed):
    parcel = screened_parcel(score=0.1)
    review = services.parcel_review_decide(
        parcel=parcel, officer=inspection_officer, decision=Decision.RELEASE, reason=Reason.MODEL_AGREED
    )
    assert review.finding == Finding.OTHER
    assert duty_assessed == [parcel.item_number]


def test_releasing_a_parcel_stores_the_duty_the_tariff_engine_computes(inspection_officer):
    tariff_seed_load()
    parcel = screened_parcel(score=0.1)
    parcel.items.update(hs_code="847130", value_jpy=150_000)
    services.parcel_review_decide(parcel=parcel, officer=inspection_officer, decision="release", reason="model_agreed")
    parcel.refresh_from_db()
    # Laptops are duty-free: consumption taxes of 150,000 yen (7.8 % and 22/78 of it).
    assert (parcel.status, parcel.duty_jpy) == (Parcel.Status.DECIDED, 15_000)


def test_a_release_whose_duty_cannot_be_assessed_is_refused_and_the_parcel_waits(inspection_officer):
    parcel = screened_parcel(score=0.1)
    parcel.items.update(hs_code="999999")
    with pytest.raises(ApplicationError):
        services.parcel_review_decide(
            parcel=parcel, officer=inspection_officer, decision="release", reason="model_agreed"
        )
    parcel.refresh_from_db()
    assert parcel.status == Parcel.Status.SCREENED and not ParcelReview.objects.exists()


def test_a_control_sample_parcel_is_opened_whatever_the_model_said(inspection_officer):
    parcel = screened_parcel(score=0.05, control_sample=True)
    with pytest.raises(ApplicationError) as error:
        services.parcel_review_decide(
            parcel=parcel, officer=inspection_officer, decision=Decision.RELEASE, reason=Reason.MODEL_AGREED
        )
    assert error.value.code == "control_sample_opened"
    review = services.parcel_review_decide(
        parcel=parcel, officer=inspection_officer, decision=Decision.INSPECT, reason=Reason.CONTROL_SAMPLE
    )
    assert not review.agrees_with_model


def test_a_parcel_is_decided_only_once(inspection_officer, supervisor):
    parcel = screened_parcel()
    services.parcel_review_decide(parcel=parcel, officer=inspection_officer, decision="inspect", reason="model_agreed")
    with pytest.raises(ApplicationError) as error:
        services.parcel_review_decide(parcel=parcel, officer=supervisor, decision="inspect", reason="model_agreed")
    assert error.value.code == "xray_transition_not_allowed" and error.value.status == 409
    assert ParcelReview.objects.filter(parcel=parcel).count() == 1


def test_a_parcel_not_yet_screened_cannot_be_decided(inspection_officer):
    parcel = screened_parcel(status=Parcel.Status.SCREENING)
    with pytest.raises(ApplicationError):
        services.parcel_review_decide(
            parcel=parcel, officer=inspection_officer, decision="inspect", reason="model_agreed"
        )


@pytest.mark.parametrize("persona", ["clearance_officer", "audit_officer", "trader_a"])
def test_only_inspection_officers_and_supervisors_decide(persona, request):
    parcel = screened_parcel()
    with pytest.raises(ApplicationError) as error:
        services.parcel_review_decide(
            parcel=parcel, officer=request.getfixturevalue(persona), decision="inspect", reason="model_agreed"
        )
    assert error.value.status == 403


def test_the_finding_after_opening_is_recorded_once_and_releases_a_clean_parcel(inspection_officer, duty_assessed):
    clean, armed = screened_parcel(score=0.7), screened_parcel(score=0.95)
    for parcel in (clean, armed):
        services.parcel_review_decide(
            parcel=parcel, officer=inspection_officer, decision="inspect", reason="model_agreed"
        )
    services.parcel_finding_record(parcel=clean, officer=inspection_officer, finding=Finding.OTHER)
    services.parcel_finding_record(
        parcel=armed, officer=inspection_officer, finding=Finding.GUN, note="Pistol in a box"
    )
    assert duty_assessed == [clean.item_number]
    assert ParcelReview.objects.get(parcel=armed).finding == Finding.GUN
    with pytest.raises(ApplicationError) as error:
        services.parcel_finding_record(parcel=armed, officer=inspection_officer, finding=Finding.BLADE)
    assert error.value.code == "finding_recorded"
    assert AuditEvent.objects.filter(action="xray_parcel.finding_recorded").count() == 2


def test_a_released_parcel_has_no_finding_to_record(inspection_officer, duty_assessed):
    parcel = screened_parcel(score=0.1)
    services.parcel_review_decide(parcel=parcel, officer=inspection_officer, decision="release", reason="model_agreed")
    with pytest.raises(ApplicationError) as error:
        services.parcel_finding_record(parcel=parcel, officer=inspection_officer, finding=Finding.GUN)
    assert error.value.code == "not_opened"


def test_labelled_images_are_the_findings_of_decided_parcels(inspection_officer, duty_assessed):
    armed, released, waiting = screened_parcel(score=0.95, images=2), screened_parcel(score=0.1), screened_parcel()
    services.parcel_review_decide(parcel=armed, officer=inspection_officer, decision="inspect", reason="model_agreed")
    services.parcel_finding_record(parcel=armed, officer=inspection_officer, finding=Finding.BLADE)
    services.parcel_review_decide(
        parcel=released, officer=inspection_officer, decision="release", reason="model_agreed"
    )
    labelled = selectors.review_labelled_images()
    assert [label for _path, label in labelled] == ["blade", "blade", "other"]
    assert all(path.is_file() for path, _label in labelled)
    assert waiting.images.first().file.path not in {str(path) for path, _label in labelled}


def test_the_supervisor_changes_the_settings_within_bounds(supervisor, inspection_officer):
    settings = services.review_settings_update(actor=supervisor, tip_share_percent=10, control_sample_percent=3)
    assert (ReviewSettings.objects.get().tip_share_percent, settings.updated_by) == (10, supervisor)
    assert services.review_settings_current().control_sample_percent == 3
    with pytest.raises(ApplicationError) as error:
        services.review_settings_update(actor=supervisor, tip_share_percent=60, control_sample_percent=3)
    assert "tip_share_percent" in error.value.fields
    with pytest.raises(ApplicationError):
        services.review_settings_update(actor=inspection_officer, tip_share_percent=1, control_sample_percent=1)
    assert AuditEvent.objects.filter(action="xray_settings.changed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_once_make_one_review(inspection_officer, supervisor):
    parcel = screened_parcel()
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(officer):
        try:
            barrier.wait()
            services.parcel_review_decide(parcel=parcel, officer=officer, decision="inspect", reason="model_agreed")
            outcomes.append("decided")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(officer,)) for officer in (inspection_officer, supervisor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["decided", "xray_transition_not_allowed"]
    assert ParcelReview.objects.filter(parcel=parcel).count() == 1
