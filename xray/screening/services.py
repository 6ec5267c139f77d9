"""The served X-ray model reading queued images, in batches, in a worker: claim, load the
active version, decode, predict, store one result per (image, version), and update each
parcel's threat score, decision, control sample and mismatch reasons."""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from PIL import Image

from customs_portal.audit import audit_record
from customs_portal.ml_registry import artefact_load, model_version_active
from customs_portal.models import ModelVersion
from customs_portal.outbox import outbox_enqueue
from xray.parcels.models import Decision, Parcel, XrayImage
from xray.screening import ml
from xray.screening.mismatch import mismatch_reasons
from xray.screening.models import ScreeningResult

logger = logging.getLogger(__name__)

SYSTEM = "xray:screening"
SCREEN_TASK = "xray.tasks.xray_screen"
DEFAULT_CONTROL_SAMPLE_PERCENT = 2
UNREADABLE = "image_unreadable"


@dataclass
class ScreeningOutcome:
    """What one run did, by image id: read, failed for good, put back to be tried again
    (an image that could not be decoded, below the cap), or left queued for want of a
    served model."""

    screened: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    no_model: bool = False


def _claim(*, image_ids: list[int], batch: int) -> list[XrayImage]:
    """Claims the asked-for queued images and as many other queued ones as fill the batch
    (oldest first), each by a conditional update under a skip-locked lock: two workers
    never read the same image."""
    asked = XrayImage.objects.filter(pk__in=image_ids, status=XrayImage.Status.QUEUED)
    with transaction.atomic():
        ids = list(asked.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch])
        room = batch - len(ids)
        if room > 0:
            ids += list(
                XrayImage.objects.filter(status=XrayImage.Status.QUEUED)
                .exclude(pk__in=ids)
                .order_by("queued_at", "pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:room]
            )
        now = timezone.now()
        XrayImage.objects.filter(pk__in=ids, status=XrayImage.Status.QUEUED).update(
            status=XrayImage.Status.PROCESSING, claimed_at=now, attempts=F("attempts") + 1
        )
    return list(XrayImage.objects.filter(pk__in=ids, status=XrayImage.Status.PROCESSING).select_related("parcel"))


def _release(images: list[XrayImage]) -> None:
    XrayImage.objects.filter(pk__in=[image.pk for image in images], status=XrayImage.Status.PROCESSING).update(
        status=XrayImage.Status.QUEUED, claimed_at=None
    )


def _decode(image: XrayImage) -> Image.Image:
    with image.file.open("rb") as handle:
        decoded = Image.open(handle)
        decoded.load()
    return decoded


def _control_sample_percent() -> int:
    # The settings row belongs to the review package, above this one: looked up by name
    # so that screening does not import it.
    model = apps.get_model("xray", "ReviewSettings")
    row = model.objects.order_by("pk").first()
    return row.control_sample_percent if row is not None else DEFAULT_CONTROL_SAMPLE_PERCENT


def xray_images_screen(*, image_ids: list[int]) -> ScreeningOutcome:
    """Reads the given queued images, with other queued ones to fill one batch, with the
    active model version. Safe to run twice: an image already claimed or read is skipped,
    and results are unique per (image, version). With no served model, images stay
    queued (the requeue sweep sends them again)."""
    outcome = ScreeningOutcome()
    model_version = model_version_active(name=ml.MODEL_NAME)
    if model_version is None:
        logger.warning("No %s model version is active: %s image(s) stay queued.", ml.MODEL_NAME, len(image_ids))
        outcome.no_model = True
        return outcome
    images = _claim(image_ids=image_ids, batch=settings.XRAY_SCREEN_BATCH)
    if not images:
        return outcome
    try:
        predictor = artefact_load(model_version=model_version, load=ml.predictor_load)
    except Exception:
        _release(images)
        raise
    readable: list[tuple[XrayImage, Image.Image]] = []
    for image in images:
        try:
            readable.append((image, _decode(image)))
        except Exception:  # noqa: BLE001  (a missing or broken file, whatever Pillow or storage says)
            logger.warning("X-ray image %s could not be decoded (attempt %s).", image.pk, image.attempts, exc_info=True)
            _unreadable(image, outcome)
    if readable:
        _predict(readable=readable, predictor=predictor, model_version=model_version, outcome=outcome)
    for parcel_id in sorted({image.parcel_id for image, _ in readable} | _failed_parcels(outcome)):
        parcel_screening_update(parcel_id=parcel_id, model_version=model_version, threshold=predictor.threshold)
    return outcome


def _predict(
    *,
    readable: list[tuple[XrayImage, Image.Image]],
    predictor: ml.XrayPredictor,
    model_version: ModelVersion,
    outcome: ScreeningOutcome,
) -> None:
    """One predict call for the batch, then one stored result per image."""
    started = time.perf_counter()
    try:
        predictions = predictor.predict([decoded for _, decoded in readable])
    except Exception:
        _release([image for image, _ in readable])
        raise
    seconds = (time.perf_counter() - started) / len(readable)
    for (image, decoded), prediction in zip(readable, predictions, strict=True):
        _result_store(
            image=image,
            decoded=decoded,
            prediction=prediction,
            model_version=model_version,
            threshold=predictor.threshold,
            seconds=seconds,
        )
        outcome.screened.append(image.pk)


def _failed_parcels(outcome: ScreeningOutcome) -> set[int]:
    return set(XrayImage.objects.filter(pk__in=outcome.failed).values_list("parcel_id", flat=True))


def _unreadable(image: XrayImage, outcome: ScreeningOutcome) -> None:
    """Back to the queue below the cap of attempts; failed for good at it."""
    if image.attempts >= settings.XRAY_SCREEN_MAX_ATTEMPTS:
        XrayImage.objects.filter(pk=image.pk, status=XrayImage.Status.PROCESSING).update(
            status=XrayImage.Status.FAILED, error_code=UNREADABLE, processed_at=timezone.now(), claimed_at=None
        )
        audit_record(action="xray.image_failed", system=SYSTEM, obj=image, after={"error": UNREADABLE})
        outcome.failed.append(image.pk)
    else:
        XrayImage.objects.filter(pk=image.pk, status=XrayImage.Status.PROCESSING).update(
            status=XrayImage.Status.QUEUED, error_code=UNREADABLE, claimed_at=None
        )
        outcome.retry.append(image.pk)


def _result_store(
    *,
    image: XrayImage,
    decoded: Image.Image,
    prediction: ml.XrayPrediction,
    model_version: ModelVersion,
    threshold: float,
    seconds: float,
) -> ScreeningResult:
    """One result per (image, version), written with the image's status in one transaction."""
    with transaction.atomic():
        result = ScreeningResult.objects.filter(image=image, model_version=model_version).first()
        if result is None:
            result = ScreeningResult(
                image=image,
                model_version=model_version,
                model_name=model_version.name,
                model_version_number=model_version.version,
                threshold=threshold,
                input_sha256=image.sha256,
                probabilities={key: float(value) for key, value in prediction.probabilities.items()},
                top_class=prediction.top_class,
                threat_score=float(prediction.threat_score),
                decision=Decision.INSPECT if prediction.threat_score >= threshold else Decision.RELEASE,
                seconds=seconds,
            )
            heatmap = ml.heatmap_png(heatmap=prediction.heatmap, width=decoded.width, height=decoded.height)
            result.heatmap.save(f"{image.sha256[:16]}-v{model_version.version}.png", ContentFile(heatmap), save=False)
            result.save()
        XrayImage.objects.filter(pk=image.pk).update(
            status=XrayImage.Status.DONE, processed_at=timezone.now(), claimed_at=None, error_code=""
        )
    return result


@transaction.atomic
def parcel_screening_update(*, parcel_id: int, model_version: ModelVersion, threshold: float) -> Parcel | None:
    """The parcel from its images' results with `model_version`: the threat score is the
    highest of its images', the decision "inspect" from the threshold up, the mismatch
    reasons from the highest probability of each class. Screened once no image waits
    (with no score where none could be read); the random control sample is drawn the
    first time. A decided parcel is left alone."""
    parcel = Parcel.objects.select_for_update().filter(pk=parcel_id).first()
    if parcel is None or parcel.status == Parcel.Status.DECIDED:
        return parcel
    results = list(ScreeningResult.objects.filter(image__parcel=parcel, model_version=model_version))
    waiting = parcel.images.filter(status__in=[XrayImage.Status.QUEUED, XrayImage.Status.PROCESSING]).exists()
    before = {"status": parcel.status, "threat_score": parcel.threat_score}
    fields = []
    if results:
        highest: dict[str, float] = defaultdict(float)
        for result in results:
            for name, probability in result.probabilities.items():
                highest[name] = max(highest[name], float(probability))
        parcel.threat_score = max(result.threat_score for result in results)
        parcel.machine_decision = Decision.INSPECT if parcel.threat_score >= threshold else Decision.RELEASE
        parcel.mismatch_reasons = mismatch_reasons(
            items=parcel.items.values_list("hs_code", "description"),
            probabilities=highest,
            threshold=threshold,
            threats=ml.THREAT_CLASSES,
        )
        fields += ["threat_score", "machine_decision", "mismatch_reasons"]
    # A parcel none of whose images could be read still goes to an officer, without a
    # reading of the model, rather than wait for ever.
    if not waiting and (results or parcel.images.filter(status=XrayImage.Status.FAILED).exists()):
        if parcel.screened_at is None:
            parcel.control_sample = random.random() * 100 < _control_sample_percent()  # noqa: S311  (a sample, not a secret)
            fields.append("control_sample")
        parcel.status, parcel.screened_at = Parcel.Status.SCREENED, timezone.now()
        fields += ["status", "screened_at"]
    if fields:
        parcel.save(update_fields=fields)
        audit_record(
            action="xray.parcel_screened",
            system=SYSTEM,
            obj=parcel,
            before=before,
            after={
                "status": parcel.status,
                "threat_score": parcel.threat_score,
                "machine_decision": parcel.machine_decision,
                "model": model_version.label,
                "control_sample": parcel.control_sample,
            },
        )
    return parcel


def xray_screening_resume(*, model_version: ModelVersion, **_signal) -> int:
    """Queues a read of the images waiting for a model once an X-ray version is served
    (connected to `model_version_promoting`: the tasks go out with the promotion's
    commit). Returns how many batches were queued."""
    if model_version.name != ml.MODEL_NAME:
        return 0
    ids = list(
        XrayImage.objects.filter(status=XrayImage.Status.QUEUED)
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)
    )
    batch = settings.XRAY_SCREEN_BATCH
    for start in range(0, len(ids), batch):
        outbox_enqueue(SCREEN_TASK, ids[start])
    return len(range(0, len(ids), batch))


