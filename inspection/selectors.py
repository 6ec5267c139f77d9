"""Reads of the inspection app, for officers only (traders never see risk scores)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum

from customs_portal.models import Role, User
from declarations.models import Declaration
from inspection.models import ModelVersion, RiskScore

OPEN_STATUSES = [
    Declaration.Status.SUBMITTED,
    Declaration.Status.SCREENING,
    Declaration.Status.DOCUMENT_REVIEW,
    Declaration.Status.INSPECTION,
    Declaration.Status.AWAITING_PAYMENT,
]
CLEARED = [Declaration.Status.PERMITTED, Declaration.Status.AWAITING_PAYMENT]


def open_declarations() -> QuerySet[Declaration]:
    return Declaration.objects.filter(status__in=OPEN_STATUSES)


def latest_scores() -> QuerySet[RiskScore]:
    """The newest score of each declaration."""
    newest = (
        RiskScore.objects.filter(declaration=OuterRef("declaration")).order_by("-created_at", "-id").values("id")[:1]
    )
    return RiskScore.objects.filter(id=Subquery(newest))


def inspection_list(
    *,
    office: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    chapter: str = "",
    importer: str = "",
    lane: str = "",
    sort: str = "expected",
) -> QuerySet[RiskScore]:
    """Open declarations with their newest score, ranked by expected revenue (or probability)."""
    scores = latest_scores().filter(declaration__status__in=OPEN_STATUSES)
    if office:
        scores = scores.filter(office__code=office)
    if date_from:
        scores = scores.filter(declaration__declaration_date__gte=date_from)
    if date_to:
        scores = scores.filter(declaration__declaration_date__lte=date_to)
    if chapter:
        scores = scores.filter(declaration__lines__hs_code__startswith=chapter).distinct()
    if importer:
        scores = scores.filter(declaration__party_name__icontains=importer)
    if lane:
        scores = scores.filter(declaration__lane=lane)
    order = (
        ["-probability", "-expected_revenue_jpy"]
        if sort == "probability"
        else ["-expected_revenue_jpy", "-probability"]
    )
    return scores.select_related("declaration", "office", "declaration__company").order_by(*order, "-id")


def probably_wrong_list() -> QuerySet[RiskScore]:
    """Newest scores of declarations with a suspected correction (chapter or value)."""
    return (
        latest_scores()
        .exclude(suspected_correction={})
        .select_related("declaration", "office", "declaration__company")
        .order_by("-expected_revenue_jpy", "-id")
    )


def audit_list(*, date_from: date | None = None, date_to: date | None = None) -> QuerySet:
    """Companies ranked by the expected unpaid revenue of their cleared declarations."""
    scores = latest_scores().filter(declaration__status__in=CLEARED)
    if date_from:
        scores = scores.filter(declaration__declaration_date__gte=date_from)
    if date_to:
        scores = scores.filter(declaration__declaration_date__lte=date_to)
    return (
        scores.values(company_id=F("declaration__company_id"), company_name=F("declaration__company__name"))
        .annotate(expected=Sum("expected_revenue_jpy"), declarations=Count("declaration", distinct=True))
        .order_by("-expected", "company_name")
    )


def audit_queue_count(user: User) -> int:
    return audit_list().filter(expected__gt=0).count()


def probably_wrong_count(user: User) -> int:
    return probably_wrong_list().filter(declaration__status__in=OPEN_STATUSES).count()


def model_versions() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.order_by("name", "-version")


def officer_roles() -> tuple[str, ...]:
    return (Role.CLEARANCE_OFFICER, Role.INSPECTION_OFFICER, Role.AUDIT_OFFICER, Role.SUPERVISOR)
