"""Reads of declarations, permission-aware: a trader sees its own company's
declarations only; officers see those their role may review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from customs_portal.models import Role
from declarations.core.models import Declaration


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


def declaration_detail_related(*, declaration):
    """Timeline, versions, attachments and lines of one declaration for its page."""
    return {
        "lines": list(declaration.lines.order_by("line_no")),
        "timeline": list(declaration.status_changes.order_by("changed_at", "id")),
        "versions": list(declaration.versions.select_related("created_by").order_by("version")),
        "attachments": list(declaration.attachments.select_related("uploaded_by").order_by("uploaded_at")),
    }