def xray_screening_requeue() -> int:
    """Sends again the images whose task was lost or found no model (queued longer than
    XRAY_REQUEUE_AFTER_SECONDS) and puts back those a dead worker was reading (claimed
    longer than XRAY_SCREEN_LEASE_SECONDS ago). Returns how many were sent."""
    now = timezone.now()
    lease = now - timedelta(seconds=settings.XRAY_SCREEN_LEASE_SECONDS)
    stalled = XrayImage.objects.filter(status=XrayImage.Status.PROCESSING, claimed_at__lt=lease)
    put_back = stalled.update(status=XrayImage.Status.QUEUED, claimed_at=None)
    if put_back:
        logger.warning("X-ray screening: %s image(s) claimed by a dead worker are queued again.", put_back)
    waiting = XrayImage.objects.filter(
        status=XrayImage.Status.QUEUED, queued_at__lt=now - timedelta(seconds=settings.XRAY_REQUEUE_AFTER_SECONDS)
    )
    ids = list(waiting.order_by("queued_at", "pk").values_list("pk", flat=True)[:1000])
    batch = settings.XRAY_SCREEN_BATCH
    # One task per batch: each run fills its batch with other queued images anyway.
    with transaction.atomic():
        for start in range(0, len(ids), batch):
            outbox_enqueue(SCREEN_TASK, ids[start])
    return len(ids)
