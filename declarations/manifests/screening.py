"""Bulk screening of an imported manifest's parcels, chunk by chunk.

The import plans the chunks (`manifest_screening_plan`, in its own transaction) and, on
commit, queues `manifest_tasks.manifest_screen_chunk` for each (ml queue; a worker with
two processes screens two chunks at once). `manifest_chunk_screen` screens one chunk in
one transaction:

1. locks the chunk row, skipping it when another run holds it, and locks the chunk's
   parcels that are still submitted (a second run, or a rerun after a lost worker, finds
   only what is left to do);
2. decides every lane at once through the registered assigner's bulk variant
   (`declarations.hooks.bulk_lane_assigner`: for the risk model, one feature build and
   one predict for the chunk), or through the single assigner parcel by parcel where
   there is no bulk variant or it failed (a parcel that cannot be decided stays
   submitted and is counted as waiting);
3. writes what `submission.declaration_screen` writes for each parcel (the two status
   changes submitted → screening → the lane's status, their audit events, the lane and
   reasons) in bulk, and hands the parcels that owe tax to payments with one
   `declarations_awaiting_payment` signal in the same transaction.

Once every chunk is done the trader gets one summary (counts per lane), sent once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone, translation

from customs_portal import bulk
from customs_portal.audit import SystemEvent, audit_record, audit_record_many
from customs_portal.models import AuditEvent, CustomsOffice
from customs_portal.notifications import notify_company
from customs_portal.reasons import reasons_stored
from declarations import hooks
from declarations.core import screening, workflow
from declarations.core.models import Declaration, DeclarationStatusChange
from declarations.export_control import services as export_control
from declarations.manifests import selectors as manifest_selectors
from declarations.manifests.models import Manifest, ManifestScreeningChunk

logger = logging.getLogger(__name__)

SCREENED_ACTION = "manifest.screened"
SYSTEM = "screening"
Status = Declaration.Status
Chunk = ManifestScreeningChunk


def chunk_size() -> int:
    return settings.MANIFEST_SCREEN_CHUNK


def manifest_screening_plan(*, manifest: Manifest, declaration_ids: list[int]) -> list[Chunk]:
    """Splits the manifest's parcels (ids in increasing order) into chunks of
    MANIFEST_SCREEN_CHUNK; a manifest that has its chunks keeps them."""
    if Chunk.objects.filter(manifest=manifest).exists():
        return list(Chunk.objects.filter(manifest=manifest))
    size = chunk_size()
    return Chunk.objects.bulk_create(
        [
            Chunk(
                manifest=manifest,
                number=number,
                first_id=declaration_ids[start],
                last_id=declaration_ids[min(start + size, len(declaration_ids)) - 1],
                parcels=len(declaration_ids[start : start + size]),
            )
            for number, start in enumerate(range(0, len(declaration_ids), size), start=1)
        ]
    )


def manifest_screening_plan_missing(*, manifest_id: int) -> list[int]:
    """The pending chunks of an imported manifest, planned first from its submitted
    parcels if it has none (a manifest imported before chunks were planned at import)."""
    manifest = Manifest.objects.filter(pk=manifest_id, status=Manifest.Status.DONE).first()
    if manifest is None:
        return []
    with transaction.atomic():
        Manifest.objects.select_for_update().filter(pk=manifest_id).first()
        if not Chunk.objects.filter(manifest=manifest).exists():
            waiting = manifest_selectors.manifest_declarations(manifest=manifest).filter(status=Status.SUBMITTED)
            manifest_screening_plan(manifest=manifest, declaration_ids=list(waiting.values_list("pk", flat=True)))
    return list(
        Chunk.objects.filter(manifest=manifest, status=Chunk.Status.PENDING)
        .order_by("number")
        .values_list("pk", flat=True)
    )


def manifest_screening_stalled(*, older_than: timedelta) -> list[int]:
    """Chunks still pending this long after the import planned them: their task was
    lost (a broker down at the import's commit, a message dropped). A chunk that is
    merely slow is locked by its run, so queueing it again does no harm."""
    since = timezone.now() - older_than
    return list(
        Chunk.objects.filter(status=Chunk.Status.PENDING, created_at__lt=since, manifest__status=Manifest.Status.DONE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class ChunkResult:
    screened: int  # parcels moved to a lane by this run
    skipped: bool = False  # the chunk is gone, or another run holds it


def manifest_chunk_screen(*, chunk_id: int) -> ChunkResult:
    """Screens the parcels of one chunk that are still submitted (see the module's
    docstring); then, when no chunk is left pending, tells the trader once."""
    chunk = Chunk.objects.select_related("manifest").filter(pk=chunk_id).first()
    if chunk is None or chunk.manifest.status != Manifest.Status.DONE:
        return ChunkResult(screened=0, skipped=True)
    manifest = chunk.manifest
    with translation.override(manifest.language), transaction.atomic():
        # of=("self",): only the chunk's row; the manifest's stays free for the other chunks.
        locked = Chunk.objects.select_for_update(skip_locked=True, of=("self",)).filter(pk=chunk_id).order_by().first()
        if locked is None:
            return ChunkResult(screened=0, skipped=True)
        parcels = list(
            manifest_selectors.manifest_declarations(manifest=manifest)
            .filter(pk__gte=locked.first_id, pk__lte=locked.last_id, status=Status.SUBMITTED)
            .select_for_update()
        )
        offices = {office.pk: office for office in CustomsOffice.objects.filter(pk__in={p.office_id for p in parcels})}
        for parcel in parcels:
            parcel.office = offices[parcel.office_id]
        decisions = _decide(parcels) if parcels else {}
        _write(parcels, decisions)
        Chunk.objects.filter(pk=chunk_id).update(
            status=Chunk.Status.DONE, screened=locked.screened + len(decisions), finished_at=timezone.now()
        )
    manifest_screening_finish(manifest=manifest)
    return ChunkResult(screened=len(decisions))


def manifest_screen_all(*, manifest_id: int) -> int:
    """Every chunk in turn, in this process (tests, a manual rerun); the parcels screened."""
    total = 0
    manifest_screening_plan_missing(manifest_id=manifest_id)
    for chunk_id in Chunk.objects.filter(manifest_id=manifest_id).order_by("number").values_list("pk", flat=True):
        total += manifest_chunk_screen(chunk_id=chunk_id).screened
    return total


def _decide(parcels: list[Declaration]) -> dict[int, hooks.LaneDecision]:
    """Each parcel's lane: all at once through the bulk assigner, else one by one."""
    decisions = None
    assign_all = hooks.bulk_lane_assigner()
    if assign_all is not None:
        try:
            with transaction.atomic():  # what a failed bulk run wrote goes with it
                decisions = assign_all(declarations=parcels)
        except OperationalError:
            raise  # the database is away: the task retries the whole chunk
        except Exception:
            logger.exception("Bulk lane assignment failed for %d parcels; assigning them one by one.", len(parcels))
    if decisions is None:
        decisions = {}
        assign = hooks.lane_assigner() or screening.rule_based_lane
        for parcel in parcels:
            try:
                with transaction.atomic():
                    decisions[parcel.pk] = assign(declaration=parcel)
            except OperationalError:
                raise
            except Exception:
                # One parcel the assigner cannot handle must not hold up the others; it
                # stays submitted, is counted as waiting, and a rerun of its chunk retries it.
                logger.exception("Parcel %s could not be screened.", parcel.pk)
    # A listed consignee goes to document review whichever assigner decided.
    return {
        parcel.pk: export_control.end_user_escalate(declaration=parcel, decision=decisions[parcel.pk])
        for parcel in parcels
        if parcel.pk in decisions
    }


def _write(parcels: list[Declaration], decisions: dict[int, hooks.LaneDecision]) -> None:
    """What `declaration_screen` writes for each decided parcel, in bulk."""
    now = timezone.now()
    updates, changes, events, owing, transitions = [], [], [], [], []
    for parcel in parcels:
        decision = decisions.get(parcel.pk)
        if decision is None:
            continue
        to = workflow.lane_status(parcel, decision.lane)
        screening_reasons = reasons_stored(decision.reasons)
        actor = f"{SYSTEM}:{decision.decided_by}"
        before_lane = parcel.lane
        parcel.status, parcel.lane = to, decision.lane
        parcel.screening_reasons = screening_reasons
        parcel.updated_at = now
        if to == Status.PERMITTED:
            parcel.permitted_at = now
        updates.append(
            {
                "pk": parcel.pk,
                "status": to,
                "lane": parcel.lane,
                "screening_reasons": screening_reasons,
                "updated_at": now,
                "permitted_at": parcel.permitted_at,
            }
        )
        changes.append({"declaration_id": parcel.pk, "from_status": Status.SUBMITTED, "to_status": Status.SCREENING,
                        "actor_label": SYSTEM, "reason": ""})  # fmt: skip
        changes.append({"declaration_id": parcel.pk, "from_status": Status.SCREENING, "to_status": to,
                        "actor_label": actor, "reason": ""})  # fmt: skip
        events.append(
            SystemEvent(
                action=f"declaration.{Status.SCREENING}", system=SYSTEM, obj=parcel, company_id=parcel.company_id,
                before={"status": Status.SUBMITTED, "lane": before_lane},
                after={"status": Status.SCREENING, "lane": before_lane, "reason": ""},
            )
        )  # fmt: skip
        events.append(
            SystemEvent(
                action=f"declaration.{to}", system=actor, obj=parcel, company_id=parcel.company_id,
                before={"status": Status.SCREENING, "lane": parcel.lane},
                after={"status": to, "lane": parcel.lane, "reason": "", "screening_reasons": screening_reasons},
            )
        )  # fmt: skip
        transitions += [(parcel, Status.SUBMITTED, Status.SCREENING), (parcel, Status.SCREENING, to)]
        if to == Status.AWAITING_PAYMENT:
            owing.append(parcel)
    bulk.rows_update(Declaration, updates, fields=["status", "lane", "screening_reasons", "updated_at", "permitted_at"])
    bulk.Copier(
        DeclarationStatusChange,
        DeclarationStatusChange(actor=None),
        varying=["declaration_id", "from_status", "to_status", "actor_label", "reason"],
    ).copy(changes)
    audit_record_many(events)
    _hand_to_payments(owing)
    if transitions:
        transaction.on_commit(lambda: _status_changed(transitions), robust=True)


def _hand_to_payments(owing: list[Declaration]) -> None:
    if not owing:
        return
    if hooks.declarations_awaiting_payment.has_listeners(Declaration):
        hooks.declarations_awaiting_payment.send(sender=Declaration, declarations=owing)
        return
    for parcel in owing:  # a receiver of the single signal only
        transaction.on_commit(
            lambda parcel=parcel: hooks.declaration_awaiting_payment.send(sender=Declaration, declaration=parcel),
            robust=True,
        )


def _status_changed(transitions: list[tuple[Declaration, str, str]]) -> None:
    if not hooks.declaration_status_changed.has_listeners(Declaration):
        return
    for parcel, from_status, to_status in transitions:
        hooks.declaration_status_changed.send(
            sender=Declaration, declaration=parcel, from_status=from_status, to_status=to_status
        )


def manifest_screening_finish(*, manifest: Manifest) -> bool:
    """Tells the trader once how the manifest's parcels were routed, when no chunk is
    left pending; False when some is, or the trader was told already."""
    if Chunk.objects.filter(manifest=manifest, status=Chunk.Status.PENDING).exists():
        return False
    return manifest_screening_summarise(manifest=manifest)


def manifest_screening_summarise(*, manifest: Manifest) -> bool:
    """Tells the trader once how the manifest's parcels were routed; False when already told."""
    with transaction.atomic():
        Manifest.objects.select_for_update().filter(pk=manifest.pk).first()
        told = AuditEvent.objects.filter(
            action=SCREENED_ACTION, object_type=Manifest._meta.label, object_id=str(manifest.pk)
        ).exists()
        if told:
            return False
        counts = manifest_selectors.manifest_screening_counts(manifest=manifest)
        audit_record(
            action=SCREENED_ACTION, system="manifest_screening", obj=manifest, company=manifest.company, after=counts
        )
        notify_company(
            company=manifest.company,
            event="manifest.screened",
            code="manifest.screened",
            params={"name": manifest.original_name, **counts},
            link=f"/trader/manifests/{manifest.pk}/",
            payload={"manifest_id": manifest.pk, **counts},
        )
    return True
