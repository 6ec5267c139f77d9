"""The officers' reads of screened parcels: the triage queue and its counts, one parcel
with its images and the model's readings, the files behind the viewer, the model's
accuracy on confirmed parcels over time, the TIP results per officer and the labelled
images of the next training run. Every officer may read; anyone else gets 403."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.http import Http404
from django.utils import timezone

from customs_portal.models import OFFICER_ROLES, User
from xray.parcels.models import Decision, Parcel, XrayImage
from xray.review.models import Finding, ParcelReview, TipPresentation
from xray.screening.ml import THREAT_CLASSES
from xray.screening.models import ScreeningResult


def _check_officer(user: User) -> None:
    # X-ray images and what the model read in them are customs-internal.
    if not (user.is_authenticated and user.is_active and user.role in OFFICER_ROLES):
        raise PermissionDenied


# The queue --------------------------------------------------------------------------------


def parcel_queue(
    *,
    user: User,
    status: str = Parcel.Status.SCREENED,
    machine_decision: str = "",
    mismatch_only: bool = False,
    control_sample: bool | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Parcel]:
    """The parcels an officer triages, the highest threat score first (parcels not yet
    scored last); `status` "" means every status."""
    _check_officer(user)
    parcels = Parcel.objects.all()
    if status:
        parcels = parcels.filter(status=status)
    if machine_decision:
        parcels = parcels.filter(machine_decision=machine_decision)
    if mismatch_only:
        parcels = parcels.exclude(mismatch_reasons=[])
    if control_sample is not None:
        parcels = parcels.filter(control_sample=control_sample)
    if date_from:
        parcels = parcels.filter(created_at__date__gte=date_from)
    if date_to:
        parcels = parcels.filter(created_at__date__lte=date_to)
    return parcels.order_by(F("threat_score").desc(nulls_last=True), "created_at", "id")


def parcel_queue_counts(*, parcels: QuerySet[Parcel]) -> dict[str, int]:
    """How many of `parcels` the model would open, release, or has not read yet, and all
    of them, in one query."""
    return parcels.order_by().aggregate(
        total=Count("id"),
        inspect=Count("id", filter=Q(machine_decision=Decision.INSPECT)),
        release=Count("id", filter=Q(machine_decision=Decision.RELEASE)),
        unread=Count("id", filter=Q(machine_decision="")),
    )


# One parcel -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageReading:
    """One image of a parcel with the model's newest reading of it (None until read)."""

    image: XrayImage
    result: ScreeningResult | None

    @property
    def top_class_label(self) -> str:
        if self.result is None:
            return ""
        return (
            Finding(self.result.top_class).label if self.result.top_class in Finding.values else self.result.top_class
        )


def parcel_get_for_officer(*, user: User, item_number: str) -> Parcel:
    """One parcel with its declared contents, images (with the model's readings, newest
    first) and reviews; 403 for anyone but an officer, 404 when there is none."""
    _check_officer(user)
    parcels = Parcel.objects.prefetch_related(
        "items",
        Prefetch(
            "images",
            queryset=XrayImage.objects.order_by("id").prefetch_related(
                Prefetch("results", queryset=ScreeningResult.objects.order_by("-created_at", "-id"))
            ),
        ),
        Prefetch("reviews", queryset=ParcelReview.objects.select_related("officer").order_by("-created_at", "-id")),
    )
    try:
        return parcels.get(item_number=item_number.upper())
    except Parcel.DoesNotExist as error:
        raise Http404 from error


def parcel_readings(parcel: Parcel) -> list[ImageReading]:
    """The images of a parcel fetched by `parcel_get_for_officer`, each with its newest result."""
    return [ImageReading(image=image, result=next(iter(image.results.all()), None)) for image in parcel.images.all()]


def image_get_for_officer(*, user: User, image_id: int) -> XrayImage:
    _check_officer(user)
    image = XrayImage.objects.select_related("parcel").filter(pk=image_id).first()
    if image is None or not image.file:
        raise Http404
    return image


def heatmap_get_for_officer(*, user: User, image_id: int) -> ScreeningResult:
    """The newest reading of an image that has a heat map."""
    _check_officer(user)
    result = (
        ScreeningResult.objects.filter(image_id=image_id).exclude(heatmap="").order_by("-created_at", "-id").first()
    )
    if result is None:
        raise Http404
    return result


# A projected threat is shown only while its parcel waits for an officer: once another
# officer has decided the parcel, its own image is shown again.
def tip_pending(*, officer: User, parcel: Parcel) -> TipPresentation | None:
    """The projected threat shown to `officer` in place of `parcel`'s image, not yet answered."""
    return (
        TipPresentation.objects.filter(
            officer=officer, parcel=parcel, parcel__status=Parcel.Status.SCREENED, answered_at__isnull=True
        )
        .order_by("-presented_at", "-id")
        .first()
    )


