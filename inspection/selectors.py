"""Reads of the inspection app, for officers only (traders never see risk scores)."""

from __future__ import annotations

from datetime import date

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.shortcuts import get_object_or_404

from customs_portal.models import Company, Role, User
from declarations.models import Declaration, DeclarationLine, DeclarationStatusChange
from inspection.models import InspectionResult, RiskScore

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


def with_recorded_results(scores: QuerySet[RiskScore]) -> QuerySet[RiskScore]:
    """`scores`, each annotated with whether a result of each kind is already recorded for
    its declaration (`<kind>_recorded`) and whether its current submission went through
    physical inspection (`inspected`), in the same query; `recorded_kinds` and
    `score_inspected` read them."""
    results = InspectionResult.objects.filter(declaration_id=OuterRef("declaration_id"))
    return scores.annotate(
        **{f"{kind}_recorded": Exists(results.filter(kind=kind)) for kind in InspectionResult.Kind.values},
        inspected=Exists(_left_inspection_since_submission("declaration_id")),
    )


def _left_inspection_since_submission(declaration_ref: str) -> QuerySet[DeclarationStatusChange]:
    """The declaration's status changes out of physical inspection that no later
    (re)submission, an amendment's new version, has superseded."""
    changes = DeclarationStatusChange.objects.filter(declaration_id=OuterRef(declaration_ref))
    resubmitted = DeclarationStatusChange.objects.filter(
        declaration_id=OuterRef("declaration_id"), to_status=Declaration.Status.SUBMITTED, id__gt=OuterRef("id")
    )
    return changes.filter(from_status=Declaration.Status.INSPECTION).exclude(Exists(resubmitted))


def declaration_inspected(declaration: Declaration) -> bool:
    """Whether the declaration's current version went through physical inspection: it is
    in inspection now, or an inspection officer decided it and no amendment followed."""
    if declaration.status == Declaration.Status.INSPECTION:
        return True
    return (
        Declaration.objects.filter(pk=declaration.pk).filter(Exists(_left_inspection_since_submission("pk"))).exists()
    )


def score_inspected(score: RiskScore) -> bool:
    """`declaration_inspected` for the declaration of a score from `with_recorded_results`."""
    return score.declaration.status == Declaration.Status.INSPECTION or bool(getattr(score, "inspected", False))


def recorded_kinds(score: RiskScore) -> set[str]:
    """The kinds of result recorded for the declaration of a score from `with_recorded_results`."""
    return {kind for kind in InspectionResult.Kind.values if getattr(score, f"{kind}_recorded", False)}


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
    scores = scores.select_related("declaration", "office", "declaration__company")
    return with_recorded_results(scores).order_by(*order, "-id")


def _scores_filter(
    scores: QuerySet[RiskScore],
    *,
    office: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    chapter: str = "",
    importer: str = "",
    lane: str = "",
) -> QuerySet[RiskScore]:
    """The list filters shared by the probably-wrong and post-clearance audit lists."""
    if office:
        scores = scores.filter(office__code=office)
    if date_from:
        scores = scores.filter(declaration__declaration_date__gte=date_from)
    if date_to:
        scores = scores.filter(declaration__declaration_date__lte=date_to)
    if chapter:
        lines = DeclarationLine.objects.filter(declaration_id=OuterRef("declaration_id"), hs_code__startswith=chapter)
        scores = scores.filter(Exists(lines))
    if importer:
        scores = scores.filter(
            Q(declaration__party_name__icontains=importer) | Q(declaration__company__name__icontains=importer)
        )
    if lane:
        scores = scores.filter(declaration__lane=lane)
    return scores


# The kinds of inconsistency a suspected correction can name (its JSON keys).
CORRECTION_KINDS = ("chapter", "customs_value_jpy", "origin")


