"""The officers' writes on screened parcels: the decision (confirming or overriding the
model), the finding after opening, the threat image projection (TIP) shown to an officer
and its answer, and the supervisor's screening settings.

The life of a parcel under review is one table (`PARCEL_REVIEW_MACHINE`): a screened
parcel is decided once; an opened parcel then gets its finding once. Every write locks
the parcel's row, checks the table and is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import random

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import Role, User
from customs_portal.state_machine import StateMachine
from xray.parcels.models import Decision, Parcel, XrayImage
from xray.parcels.services import parcel_duty_assess
from xray.review.models import Finding, ParcelReview, ReviewSettings, TipPresentation
from xray.screening import tip
from xray.screening.ml import THREAT_CLASSES
from xray.screening.models import ScreeningResult

Status = Parcel.Status
Reason = ParcelReview.Reason

# Officers who decide on parcels; clearance and audit officers only read them.
REVIEWER_ROLES = frozenset({Role.INSPECTION_OFFICER, Role.SUPERVISOR})

PARCEL_REVIEW_MACHINE = StateMachine(
    statuses=Status,
    transitions={Status.SCREENED: (Status.DECIDED,)},
    invalid_message=gettext_lazy("A parcel that is “%(current)s” cannot become “%(target)s”."),
    invalid_code="xray_transition_not_allowed",
)


def _refuse_unless_reviewer(officer: User) -> None:
    if not (officer.is_active and officer.role in REVIEWER_ROLES):
        raise ApplicationError(
            _("Only inspection officers and supervisors decide on parcels."), code="not_allowed", status=403
        )


def _parcel_locked(parcel: Parcel) -> Parcel:
    return Parcel.objects.select_for_update().get(pk=parcel.pk)


def _duty_assess(parcel: Parcel) -> None:
    """Assesses the duty of a parcel that is released (intake's `parcel_duty_assess`, in
    the same transaction: a duty that cannot be assessed refuses the release)."""
    parcel_duty_assess(parcel=parcel)


def _served_version_number(parcel: Parcel) -> int | None:
    """The model version whose reading of the parcel's images the officer saw: the
    newest result of its images."""
    result = ScreeningResult.objects.filter(image__parcel=parcel).order_by("-created_at", "-id").first()
    return result.model_version_number if result else None


def _check_decision(*, parcel: Parcel, decision: str, reason: str, note: str) -> bool:
    """Raises ApplicationError unless `decision` with `reason` may decide `parcel`;
    returns whether it agrees with the model."""
    if decision not in Decision.values:
        message = _("Choose inspect or release.")
        raise ApplicationError(message, code="invalid_decision", fields={"decision": [message]})
    if reason not in Reason.values:
        message = _("Choose a reason.")
        raise ApplicationError(message, code="invalid_reason", fields={"reason": [message]})
    if parcel.control_sample and decision != Decision.INSPECT:
        message = _("This parcel is a random control sample: it is opened whatever the model said.")
        raise ApplicationError(message, code="control_sample_opened", fields={"decision": [message]})
    agrees = decision == parcel.machine_decision
    if not agrees and reason == Reason.MODEL_AGREED:
        message = _("You decide against the model: give the reason for overriding it.")
        raise ApplicationError(message, code="override_needs_reason", fields={"reason": [message]})
    if reason == Reason.OTHER and not note.strip():
        message = _("Say in the note why you decided so.")
        raise ApplicationError(message, code="note_required", fields={"note": [message]})
    return agrees


@transaction.atomic
def parcel_review_decide(
    *,
    parcel: Parcel,
    officer: User,
    decision: str,
    reason: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> ParcelReview:
    """An officer's decision on a screened parcel: inspect (open it) or release it,
    confirming the model's decision or overriding it with a reason. A released parcel
    is recorded as found to hold no threat and its duty is assessed."""
    _refuse_unless_reviewer(officer)
    parcel = _parcel_locked(parcel)
    PARCEL_REVIEW_MACHINE.check(parcel.status, Status.DECIDED)
    agrees = _check_decision(parcel=parcel, decision=decision, reason=reason, note=note)
    before = {"status": parcel.status, "final_decision": parcel.final_decision}
    PARCEL_REVIEW_MACHINE.transition(parcel, to=Status.DECIDED, final_decision=decision, decided_at=timezone.now())
    review = ParcelReview.objects.create(
        parcel=parcel,
        officer=officer,
        decision=decision,
        agrees_with_model=agrees,
        reason=reason,
        note=note.strip(),
        finding=Finding.OTHER if decision == Decision.RELEASE else "",
        model_version_number=_served_version_number(parcel),
    )
    audit_record(
        action="xray_parcel.reviewed",
        actor=officer,
        obj=parcel,
        before=before,
        after={
            "status": parcel.status,
            "final_decision": decision,
            "machine_decision": parcel.machine_decision,
            "agrees_with_model": agrees,
            "reason": reason,
        },
        request=request,
    )
    if decision == Decision.RELEASE:
        _duty_assess(parcel)
    return review


@transaction.atomic
def parcel_finding_record(
    *,
    parcel: Parcel,
    officer: User,
    finding: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> ParcelReview:
    """What the officer found in an opened parcel: the label its images carry into the
    next training run. A parcel found to hold no threat is released and its duty is
    assessed; a parcel with a threat stays held."""
    _refuse_unless_reviewer(officer)
    if finding not in Finding.values:
        message = _("Choose what was found.")
        raise ApplicationError(message, code="invalid_finding", fields={"finding": [message]})
    parcel = _parcel_locked(parcel)
    review = ParcelReview.objects.filter(parcel=parcel).order_by("-created_at", "-id").first()
    if parcel.status != Status.DECIDED or parcel.final_decision != Decision.INSPECT or review is None:
        raise ApplicationError(_("Only an opened parcel has a finding to record."), code="not_opened", status=409)
    if review.finding:
        raise ApplicationError(
            _("The finding of this parcel is already recorded."), code="finding_recorded", status=409
        )
    review.finding = finding
    if note.strip():
        review.note = (f"{review.note}\n{note.strip()}" if review.note else note.strip())[:500]
    review.save(update_fields=["finding", "note"])
    audit_record(
        action="xray_parcel.finding_recorded",
        actor=officer,
        obj=parcel,
        after={"finding": finding, "machine_decision": parcel.machine_decision},
        request=request,
    )
    if finding == Finding.OTHER:
        _duty_assess(parcel)
    return review


# Threat image projection ------------------------------------------------------------------


def review_settings_current() -> ReviewSettings:
    """The screening settings in force (the defaults until a supervisor changes them)."""
    return ReviewSettings.objects.order_by("pk").first() or ReviewSettings()


def _tip_roll(*, officer_id: int, parcel_id: int) -> float:
    """A number in [0, 1) fixed for one officer and one parcel, which officers cannot
    predict: reopening a parcel neither adds nor removes a projected threat."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"xray-tip:{officer_id}:{parcel_id}".encode(), hashlib.sha256)
    return int.from_bytes(digest.digest()[:8], "big") / 2**64


