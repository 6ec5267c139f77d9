"""Reads of the tariff and the exchange rates. They are public reference data: any
signed-in user may read them, so these selectors take no user."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from customs_portal.errors import ApplicationError
from declarations.tariff.models import ExchangeRate, TariffLine, TariffRate, week_start_of
from declarations.tariff.rates import Rate, rate_from_json

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


def tariff_codes_in_force(*, hs_codes: Iterable[str], on: date) -> set[str]:
    """Those of the 9-digit codes asked for that have a tariff line in force on `on`."""
    return set(TariffLine.objects.filter(_in_force(on), hs_code__in=set(hs_codes)).values_list("hs_code", flat=True))


def tariff_codes_under_hs6(*, prefixes: set[str], on: date) -> dict[str, list[str]]:
    """The 9-digit lines in force under each 6-digit HS code asked for (one query)."""
    if not prefixes:
        return {}
    found: dict[str, list[str]] = {prefix: [] for prefix in prefixes}
    lines = (
        TariffLine.objects.filter(_in_force(on))
        .annotate(prefix=Substr("hs_code", 1, 6))
        .filter(prefix__in=prefixes)
        .values_list("prefix", "hs_code")
    )
    for prefix, hs_code in lines:
        found[prefix].append(hs_code)
    return found


def exchange_rates_of_week(*, currencies: set[str], on: date) -> dict[str, Decimal]:
    """Yen per unit of each currency asked for that has a rate in `on`'s customs week;
    JPY is always 1."""
    rates = dict(
        ExchangeRate.objects.filter(currency__in=currencies, week_start=week_start_of(on)).values_list(
            "currency", "rate_jpy"
        )
    )
    rates["JPY"] = Decimal(1)
    return rates