def probably_wrong_list(*, kind: str = "", sort: str = "expected", **filters) -> QuerySet[RiskScore]:
    """Newest scores of declarations with a suspected correction (chapter or value)."""
    scores = _scores_filter(latest_scores().exclude(suspected_correction={}), **filters)
    if kind in CORRECTION_KINDS:
        scores = scores.filter(suspected_correction__has_key=kind)
    order = (
        ["-probability", "-expected_revenue_jpy"]
        if sort == "probability"
        else ["-expected_revenue_jpy", "-probability"]
    )
    return scores.select_related("declaration", "office", "declaration__company").order_by(*order, "-id")


def probably_wrong_kind_counts(scores: QuerySet[RiskScore]) -> dict[str, int]:
    """How many of the listed declarations show each kind of inconsistency, in one query."""
    return scores.order_by().aggregate(
        **{kind: Count("id", filter=Q(suspected_correction__has_key=kind)) for kind in CORRECTION_KINDS}
    )


AUDIT_SORTS = {
    "expected": ["-expected", "-findings", "company_name"],
    "findings": ["-findings", "-expected", "company_name"],
    "probability": ["-average_probability", "-expected", "company_name"],
}


def audit_list(*, sort: str = "expected", **filters) -> QuerySet:
    """Companies ranked by the expected unpaid revenue of their cleared declarations (or by
    the number of those declarations where an officer found a discrepancy, or by their
    average probability of a discrepancy)."""
    scores = _scores_filter(latest_scores().filter(declaration__status__in=CLEARED), **filters)
    found = InspectionResult.objects.filter(outcome=InspectionResult.Outcome.DISCREPANCY).values("declaration_id")
    return (
        scores.values(
            company_id=F("declaration__company_id"),
            company_name=F("declaration__company__name"),
            company_number=F("declaration__company__corporate_number"),
        )
        .annotate(
            expected=Sum("expected_revenue_jpy"),
            declarations=Count("declaration", distinct=True),
            findings=Count("declaration", distinct=True, filter=Q(declaration_id__in=found)),
            average_probability=Avg("probability"),
        )
        .order_by(*AUDIT_SORTS.get(sort, AUDIT_SORTS["expected"]))
    )


def audit_company_scores(*, company: Company) -> QuerySet[RiskScore]:
    """The newest scores of the company's cleared declarations, the largest expected
    revenue first, with the results already recorded."""
    scores = (
        latest_scores()
        .filter(declaration__company=company, declaration__status__in=CLEARED)
        .select_related("declaration", "office")
    )
    return with_recorded_results(scores).order_by("-expected_revenue_jpy", "-id")


def default_office_code(user: User) -> str:
    """The office whose work an officer's lists open on: the officer's own; every office
    ("") for a supervisor or an officer not posted to one."""
    if user.role == Role.SUPERVISOR or not user.office_id:
        return ""
    return user.office.code


def audit_queue_count(user: User) -> int:
    """The dashboard count: the companies the audit list shows this officer when opened."""
    return audit_list(office=default_office_code(user)).count()


def probably_wrong_count(user: User) -> int:
    """The dashboard count: the declarations the "probably wrong" list shows this officer
    when opened."""
    return probably_wrong_list(office=default_office_code(user)).count()


def company_get(*, company_id: int) -> Company:
    return get_object_or_404(Company, pk=company_id)


def company_declarations(*, company: Company) -> QuerySet[Declaration]:
    """Every declaration the company filed, newest first, with its newest risk score's
    probability and expected revenue (None where it was never scored)."""
    newest = RiskScore.objects.filter(declaration=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        Declaration.objects.filter(company=company)
        .select_related("office")
        .annotate(
            probability=Subquery(newest.values("probability")[:1]),
            expected_revenue_jpy=Subquery(newest.values("expected_revenue_jpy")[:1]),
        )
        .order_by("-declaration_date", "-id")
    )


def officer_roles() -> tuple[str, ...]:
    return (Role.CLEARANCE_OFFICER, Role.INSPECTION_OFFICER, Role.AUDIT_OFFICER, Role.SUPERVISOR)