def _projected_png(*, base: XrayImage, kind: str, seed: int) -> bytes:
    with base.file.open("rb") as handle, Image.open(handle) as decoded:
        projected = tip.tip_image_for_officer(base=decoded.convert("RGB"), kind=kind, seed=seed)
    buffer = io.BytesIO()
    projected.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


@transaction.atomic
def tip_present(*, parcel: Parcel, officer: User) -> TipPresentation | None:
    """When a reviewer opens a screened parcel: with the probability of the settings'
    TIP share, a projected threat is laid over the parcel's first image and shown to
    this officer in its place. The same presentation comes back until it is answered;
    an officer meets at most one per parcel. None when no projection is shown."""
    if officer.role not in REVIEWER_ROLES or parcel.status != Status.SCREENED:
        return None
    # Locking the parcel keeps two tabs of one officer from rolling two projections.
    parcel = _parcel_locked(parcel)
    earlier = TipPresentation.objects.filter(officer=officer, parcel=parcel).order_by("-presented_at", "-id").first()
    if earlier is not None:
        return earlier if earlier.answered_at is None else None
    share = review_settings_current().tip_share_percent
    if _tip_roll(officer_id=officer.pk, parcel_id=parcel.pk) * 100 >= share:
        return None
    base = parcel.images.filter(status=XrayImage.Status.DONE).order_by("id").first()
    if base is None:
        return None
    seed = random.SystemRandom().randrange(2**31)
    kind = THREAT_CLASSES[seed % len(THREAT_CLASSES)]
    presentation = TipPresentation(officer=officer, parcel=parcel, base_image=base, projected_class=kind)
    presentation.file.save(
        f"tip-{parcel.item_number}-{seed}.png", ContentFile(_projected_png(base=base, kind=kind, seed=seed)), save=False
    )
    presentation.save()
    audit_record(action="xray_tip.presented", actor=officer, obj=presentation, after={"parcel": parcel.item_number})
    return presentation


