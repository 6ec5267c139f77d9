"""Reads of the payments app; each one owns its permission rule (a trader sees only
its own company's records)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from customs_portal.models import User
from declarations.travellers.models import Kiosk, KioskDecision
from payments.models import Assessment, DeferralApproval, PaymentIntent, PaymentMethod, Receipt, Refund


def _for_company(queryset: QuerySet, user: User, field: str = "company") -> QuerySet:
    if user.is_trader:
        return queryset.filter(**{f"{field}_id": user.company_id}) if user.company_id else queryset.none()
    if user.is_officer:
        return queryset
    return queryset.none()


def assessment_list_for_user(*, user: User, open_only: bool = False) -> QuerySet[Assessment]:
    """With what `payments.services.assessment_allowed_actions` needs, in the same query."""
    queryset = Assessment.objects.select_related("declaration", "company").annotate(
        has_open_payment=Exists(
            PaymentIntent.objects.filter(assessment=OuterRef("pk"), status__in=PaymentIntent.OPEN_STATUSES)
        ),
        deferral_approved=Exists(DeferralApproval.objects.filter(company=OuterRef("company"), is_active=True)),
    )
    if open_only:
        queryset = queryset.filter(status=Assessment.Status.OPEN)
    return _for_company(queryset, user)


def assessment_get_for_user(*, user: User, assessment_id: int) -> Assessment:
    assessment = assessment_list_for_user(user=user).filter(pk=assessment_id).first()
    if assessment is None:
        raise Http404
    return assessment


def payment_list_for_user(
    *, user: User, query: str = "", status: str = "", method: str = ""
) -> QuerySet[PaymentIntent]:
    queryset = PaymentIntent.objects.select_related(
        "assessment__declaration", "company", "created_by", "receipt"
    ).order_by("-created_at", "-id")
    if query:
        queryset = queryset.filter(assessment__reference__icontains=query.strip())
    if status:
        queryset = queryset.filter(status=status)
    if method:
        queryset = queryset.filter(method=method)
    return _for_company(queryset, user)


def payment_latest_for_assessment(*, assessment: Assessment) -> PaymentIntent | None:
    """The latest attempt to pay an assessment the caller may already see."""
    return assessment.payments.select_related("receipt").order_by("-created_at", "-id").first()


def payment_get_for_user(*, user: User, payment_id: int) -> PaymentIntent:
    payment = payment_list_for_user(user=user).filter(pk=payment_id).first()
    if payment is None:
        raise Http404
    return payment


def receipt_get_for_user(*, user: User, receipt_id: int) -> Receipt:
    queryset = Receipt.objects.select_related("payment__assessment", "payment__company", "payment__created_by")
    receipt = _for_company(queryset, user, field="payment__company").filter(pk=receipt_id).first()
    if receipt is None:
        raise Http404
    return receipt


def refund_list_for_user(*, user: User) -> QuerySet[Refund]:
    queryset = Refund.objects.select_related("payment__assessment", "requested_by", "decided_by")
    return _for_company(queryset, user, field="payment__company")


def refund_approvals_pending() -> QuerySet[Refund]:
    return Refund.objects.filter(status=Refund.Status.AWAITING_APPROVAL).select_related(
        "payment__assessment", "payment__company", "requested_by"
    )


def refund_approvals_count(user: User) -> int:
    return refund_approvals_pending().exclude(requested_by=user).count()


def daily_totals_by_method(*, days: int = 30) -> dict[str, object]:
    """Captured amounts per day and method for the last `days` days (chart data), with
    each method's name in the active language."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        PaymentIntent.objects.filter(status__in=PaymentIntent.CAPTURED_STATUSES, succeeded_at__gte=since)
        .annotate(day=TruncDate("succeeded_at"))
        .values("day", "method")
        .annotate(total=Sum("amount_jpy"), count=Count("id"))
        .order_by("day")
    )
    today = timezone.localdate()
    labels: list[date] = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    series: dict[str, list[int]] = {}
    for row in rows:
        values = series.setdefault(row["method"], [0] * len(labels))
        if row["day"] in labels:
            values[labels.index(row["day"])] = int(row["total"])
    names = {method: str(PaymentMethod(method).label) for method in series}
    return {"labels": [day.isoformat() for day in labels], "series": series, "names": names}


def reconciliation_overview() -> dict[str, object]:
    """Open mismatches by kind, and the items (open first) for the officer page."""
    from payments.models import ReconciliationItem, SettlementImport

    counts = dict(
        ReconciliationItem.objects.filter(resolved_at__isnull=True)
        .values_list("kind")
        .annotate(count=Count("id"))
        .values_list("kind", "count")
    )
    return {
        "counts": [(kind, label, counts.get(kind, 0)) for kind, label in ReconciliationItem.Kind.choices],
        "items": ReconciliationItem.objects.select_related("settlement", "payment", "resolved_by")[:200],
        "imports": SettlementImport.objects.all()[:10],
    }


def deferral_approval_list() -> QuerySet:
    """Deferred-payment approvals with the security in use, in one query. "Used" is the
    rule of `payments.deferral.security_used_jpy`: deferred assessments whose month's
    total is not yet paid."""
    from django.db.models import F, OuterRef, Q, Subquery, Value
    from django.db.models.functions import Coalesce

    from payments.models import DeferralApproval

    used = (
        Assessment.objects.filter(company_id=OuterRef("company_id"), status=Assessment.Status.DEFERRED)
        .filter(Q(deferred_into__isnull=True) | Q(deferred_into__status=Assessment.Status.OPEN))
        .order_by()
        .values("company_id")
        .annotate(total=Sum("total_jpy"))
        .values("total")
    )
    return (
        DeferralApproval.objects.select_related("company", "approved_by")
        .annotate(used_jpy=Coalesce(Subquery(used), Value(0)))
        .annotate(unused_jpy=F("security_jpy") - F("used_jpy"))
        .order_by("company__name")
    )


def amounts_due_for_user(user: User) -> dict[str, object]:
    """For the trader's dashboard: the company's open assessments, their total in yen and
    the earliest due date."""
    open_assessments = assessment_list_for_user(user=user, open_only=True).order_by()
    due = open_assessments.aggregate(count=Count("id"), total_jpy=Sum("total_jpy", default=0))
    due["next_due"] = open_assessments.order_by("due_date").values_list("due_date", flat=True).first()
    return due


# --- The gate kiosk -----------------------------------------------------------------
# A kiosk sees only its own decisions and the payments it took; a trader never sees a
# traveller's assessment (it has no company), an officer sees every one.


def kiosk_decision_get(*, kiosk: Kiosk, decision_id: int) -> KioskDecision:
    """One of the kiosk's own decisions, with its declaration; 404 for another kiosk's."""
    decision = KioskDecision.objects.select_related("declaration").filter(pk=decision_id, kiosk=kiosk).first()
    if decision is None:
        raise Http404
    return decision


def kiosk_payment_get(*, kiosk: Kiosk, payment_id: int) -> PaymentIntent:
    """A payment this kiosk took for a traveller's duty; 404 for any other."""
    payment = (
        PaymentIntent.objects.select_related("assessment__traveller_declaration", "receipt")
        .filter(pk=payment_id, created_by_id=kiosk.user_id, assessment__kind=Assessment.Kind.TRAVELLER)
        .first()
    )
    if payment is None:
        raise Http404
    return payment