def tip_pending_for_image(*, officer: User, image: XrayImage) -> TipPresentation | None:
    return (
        TipPresentation.objects.filter(
            officer=officer, base_image=image, parcel__status=Parcel.Status.SCREENED, answered_at__isnull=True
        )
        .order_by("-presented_at", "-id")
        .first()
    )


# Monitoring -------------------------------------------------------------------------------


def _share(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _figures(*, total: int, tp: int, fp: int, fn: int) -> dict:
    tn = total - tp - fp - fn
    return {
        "reviewed": total,
        "matched": tp + tn,
        "accuracy": _share(tp + tn, total),
        "recall": _share(tp, tp + fn),
        "precision": _share(tp, tp + fp),
        "threats": tp + fn,
    }


def monitoring_series(*, user: User, weeks: int = 12, now: datetime | None = None) -> list[dict]:
    """Per model version and week (of the decision), over the last `weeks` weeks, how
    often the model's decision matched what officers found: on every parcel with a
    finding ("all"), and on the random control sample alone ("control", opened whatever
    the model said, so the unbiased figure). A threat found is a positive, the model's
    "inspect" a positive call. Rows ordered by week, then version."""
    _check_officer(user)
    since = (now or timezone.now()) - timedelta(weeks=weeks)
    threat = Q(finding__in=THREAT_CLASSES)
    called = Q(parcel__machine_decision=Decision.INSPECT)
    control = Q(parcel__control_sample=True)
    rows = (
        ParcelReview.objects.exclude(finding="")
        .filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("model_version_number", "week")
        .annotate(
            total=Count("id"),
            tp=Count("id", filter=threat & called),
            fp=Count("id", filter=~threat & called),
            fn=Count("id", filter=threat & ~called),
            c_total=Count("id", filter=control),
            c_tp=Count("id", filter=control & threat & called),
            c_fp=Count("id", filter=control & ~threat & called),
            c_fn=Count("id", filter=control & threat & ~called),
        )
        .order_by("week", "model_version_number")
    )
    series = []
    for row in rows:
        every = _figures(total=row["total"], tp=row["tp"], fp=row["fp"], fn=row["fn"])
        sample = _figures(total=row["c_total"], tp=row["c_tp"], fp=row["c_fp"], fn=row["c_fn"])
        series.append(
            {
                "version": row["model_version_number"],
                "week": row["week"].date(),
                "all": every,
                "control": sample,
                "samples": (every, sample),
            }
        )
    return series


# TIP results ------------------------------------------------------------------------------


def tip_stats(*, user: User, days: int = 30, now: datetime | None = None) -> list[dict]:
    """Per officer, the projected threats answered in the last `days` days: how many,
    how many flagged and the hit rate; the lowest hit rate first."""
    _check_officer(user)
    since = (now or timezone.now()) - timedelta(days=days)
    rows = (
        TipPresentation.objects.filter(answered_at__gte=since)
        .values("officer_id", "officer__username", "officer__first_name", "officer__last_name")
        .annotate(count=Count("id"), hits=Count("id", filter=Q(flagged=True)))
        .order_by("officer__username")
    )
    stats = [
        {
            # Family name first, as User.display_name writes it.
            "officer": " ".join(filter(None, [row["officer__last_name"], row["officer__first_name"]]))
            or row["officer__username"],
            "username": row["officer__username"],
            "count": row["count"],
            "hits": row["hits"],
            "hit_rate": _share(row["hits"], row["count"]),
        }
        for row in rows
    ]
    return sorted(stats, key=lambda row: (row["hit_rate"], row["username"]))


# Labels for training ----------------------------------------------------------------------


def review_labelled_images() -> list[tuple[Path, str]]:
    """Every image of a decided parcel whose finding officers recorded (opened and
    found, or released unopened as holding no threat), as (file path, class name among
    gun/blade/shuriken/other), oldest first: the labels of the next training run."""
    reviews = (
        ParcelReview.objects.exclude(finding="")
        .filter(parcel__status=Parcel.Status.DECIDED)
        .values_list("parcel_id", "finding")
        .order_by("created_at", "id")
    )
    findings = {parcel_id: finding for parcel_id, finding in reviews if finding in Finding.values}
    images = XrayImage.objects.filter(parcel_id__in=findings).exclude(file="").order_by("parcel_id", "id")
    return [(Path(image.file.path), findings[image.parcel_id]) for image in images.only("id", "parcel_id", "file")]
