"""Reads of the declarations app. The tariff and the exchange rates are public
reference data: any signed-in user may read them, so these selectors take no user."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from customs_portal.errors import ApplicationError
from customs_portal.models import Role
from declarations.models import Declaration, ExchangeRate, TariffLine, TariffRate, week_start_of
from declarations.rates import Rate, rate_from_json

# Words beyond this many add nothing but query cost.
SEARCH_LIMIT_WORDS = 6


def _in_force(on: date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def tariff_lines_in_force(*, on: date) -> QuerySet[TariffLine]:
    return TariffLine.objects.filter(_in_force(on)).prefetch_related("rates").order_by("hs_code")


def tariff_lines_search(*, query: str, on: date) -> QuerySet[TariffLine]:
    """Lines in force on `on` whose code starts with the query's digits (dots, hyphens
    and spaces ignored: "2204.21" finds 220421020) or whose English or Japanese
    description holds every word of the query; an empty query lists them all."""
    lines = tariff_lines_in_force(on=on)
    query = query.strip()
    if not query:
        return lines
    digits = query.replace(".", "").replace("-", "").replace(" ", "")
    if digits.isascii() and digits.isdigit():
        return lines.filter(hs_code__startswith=digits[:9])
    for word in query.split()[:SEARCH_LIMIT_WORDS]:
        lines = lines.filter(Q(description_en__icontains=word) | Q(description_ja__icontains=word))
    return lines


@dataclass(frozen=True)
class TariffTerms:
    """What the duty engine needs of one tariff line version: its rates keyed by
    column (general, wto, gsp, ldc, epa:JP-EU), already parsed."""

    hs_code: str
    description_en: str
    description_ja: str
    unit: str
    reduced_consumption_tax: bool
    small_value_exclusion: bool
    rates: Mapping[str, Rate]

    @classmethod
    def from_line(cls, line: TariffLine) -> TariffTerms:
        return cls(
            hs_code=line.hs_code,
            description_en=line.description_en,
            description_ja=line.description_ja,
            unit=line.unit,
            reduced_consumption_tax=line.reduced_consumption_tax,
            small_value_exclusion=line.small_value_exclusion,
            rates={rate.column: rate.rate for rate in line.rates.all()},
        )


_TERMS_FIELDS = (
    "id",
    "hs_code",
    "description_en",
    "description_ja",
    "unit",
    "reduced_consumption_tax",
    "small_value_exclusion",
)


def tariff_terms_for_codes(*, hs_codes: Iterable[str], on: date) -> dict[str, TariffTerms]:
    """The terms in force on `on` of each code found: two queries however many codes
    are asked for, and no model instances (this is the duty estimate's hot path)."""
    codes = set(hs_codes)
    if not codes:
        return {}
    lines = list(TariffLine.objects.filter(_in_force(on), hs_code__in=codes).values_list(*_TERMS_FIELDS))
    rates: dict[int, dict[str, Rate]] = defaultdict(dict)
    rows = TariffRate.objects.filter(tariff_line_id__in=[line[0] for line in lines]).order_by("id")
    for line_id, kind, agreement, parsed in rows.values_list("tariff_line_id", "kind", "agreement", "parsed"):
        rates[line_id][f"{kind}:{agreement}" if agreement else kind] = rate_from_json(parsed)
    return {
        hs_code: TariffTerms(
            hs_code=hs_code,
            description_en=description_en,
            description_ja=description_ja,
            unit=unit,
            reduced_consumption_tax=reduced,
            small_value_exclusion=excluded,
            rates=rates[line_id],
        )
        for line_id, hs_code, description_en, description_ja, unit, reduced, excluded in lines
    }


def exchange_rate_for(*, currency: str, on: date) -> Decimal:
    """Yen per unit of `currency` in the customs week (Sunday to Saturday) holding `on`."""
    currency = currency.strip().upper()
    if currency == "JPY":
        return Decimal(1)
    week_start = week_start_of(on)
    rate = (
        ExchangeRate.objects.filter(currency=currency, week_start=week_start).values_list("rate_jpy", flat=True).first()
    )
    if rate is not None:
        return rate
    raise ApplicationError(
        _("No customs exchange rate for %(currency)s in the week of %(start)s to %(end)s.")
        % {
            "currency": currency,
            "start": week_start.isoformat(),
            "end": (week_start + timedelta(days=6)).isoformat(),
        },
        code="exchange_rate_missing",
        fields={"currency": [_("No exchange rate for this week.")]},
    )


# --- declarations ------------------------------------------------------------------------
# Traders see their own company's declarations only (another company's is a 404, as if it
# did not exist); officers see every company's.


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
