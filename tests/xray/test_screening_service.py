"""The screening service with a fake predictor: claims and batches, one result per
(image, version), the parcel's score, decision, control sample and mismatch reasons,
images left queued without a model, broken images, and the requeue sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import override

from customs_portal.models import OutboxTask
from customs_portal.reasons import reasons_text
from tests.xray.factories import DeclaredItemFactory, XrayImageFactory
from tests.xray.fixtures_intake import BLADE, CLEAR, fake_predictor_serve
from xray.parcels.models import Parcel, XrayImage
from xray.review.models import ReviewSettings
from xray.screening import services
from xray.screening.models import ScreeningResult

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_predictor(monkeypatch):
    yield from fake_predictor_serve(monkeypatch)


def _parcel_with_image(*, description: str = "Books", hs_code: str = "490199", **image) -> XrayImage:
    item = DeclaredItemFactory(description=description, hs_code=hs_code)
    Parcel.objects.filter(pk=item.parcel_id).update(status=Parcel.Status.SCREENING)
    return XrayImageFactory(parcel=item.parcel, **image)


def test_without_a_served_model_images_stay_queued():
    image = _parcel_with_image()
    outcome = services.xray_images_screen(image_ids=[image.pk])
    assert outcome.no_model
    image.refresh_from_db()
    assert image.status == XrayImage.Status.QUEUED and image.attempts == 0
    assert not ScreeningResult.objects.exists()


def test_one_run_reads_other_queued_images_in_the_same_batch(fake_predictor, settings):
    settings.XRAY_SCREEN_BATCH = 3
    images = [_parcel_with_image() for _ in range(4)]
    outcome = services.xray_images_screen(image_ids=[images[3].pk])
    assert fake_predictor.batches == [3]
    assert images[3].pk in outcome.screened and len(outcome.screened) == 3
    assert XrayImage.objects.filter(status=XrayImage.Status.DONE).count() == 3
    assert XrayImage.objects.filter(status=XrayImage.Status.QUEUED).count() == 1


def test_a_result_records_what_explains_it_and_the_parcel_is_screened(fake_predictor):
    fake_predictor.read = lambda image: BLADE
    image = _parcel_with_image()
    services.xray_images_screen(image_ids=[image.pk])
    result = ScreeningResult.objects.get(image=image)
    assert result.model_version == fake_predictor.model_version
    assert (result.model_name, result.model_version_number, result.threshold) == ("xray", 1, 0.5)
    assert result.input_sha256 == image.sha256
    assert result.probabilities == BLADE and result.top_class == "blade"
    assert result.threat_score == pytest.approx(0.94) and result.decision == "inspect"
    assert result.heatmap.name.endswith(".png") and result.heatmap.size > 0
    parcel = Parcel.objects.get(pk=image.parcel_id)
    assert parcel.status == Parcel.Status.SCREENED and parcel.screened_at is not None
    assert parcel.machine_decision == "inspect" and parcel.threat_score == pytest.approx(0.94)
    image.refresh_from_db()
    assert image.status == XrayImage.Status.DONE and image.processed_at is not None


def test_running_twice_reads_each_image_once(fake_predictor):
    image = _parcel_with_image()
    services.xray_images_screen(image_ids=[image.pk])
    second = services.xray_images_screen(image_ids=[image.pk])
    assert second.screened == [] and fake_predictor.batches == [1]
    assert ScreeningResult.objects.count() == 1


def test_the_parcels_score_is_the_highest_of_its_images_and_waits_for_all(fake_predictor):
    first = _parcel_with_image()
    second = XrayImageFactory(parcel=first.parcel)
    fake_predictor.read = lambda image: CLEAR
    services.xray_images_screen(image_ids=[first.pk])
    # Both were in the batch: screened with the clear reading.
    parcel = Parcel.objects.get(pk=first.parcel_id)
    assert parcel.status == Parcel.Status.SCREENED and parcel.machine_decision == "release"
    third = XrayImageFactory(parcel=parcel)
    Parcel.objects.filter(pk=parcel.pk).update(status=Parcel.Status.SCREENING)
    fake_predictor.read = lambda image: BLADE
    services.xray_images_screen(image_ids=[third.pk])
    parcel.refresh_from_db()
    assert parcel.threat_score == pytest.approx(0.94) and parcel.machine_decision == "inspect"
    assert second.pk


def test_a_parcel_with_an_image_still_queued_is_not_screened_yet(fake_predictor, settings):
    settings.XRAY_SCREEN_BATCH = 1
    first = _parcel_with_image()
    XrayImageFactory(parcel=first.parcel)
    services.xray_images_screen(image_ids=[first.pk])
    parcel = Parcel.objects.get(pk=first.parcel_id)
    assert parcel.status == Parcel.Status.SCREENING and parcel.threat_score is not None


def test_books_declared_and_a_blade_seen_is_a_mismatch_worded_for_the_reader(fake_predictor):
    fake_predictor.read = lambda image: BLADE
    image = _parcel_with_image(description="Books", hs_code="490199")
    services.xray_images_screen(image_ids=[image.pk])
    parcel = Parcel.objects.get(pk=image.parcel_id)
    assert parcel.mismatch_reasons == [
        {"code": "declared_without_threat", "params": {"seen": "blade", "probability": 0.91, "declared": "Books"}}
    ]
    with override("en"):
        assert reasons_text(parcel.mismatch_reasons) == [
            "the image shows a blade or knife (probability 91 %), but the declared contents (Books) include none"
        ]


@pytest.mark.parametrize(
    ("description", "hs_code"), [("Kitchen knife", ""), ("Cutlery set", "821191"), ("Gift", "930700")]
)
def test_a_declared_blade_is_no_mismatch(fake_predictor, description, hs_code):
    fake_predictor.read = lambda image: BLADE
    image = _parcel_with_image(description=description, hs_code=hs_code)
    services.xray_images_screen(image_ids=[image.pk])
    assert Parcel.objects.get(pk=image.parcel_id).mismatch_reasons == []


def test_the_control_sample_follows_the_settings(fake_predictor, monkeypatch):
    monkeypatch.setattr(services.random, "random", lambda: 0.3)
    first = _parcel_with_image()
    services.xray_images_screen(image_ids=[first.pk])
    assert Parcel.objects.get(pk=first.parcel_id).control_sample is False  # 30 % > the default 2 %
    ReviewSettings.objects.create(control_sample_percent=50)
    second = _parcel_with_image()
    services.xray_images_screen(image_ids=[second.pk])
    assert Parcel.objects.get(pk=second.parcel_id).control_sample is True


def test_a_decided_parcel_is_left_alone(fake_predictor):
    fake_predictor.read = lambda image: BLADE
    image = _parcel_with_image()
    Parcel.objects.filter(pk=image.parcel_id).update(status=Parcel.Status.DECIDED, final_decision="release")
    services.xray_images_screen(image_ids=[image.pk])
    parcel = Parcel.objects.get(pk=image.parcel_id)
    assert parcel.status == Parcel.Status.DECIDED and parcel.threat_score is None


def test_an_image_that_cannot_be_decoded_is_retried_then_failed(fake_predictor, settings):
    settings.XRAY_SCREEN_MAX_ATTEMPTS = 2
    image = _parcel_with_image()
    image.file.save("broken.png", ContentFile(b"\x89PNG broken"), save=True)
    good = _parcel_with_image()
    first = services.xray_images_screen(image_ids=[image.pk])
    assert first.retry == [image.pk] and first.screened == [good.pk]
    image.refresh_from_db()
    assert (image.status, image.attempts, image.error_code) == (XrayImage.Status.QUEUED, 1, "image_unreadable")
    second = services.xray_images_screen(image_ids=[image.pk])
    assert second.failed == [image.pk]
    image.refresh_from_db()
    assert (image.status, image.error_code) == (XrayImage.Status.FAILED, "image_unreadable")
    # The parcel's only image failed: it goes to an officer without a reading.
    parcel = Parcel.objects.get(pk=image.parcel_id)
    assert parcel.status == Parcel.Status.SCREENED
    assert parcel.threat_score is None and parcel.machine_decision == ""


def test_the_sweep_requeues_lost_tasks_and_images_of_dead_workers(settings):
    settings.XRAY_REQUEUE_AFTER_SECONDS = 60
    settings.XRAY_SCREEN_LEASE_SECONDS = 300
    long_ago = timezone.now() - timedelta(minutes=10)
    lost = _parcel_with_image()
    stalled = _parcel_with_image(status=XrayImage.Status.PROCESSING)
    fresh = _parcel_with_image()
    busy = _parcel_with_image(status=XrayImage.Status.PROCESSING)
    XrayImage.objects.filter(pk__in=[lost.pk, stalled.pk, busy.pk]).update(queued_at=long_ago)
    XrayImage.objects.filter(pk=stalled.pk).update(claimed_at=long_ago)
    XrayImage.objects.filter(pk=busy.pk).update(claimed_at=timezone.now())
    OutboxTask.objects.all().delete()
    sent = services.xray_screening_requeue()
    assert sent == 2
    assert XrayImage.objects.get(pk=stalled.pk).status == XrayImage.Status.QUEUED
    assert XrayImage.objects.get(pk=busy.pk).status == XrayImage.Status.PROCESSING
    assert XrayImage.objects.get(pk=fresh.pk).status == XrayImage.Status.QUEUED
    assert OutboxTask.objects.filter(task_name="xray.tasks.xray_screen").count() == 1  # one batch


def test_the_task_retries_an_unreadable_image_up_to_the_cap_then_it_is_failed(fake_predictor, settings):
    from xray.tasks import xray_screen

    settings.XRAY_SCREEN_MAX_ATTEMPTS = 3
    image = _parcel_with_image()
    image.file.save("broken.png", ContentFile(b"\x89PNG broken"), save=True)
    xray_screen.apply(args=[image.pk])
    image.refresh_from_db()
    assert (image.status, image.attempts, image.error_code) == (XrayImage.Status.FAILED, 3, "image_unreadable")


def test_the_task_of_an_image_that_vanished_does_nothing(fake_predictor):
    from xray.tasks import xray_screen

    assert xray_screen.apply(args=[987654]).get() == {"screened": 0, "failed": 0, "no_model": 0}
