"""Reads of declarations, permission-aware: a trader sees its own company's
declarations only; officers see those their role may review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from customs_portal.models import Role
from customs_portal.reasons import decided_by_text, reasons_text
from declarations.core import reasons
from declarations.core.models import Declaration, DeclarationStatusChange


@dataclass(frozen=True)
class DeclarationFilters:
    status: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    number: str = ""
    office_id: int | None = None
    lane: str = ""


def _visible_declarations(*, user) -> QuerySet:
    declarations = Declaration.objects.select_related("office", "company", "declarant")
    if user.is_officer:
        return declarations
    if user.is_trader:
        return declarations.filter(company_id=user.company_id)
    raise PermissionDenied


def declaration_list_for_user(*, user, filters: DeclarationFilters | None = None) -> QuerySet:
    filters = filters or DeclarationFilters()
    declarations = _visible_declarations(user=user)
    if filters.status:
        declarations = declarations.filter(status=filters.status)
    if filters.kind:
        declarations = declarations.filter(kind=filters.kind)
    if filters.date_from:
        declarations = declarations.filter(declaration_date__gte=filters.date_from)
    if filters.date_to:
        declarations = declarations.filter(declaration_date__lte=filters.date_to)
    if filters.number.strip():
        declarations = declarations.filter(number__icontains=filters.number.strip())
    if filters.office_id:
        declarations = declarations.filter(office_id=filters.office_id)
    if filters.lane:
        declarations = declarations.filter(lane=filters.lane)
    return declarations.order_by("-created_at", "-id")


def declaration_get_for_user(*, user, declaration_id: int):
    """The declaration if the user may see it; Http404 otherwise (a trader cannot learn
    that another company's declaration exists)."""
    declaration = _visible_declarations(user=user).filter(pk=declaration_id).first()
    if declaration is None:
        raise Http404
    return declaration


def review_statuses_for(user) -> tuple[str, ...]:
    """The queue an officer works: clearance officers the document reviews, inspection
    officers the inspections, supervisors and audit officers both."""
    Status = Declaration.Status
    if user.role == Role.CLEARANCE_OFFICER:
        return (Status.DOCUMENT_REVIEW,)
    if user.role == Role.INSPECTION_OFFICER:
        return (Status.INSPECTION,)
    return (Status.DOCUMENT_REVIEW, Status.INSPECTION)


def declaration_review_queue(*, user, filters: DeclarationFilters | None = None) -> QuerySet:
    """Declarations waiting for this officer's decision, oldest submission first."""
    if not user.is_officer:
        raise PermissionDenied
    filters = filters or DeclarationFilters()
    statuses = review_statuses_for(user)
    declarations = _visible_declarations(user=user).filter(status__in=statuses)
    if filters.status in statuses:
        declarations = declarations.filter(status=filters.status)
    if filters.office_id:
        declarations = declarations.filter(office_id=filters.office_id)
    if filters.lane:
        declarations = declarations.filter(lane=filters.lane)
    return declarations.order_by("submitted_at", "id")


def declaration_queue_count(*, user, status: str) -> int:
    """For the dashboard: the officer's own office, or every office for a supervisor or an
    officer not posted to one."""
    declarations = Declaration.objects.filter(status=status)
    if user.role != Role.SUPERVISOR and user.office_id:
        declarations = declarations.filter(office_id=user.office_id)
    return declarations.count()


def declaration_detail_related(*, declaration, user):
    """Timeline, versions, attachments and lines of one declaration for its page, with
    what the user may see of its screening: the reasons for officers, what to do for
    traders."""
    return {
        "lines": list(declaration.lines.order_by("line_no")),
        "timeline": declaration_timeline(declaration=declaration, user=user),
        "versions": list(declaration.versions.select_related("created_by").order_by("version")),
        "attachments": list(declaration.attachments.select_related("uploaded_by").order_by("uploaded_at")),
        "screening_reasons": reasons_text(declaration.screening_reasons) if user.is_officer else [],
        "required_action": reasons.required_action(declaration),
    }


@dataclass(frozen=True)
class TimelineEntry:
    changed_at: datetime
    status: str
    status_label: str
    actor: str
    note: str


SYSTEM_ACTORS = {
    "screening": _("Screening"),
    "payments": _("Payments"),
    "system": _("Customs portal"),
}


def _officer_actor(change: DeclarationStatusChange) -> str:
    """A person's username, or the part of the portal that acted and what decided for it:
    "screening:risk:3" reads "Screening · risk model v3"."""
    if change.actor_id:
        return change.actor_label
    system, _sep, decided_by = change.actor_label.partition(":")
    name = str(SYSTEM_ACTORS.get(system, system))
    return f"{name} · {decided_by_text(decided_by)}" if decided_by else name


STATUS_NOTES = {
    DeclarationStatusChange.Note.IMPORTED_FROM_MANIFEST: _("Imported from manifest %(name)s."),
}


def status_change_note(change: DeclarationStatusChange) -> str:
    """What a person wrote on the change, or the portal's note worded in the active language."""
    if change.reason or not change.note_code:
        return change.reason
    wording = STATUS_NOTES.get(change.note_code)
    return str(wording) % change.note_params if wording else change.note_code


def declaration_timeline(*, declaration, user) -> list[TimelineEntry]:
    """The declaration's status changes as the user may see them. Officers see who or what
    acted (a person, the screening rule, "risk model v3") and every note. Traders see the
    people who acted and what they wrote; where the portal acted they see "Customs", never
    which rule or model routed the declaration nor why."""
    changes = declaration.status_changes.order_by("changed_at", "id")
    entries = []
    for change in changes:
        if user.is_officer:
            actor, note = _officer_actor(change), status_change_note(change)
        elif change.actor_id:
            actor, note = change.actor_label, status_change_note(change)
        else:
            actor, note = str(_("Customs")), ""
        entries.append(
            TimelineEntry(
                changed_at=change.changed_at,
                status=change.to_status,
                status_label=str(change.get_to_status_display()),
                actor=actor,
                note=note,
            )
        )
    return entries


# Declarations still in progress: drafts and everything not yet decided for good.
OPEN_STATUSES = (
    Declaration.Status.DRAFT,
    Declaration.Status.SUBMITTED,
    Declaration.Status.SCREENING,
    Declaration.Status.DOCUMENT_REVIEW,
    Declaration.Status.INSPECTION,
    Declaration.Status.AWAITING_PAYMENT,
)


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str | Promise
    count: int


def declaration_open_counts_for_user(user) -> list[StatusCount]:
    """For the trader's dashboard: the company's open declarations per status, in the
    order of the workflow; statuses with none are left out."""
    counts = dict(
        _visible_declarations(user=user)
        .filter(status__in=OPEN_STATUSES)
        .order_by()
        .values_list("status")
        .annotate(count=Count("id"))
    )
    return [
        StatusCount(status=status, label=status.label, count=counts[status])
        for status in OPEN_STATUSES
        if counts.get(status)
    ]