@transaction.atomic
def tip_answer(
    *, presentation: TipPresentation, officer: User, decision: str, request: HttpRequest | None = None
) -> TipPresentation:
    """The officer's answer to a projected threat: "inspect" flags it, "release" misses
    it. The parcel itself is not decided by the answer."""
    if decision not in Decision.values:
        message = _("Choose inspect or release.")
        raise ApplicationError(message, code="invalid_decision", fields={"decision": [message]})
    presentation = TipPresentation.objects.select_for_update().get(pk=presentation.pk)
    if presentation.officer_id != officer.pk:
        raise ApplicationError(_("This test image was shown to another officer."), code="not_allowed", status=403)
    if presentation.answered_at is not None:
        raise ApplicationError(_("This test image is already answered."), code="tip_answered", status=409)
    presentation.flagged = decision == Decision.INSPECT
    presentation.answered_at = timezone.now()
    presentation.save(update_fields=["flagged", "answered_at"])
    audit_record(
        action="xray_tip.answered",
        actor=officer,
        obj=presentation,
        after={"projected_class": presentation.projected_class, "flagged": presentation.flagged},
        request=request,
    )
    return presentation


# Settings -----------------------------------------------------------------------------------


@transaction.atomic
def review_settings_update(
    *,
    actor: User,
    tip_share_percent: int,
    control_sample_percent: int,
    request: HttpRequest | None = None,
) -> ReviewSettings:
    """A supervisor sets the share of reviews that carry a projected threat and the share
    of parcels opened as a random control sample (each 0 to 50 %)."""
    if not (actor.is_active and actor.role == Role.SUPERVISOR):
        raise ApplicationError(_("Only a supervisor changes the screening settings."), code="not_allowed", status=403)
    errors = {
        name: [_("Give a share from 0 to 50 %.")]
        for name, value in (
            ("tip_share_percent", tip_share_percent),
            ("control_sample_percent", control_sample_percent),
        )
        if not 0 <= value <= 50
    }
    if errors:
        raise ApplicationError(_("Give a share from 0 to 50 %."), code="invalid_share", fields=errors)
    current = ReviewSettings.objects.select_for_update().order_by("pk").first() or ReviewSettings()
    before = {"tip_share_percent": current.tip_share_percent, "control_sample_percent": current.control_sample_percent}
    current.tip_share_percent = tip_share_percent
    current.control_sample_percent = control_sample_percent
    current.updated_by = actor
    current.save()
    audit_record(
        action="xray_settings.changed",
        actor=actor,
        obj=current,
        before=before,
        after={"tip_share_percent": tip_share_percent, "control_sample_percent": control_sample_percent},
        request=request,
    )
    return current
