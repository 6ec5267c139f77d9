"""Reads of the tariff, the exchange rates and the travellers' rules. The tariff, the
rates and the rules in force are public reference data: those selectors take no user.
The list of travellers' rule sets and one set to edit are for supervisors only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_portal.errors import ApplicationError
from customs_portal.models import User
from customs_portal.permissions import SUPERVISOR, user_has_role
from declarations.tariff.models import ExchangeRate, TariffLine, TariffRate, TravellerRuleSet, week_start_of
from declarations.tariff.rates import Rate, rate_from_json
from declarations.tariff.travellers import (
    RATE_UNIT_LABELS,
    TRAVELLER_ALLOWANCE_FIELDS,
    TRAVELLER_CATEGORIES,
    Allowances,
    SimplifiedRate,
    SimplifiedRates,
    Traveller,
    TravellerEstimate,
    TravellerItem,
    TravellerRules,
    traveller_compute,
)

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


# Travellers' rules ------------------------------------------------------------------


def _plain(number: Decimal) -> Decimal:
    """A stored decimal without its trailing zeros (800.00 → 800, 0.600 → 0.6), as the
    rates and bases print it."""
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def _traveller_rules_of(rule_set: TravellerRuleSet) -> TravellerRules:
    """The engine's view of a stored rule set (its rates prefetched or fetched)."""
    return TravellerRules(
        allowances=Allowances(
            valid_from=rule_set.valid_from, **{name: getattr(rule_set, name) for name in TRAVELLER_ALLOWANCE_FIELDS}
        ),
        rates=SimplifiedRates(
            valid_from=rule_set.valid_from,
            taxable_ratio=_plain(rule_set.taxable_ratio),
            article_limit_jpy=rule_set.article_limit_jpy,
            rates={rate.category: SimplifiedRate(_plain(rate.amount), rate.unit) for rate in rule_set.rates.all()},
        ),
    )


def traveller_rules_in_force(*, on: date) -> TravellerRules:
    """The travellers' allowances and simplified rates in force on `on` (two queries);
    an ApplicationError for a day before the first rule set."""
    rule_set = (
        TravellerRuleSet.objects.filter(valid_from__lte=on).order_by("-valid_from").prefetch_related("rates").first()
    )
    if rule_set is None:
        first = TravellerRuleSet.objects.order_by("valid_from").values_list("valid_from", flat=True).first()
        raise ApplicationError(
            _("The travellers' rules start on %(first)s; there are none for %(date)s.")
            % {"first": first.isoformat() if first else "-", "date": on.isoformat()},
            code="date_out_of_range",
            fields={"date": [_("Too early.")]},
        )
    return _traveller_rules_of(rule_set)


def traveller_estimate(
    *, travellers: Sequence[Traveller], items: Sequence[TravellerItem], on: date | None = None
) -> TravellerEstimate:
    """The allowances and simplified-rate tax of one declaration's travellers and goods
    under the rules in force on `on` (today by default); see `traveller_compute`."""
    on = on or timezone.localdate()
    return traveller_compute(travellers=travellers, items=items, rules=traveller_rules_in_force(on=on), on=on)


@dataclass(frozen=True)
class TravellerRuleSetRow:
    """A rule set as the supervisors' list shows it."""

    rule_set: TravellerRuleSet
    rules: TravellerRules
    in_force: bool
    editable: bool

    @property
    def rate_lines(self) -> list[tuple[str, Decimal, str]]:
        """(category name, amount, unit) in the order of the categories, in the
        active language."""
        rates = self.rules.rates.rates
        return [
            (str(name), rates[category].amount, str(RATE_UNIT_LABELS.get(rates[category].unit, rates[category].unit)))
            for category, name in TRAVELLER_CATEGORIES.items()
            if category in rates
        ]


def traveller_rule_sets_for_user(*, user: User) -> list[TravellerRuleSetRow]:
    """Every rule set, newest first, the one in force today marked; supervisors only
    (two queries)."""
    _require_rule_editor(user)
    today = timezone.localdate()
    rule_sets = list(TravellerRuleSet.objects.prefetch_related("rates").order_by("-valid_from"))
    current = next((rule_set.pk for rule_set in rule_sets if rule_set.valid_from <= today), None)
    return [
        TravellerRuleSetRow(
            rule_set=rule_set,
            rules=_traveller_rules_of(rule_set),
            in_force=rule_set.pk == current,
            editable=rule_set.valid_from > today,
        )
        for rule_set in rule_sets
    ]


def traveller_rule_set_get_for_user(*, user: User, rule_set_id: int) -> tuple[TravellerRuleSet, TravellerRules]:
    """One rule set for a supervisor: 403 for other roles, 404 when there is none."""
    _require_rule_editor(user)
    rule_set = TravellerRuleSet.objects.prefetch_related("rates").filter(pk=rule_set_id).first()
    if rule_set is None:
        raise Http404
    return rule_set, _traveller_rules_of(rule_set)


def _require_rule_editor(user: User) -> None:
    if not user_has_role(user, SUPERVISOR):
        raise PermissionDenied
