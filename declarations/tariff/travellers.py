"""Travellers' goods: the duty-free allowances of a person entering Japan and the
simplified rates that tax what is over them (reference §1.1 and §1.2). Pure: nothing is
read from or written to the database; the rules come in as `TravellerRules`, which
`selectors.traveller_estimate` reads from the rule set in force (`TravellerRuleSet`).

`traveller_compute` takes the travellers of one declaration (a family fills in one
form, Customs Form C5360) and their goods, frees per traveller the units that the
allowances cover, and taxes the rest at the simplified rates. A line names the
traveller who carries it, or is the family's (`traveller=None`): the estimate then
chooses whose allowances free its units, splitting a line between travellers where
that is better (six bottles of wine for two adults: three and three).

Units of the input, by category (`value_jpy` is always the overseas retail value of one
unit, in yen):

    whisky_brandy, rum_gin_vodka,   quantity = bottles, volume_ml = one bottle's volume
    liqueur, shochu, other_alcohol
    cigarettes, cigars,             quantity = sticks
    heated_tobacco_sticks
    heated_tobacco_capsules         quantity = packs
    other_tobacco                   quantity = pouches or tins, weight_g = one's weight
    perfume                         quantity = bottles, volume_ml = one bottle's volume
    other                           quantity = articles; item_type groups them for the
                                    ¥10,000 rule

Choices the sources leave open, made here:

- Bottles. The alcohol allowance is 3 bottles of about 760 ml. A bottle of up to 760 ml
  counts as one; a larger one counts as as many bottles as it takes to hold it
  (ceil(volume / 760)): a 1 L bottle uses two of the three, a 3 L box cannot be free.
- Heated tobacco. The allowance is 10 packs of 20 sticks, sticks and capsule-type packs
  together: a stick uses 1/20 of a pack, a capsule pack uses a whole one. The simplified
  rate for capsule types is per pack.
- General rate. Cigars, other tobacco and perfume have no simplified rate, and no
  article whose taxable value is over ¥100,000 takes one. Such units, when taxed, are
  given as `general_rate`: general duty and consumption tax assessed by customs, with
  no amount (`tax_jpy` is None). `total_jpy` leaves them out and the estimate says so
  (`assessed_by_customs`, `general_rate_items`).
- The combination most favourable to the traveller. Allowances are personal: they
  are never added up (two adults do not make one ¥400,000 article free) and one
  article's value is never split between people, but each unit may use the allowance
  of any traveller entitled to it. The units freed are chosen exactly, per allowance,
  to minimise, in this order:
  1. the overseas value left to the general rate: its amount is unknown here and
     general duty plus consumption tax is what the simplified rate exists to spare the
     traveller, so freeing those articles comes first;
  2. the simplified tax. For other goods, which all take the same 15 %, that is the
     same as freeing the largest value that fits in ¥200,000.
  The allowances are independent, so choosing each one alone gives the best whole.
  One traveller's allowance alone is a knapsack solved exactly; sharing the family's
  lines between travellers is a branch and bound (`_share_search`). Past
  SEARCH_BUDGET nodes (near-perfect packings of scattered values can need far more)
  the search keeps the best sharing found and says so
  (`TravellerEstimate.combination_proven_best` is False), so a request never hangs.
- The family's lines in the result. A line shared between travellers gives one result
  per traveller's share (same `index`); its taxed units are reported on the first
  traveller entitled to the line, or on traveller 0 with the oldest traveller's
  reason when nobody is.
- Rounding. An item's tax is exact (fractions of a yen kept); each tax type's total
  (alcohol, tobacco, other goods) is truncated below ¥100 and `total_jpy` is the sum of
  the truncated totals. Truncation never lowers a smaller sum below a larger one, so
  the least exact tax is also the least payable.
- The ¥10,000 rule. Other goods of one item type (`item_type`, else the description,
  else the line alone) whose total value is ¥10,000 or less are free and not counted in
  the ¥200,000. The item type's total is per traveller for lines that name one, and
  over the whole declaration (one form) for the family's lines: twelve ¥1,000 ties of
  the family count, even though six on each of two travellers would not have.
- Sizes. A declaration with family lines has at most 50 lines, 10 travellers and
  1,000 units a line (FAMILY_ limits), checked with the other input.
- Children. Under 20: no alcohol or tobacco allowance. Under 6: no allowance at all
  except for goods marked `for_child_use`, which may use the child's own allowances
  (or, being other goods, those of a traveller aged 6 or over).

Not modelled: goods whose customs duty is free (wristwatches, golf clubs) pay
consumption tax rather than the 15 %; the traveller's request for general rates on all
goods; rice and the other goods the simplified rate excludes by kind.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customs_portal.errors import ApplicationError

TAX_UNIT_JPY = 100

WHISKY_BRANDY = "whisky_brandy"
RUM_GIN_VODKA = "rum_gin_vodka"
LIQUEUR = "liqueur"
SHOCHU = "shochu"
OTHER_ALCOHOL = "other_alcohol"
CIGARETTES = "cigarettes"
CIGARS = "cigars"
HEATED_TOBACCO_STICKS = "heated_tobacco_sticks"
HEATED_TOBACCO_CAPSULES = "heated_tobacco_capsules"
OTHER_TOBACCO = "other_tobacco"
PERFUME = "perfume"
OTHER = "other"

TRAVELLER_CATEGORIES: dict[str, Promise] = {
    WHISKY_BRANDY: gettext_lazy("Whisky, brandy"),
    RUM_GIN_VODKA: gettext_lazy("Rum, gin, vodka"),
    LIQUEUR: gettext_lazy("Liqueur"),
    SHOCHU: gettext_lazy("Shochu"),
    OTHER_ALCOHOL: gettext_lazy("Other alcohol (wine, beer…)"),
    CIGARETTES: gettext_lazy("Cigarettes"),
    CIGARS: gettext_lazy("Cigars"),
    HEATED_TOBACCO_STICKS: gettext_lazy("Heated tobacco sticks"),
    HEATED_TOBACCO_CAPSULES: gettext_lazy("Heated tobacco capsule packs"),
    OTHER_TOBACCO: gettext_lazy("Other tobacco"),
    PERFUME: gettext_lazy("Perfume"),
    OTHER: gettext_lazy("Other goods"),
}

# The unit of each category's simplified rate where a rule set gives it one.
RATE_UNITS: dict[str, str] = {
    WHISKY_BRANDY: "L",
    RUM_GIN_VODKA: "L",
    LIQUEUR: "L",
    SHOCHU: "L",
    OTHER_ALCOHOL: "L",
    CIGARETTES: "stick",
    CIGARS: "stick",
    HEATED_TOBACCO_STICKS: "stick",
    HEATED_TOBACCO_CAPSULES: "pack",
    OTHER_TOBACCO: "pack",
    PERFUME: "%",
    OTHER: "%",
}

# What a rate's unit reads as next to its amount (800 yen per litre).
RATE_UNIT_LABELS: dict[str, Promise] = {
    "L": gettext_lazy("yen per litre"),
    "stick": gettext_lazy("yen per stick"),
    "pack": gettext_lazy("yen per pack"),
    "%": gettext_lazy("percent of the taxable value"),
}

# Tax types: each one's total is truncated below ¥100 on its own.
ALCOHOL = "alcohol"
TOBACCO = "tobacco"
OTHER_GOODS = "other_goods"
TAX_TYPES = (ALCOHOL, TOBACCO, OTHER_GOODS)

# How a line's taxed units are treated.
FREE = "free"
SIMPLIFIED_RATE = "simplified_rate"
GENERAL_RATE = "general_rate"

# Units of a simplified rate.
PER_LITRE = "L"
PER_STICK = "stick"
PER_PACK = "pack"
PERCENT = "%"

ALLOWANCE_SOURCE = (
    "Customs Tariff Act art. 14 (vii), travellers' personal effects; Customs Answer 7104 "
    "(customs.go.jp/english/c-answer_e/keitaibetsuso/7104_e.htm) and 7104-2 for other goods"
)
SIMPLIFIED_SOURCE = "Customs Tariff Act art. 3-2 simplified rate (customs.go.jp/kaigairyoko/zeigaku.htm)"
GENERAL_SOURCE = (
    "Customs Answer 7105 (customs.go.jp/english/c-answer_e/keitaibetsuso/7105_e.htm): "
    "general duty and consumption tax, assessed by customs"
)


@dataclass(frozen=True)
class Allowances:
    """The duty-free allowances per traveller in force from `valid_from`."""

    valid_from: date
    adult_age: int
    child_age: int
    alcohol_bottles: int
    bottle_ml: int
    cigarettes: int
    cigars: int
    heated_tobacco_packs: int
    sticks_per_pack: int
    other_tobacco_g: int
    perfume_ml: int
    other_goods_jpy: int
    small_value_per_item_type_jpy: int


# The fields of `Allowances` besides `valid_from`, as `TravellerRuleSet` stores them.
TRAVELLER_ALLOWANCE_FIELDS = (
    "adult_age",
    "child_age",
    "alcohol_bottles",
    "bottle_ml",
    "cigarettes",
    "cigars",
    "heated_tobacco_packs",
    "sticks_per_pack",
    "other_tobacco_g",
    "perfume_ml",
    "other_goods_jpy",
    "small_value_per_item_type_jpy",
)


@dataclass(frozen=True)
class SimplifiedRate:
    """One simplified rate: `amount` yen per litre, stick or pack, or percent of the
    taxable value, with its legal source."""

    amount: Decimal
    unit: str
    source: str = SIMPLIFIED_SOURCE

    def __str__(self) -> str:
        if self.unit == PERCENT:
            return f"{self.amount}%"
        return f"{self.amount} JPY/{self.unit}"

    def per_unit(self, *, value_jpy: int, volume_ml: int | None, taxable_ratio: Decimal) -> Decimal:
        """The exact tax on one unit of goods."""
        if self.unit == PER_LITRE:
            return Decimal(volume_ml or 0) * self.amount / 1000
        if self.unit == PERCENT:
            return Decimal(value_jpy) * taxable_ratio * self.amount / 100
        return self.amount


@dataclass(frozen=True)
class SimplifiedRates:
    """The simplified rates in force from `valid_from`, by category. A category without
    a rate is taxed at the general rate, as is an article whose taxable value
    (`taxable_ratio` × overseas value) is over `article_limit_jpy`."""

    valid_from: date
    taxable_ratio: Decimal
    article_limit_jpy: int
    rates: Mapping[str, SimplifiedRate]


@dataclass(frozen=True)
class TravellerRules:
    """The allowances and simplified rates of one rule set, in force from `valid_from`
    until the next set starts (stored as `TravellerRuleSet` rows)."""

    allowances: Allowances
    rates: SimplifiedRates

    @property
    def valid_from(self) -> date:
        return self.allowances.valid_from


# Legal bases ------------------------------------------------------------------------

ALLOWANCE_ALCOHOL = "allowance_alcohol"
ALLOWANCE_CIGARETTES = "allowance_cigarettes"
ALLOWANCE_CIGARS = "allowance_cigars"
ALLOWANCE_HEATED_TOBACCO = "allowance_heated_tobacco"
ALLOWANCE_OTHER_TOBACCO = "allowance_other_tobacco"
ALLOWANCE_PERFUME = "allowance_perfume"
ALLOWANCE_OTHER_GOODS = "allowance_other_goods"
ALLOWANCE_SMALL_VALUE = "allowance_small_value"
NO_ALLOWANCE_UNDER_ADULT_AGE = "no_allowance_under_20"
NO_ALLOWANCE_UNDER_CHILD_AGE = "no_allowance_under_6"
NO_ALLOWANCE_SINGLE_ARTICLE = "no_allowance_single_article"
GENERAL_RATE_OVER_LIMIT = "general_rate_over_limit"
GENERAL_RATE_NO_SIMPLIFIED = "general_rate_no_simplified_rate"

_BASIS_TEXTS: dict[str, Promise] = {
    ALLOWANCE_ALCOHOL: gettext_lazy(
        "Duty-free allowance: %(bottles)s bottles of alcohol of about %(bottle_ml)s ml per traveller aged "
        "%(adult_age)s or over."
    ),
    ALLOWANCE_CIGARETTES: gettext_lazy(
        "Duty-free allowance: %(cigarettes)s cigarettes per traveller aged %(adult_age)s or over."
    ),
    ALLOWANCE_CIGARS: gettext_lazy("Duty-free allowance: %(cigars)s cigars per traveller aged %(adult_age)s or over."),
    ALLOWANCE_HEATED_TOBACCO: gettext_lazy(
        "Duty-free allowance: %(packs)s packs of heated tobacco (%(sticks)s sticks or one capsule pack each) per "
        "traveller aged %(adult_age)s or over."
    ),
    ALLOWANCE_OTHER_TOBACCO: gettext_lazy(
        "Duty-free allowance: %(grams)s g of other tobacco per traveller aged %(adult_age)s or over."
    ),
    ALLOWANCE_PERFUME: gettext_lazy("Duty-free allowance: %(perfume_ml)s ml (2 oz) of perfume per traveller."),
    ALLOWANCE_OTHER_GOODS: gettext_lazy(
        "Duty-free allowance: other goods worth ¥%(limit)s in total (overseas retail value) per traveller, "
        "in the combination most favourable to the traveller."
    ),
    ALLOWANCE_SMALL_VALUE: gettext_lazy(
        "Goods of one item type worth ¥%(small)s or less in total are free and not counted in the ¥%(limit)s."
    ),
    NO_ALLOWANCE_UNDER_ADULT_AGE: gettext_lazy("No alcohol or tobacco allowance for travellers under %(adult_age)s."),
    NO_ALLOWANCE_UNDER_CHILD_AGE: gettext_lazy(
        "No allowance for children under %(child_age)s except for goods for the child's own use."
    ),
    NO_ALLOWANCE_SINGLE_ARTICLE: gettext_lazy(
        "An article worth more than ¥%(limit)s gets no allowance: it is taxed on its full value."
    ),
    SIMPLIFIED_RATE: gettext_lazy(
        "Simplified rate for travellers' goods: %(rate)s (the taxable value is %(ratio)s × the overseas value)."
    ),
    GENERAL_RATE_OVER_LIMIT: gettext_lazy(
        "The taxable value of one article is over ¥%(article_limit)s, so no simplified rate applies: general duty "
        "and consumption tax, assessed by customs."
    ),
    GENERAL_RATE_NO_SIMPLIFIED: gettext_lazy(
        "These goods have no simplified rate: general duty and consumption tax, assessed by customs."
    ),
}

_BASIS_SOURCES: dict[str, str] = {
    SIMPLIFIED_RATE: SIMPLIFIED_SOURCE,
    GENERAL_RATE_OVER_LIMIT: GENERAL_SOURCE,
    GENERAL_RATE_NO_SIMPLIFIED: GENERAL_SOURCE,
}


@dataclass(frozen=True)
class Basis:
    """A legal basis: a stable code, its text in the active language and its source."""

    code: str
    text: str
    source: str


def basis_for(code: str, *, allowances: Allowances, rates: SimplifiedRates, rate: str = "") -> Basis:
    """The basis with its text filled in from the rules in force."""
    params = {
        "adult_age": allowances.adult_age,
        "child_age": allowances.child_age,
        "bottles": allowances.alcohol_bottles,
        "bottle_ml": allowances.bottle_ml,
        "cigarettes": allowances.cigarettes,
        "cigars": allowances.cigars,
        "packs": allowances.heated_tobacco_packs,
        "sticks": allowances.sticks_per_pack,
        "grams": allowances.other_tobacco_g,
        "perfume_ml": allowances.perfume_ml,
        "limit": f"{allowances.other_goods_jpy:,}",
        "small": f"{allowances.small_value_per_item_type_jpy:,}",
        "article_limit": f"{rates.article_limit_jpy:,}",
        "ratio": rates.taxable_ratio,
        "rate": rate,
    }
    return Basis(code=code, text=str(_BASIS_TEXTS[code]) % params, source=_BASIS_SOURCES.get(code, ALLOWANCE_SOURCE))


# Input and output -------------------------------------------------------------------


@dataclass(frozen=True)
class Traveller:
    """One person on the declaration; `age` in whole years on the day of entry."""

    age: int


@dataclass(frozen=True)
class TravellerItem:
    """One line of goods carried by the traveller at index `traveller`, or the family's
    (`traveller=None`): the estimate then shares its units among the travellers entitled
    to them. See the module docstring for the units of each category."""

    category: str
    quantity: int
    value_jpy: int
    traveller: int | None = 0
    volume_ml: int | None = None
    weight_g: int | None = None
    item_type: str = ""
    description: str = ""
    for_child_use: bool = False


@dataclass(frozen=True)
class TravellerItemResult:
    """What one traveller's allowances freed of one line (`index`) and the tax on the
    rest. A family line shared between travellers gives one result per share, in the
    order of the travellers, its taxed units on the first traveller entitled to them.
    `tax_jpy` is exact (fractions of a yen kept), or None where customs assesses the
    general rate."""

    index: int
    traveller: int
    category: str
    description: str
    quantity: int
    value_jpy: int
    free_quantity: int
    taxed_quantity: int
    allowance: Basis
    treatment: str
    tax_type: str
    taxable_value_jpy: Decimal
    rate: SimplifiedRate | None
    basis: Basis
    tax_jpy: Decimal | None

    @property
    def assessed_by_customs(self) -> bool:
        return self.treatment == GENERAL_RATE

    @property
    def rate_text(self) -> str:
        return "" if self.rate is None else str(self.rate)


@dataclass(frozen=True)
class TaxTypeTotal:
    """One tax type's exact sum and its total truncated below ¥100."""

    tax_type: str
    tax_jpy: Decimal
    total_jpy: int


@dataclass(frozen=True)
class TravellerAllowanceUse:
    """How much of one traveller's ¥200,000 the estimate used."""

    index: int
    age: int
    other_goods_free_jpy: int
    other_goods_allowance_jpy: int


@dataclass(frozen=True)
class TravellerEstimate:
    """The estimate for a declaration. `total_jpy` is what the simplified rates charge;
    the units of the lines in `general_rate_items` are left to customs and not in it.
    `combination_proven_best` is False only where sharing the family's goods took more
    search than the engine allows itself: the estimate is then the best found."""

    on: date
    items: tuple[TravellerItemResult, ...]
    totals: tuple[TaxTypeTotal, ...]
    total_jpy: int
    travellers: tuple[TravellerAllowanceUse, ...]
    general_rate_items: tuple[int, ...]
    general_rate_taxable_value_jpy: Decimal
    combination_proven_best: bool = True

    @property
    def assessed_by_customs(self) -> bool:
        return bool(self.general_rate_items)


# Categories -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """How a category is counted: its allowance, its tax type, whether only adults have
    the allowance, and the per-unit measure it needs ("volume_ml", "weight_g" or "")."""

    allowance: str
    tax_type: str
    adults_only: bool
    measure: str = ""


_ALCOHOL = _Kind(ALLOWANCE_ALCOHOL, ALCOHOL, adults_only=True, measure="volume_ml")
_KINDS: dict[str, _Kind] = {
    WHISKY_BRANDY: _ALCOHOL,
    RUM_GIN_VODKA: _ALCOHOL,
    LIQUEUR: _ALCOHOL,
    SHOCHU: _ALCOHOL,
    OTHER_ALCOHOL: _ALCOHOL,
    CIGARETTES: _Kind(ALLOWANCE_CIGARETTES, TOBACCO, adults_only=True),
    CIGARS: _Kind(ALLOWANCE_CIGARS, TOBACCO, adults_only=True),
    HEATED_TOBACCO_STICKS: _Kind(ALLOWANCE_HEATED_TOBACCO, TOBACCO, adults_only=True),
    HEATED_TOBACCO_CAPSULES: _Kind(ALLOWANCE_HEATED_TOBACCO, TOBACCO, adults_only=True),
    OTHER_TOBACCO: _Kind(ALLOWANCE_OTHER_TOBACCO, TOBACCO, adults_only=True, measure="weight_g"),
    PERFUME: _Kind(ALLOWANCE_PERFUME, OTHER_GOODS, adults_only=False, measure="volume_ml"),
    OTHER: _Kind(ALLOWANCE_OTHER_GOODS, OTHER_GOODS, adults_only=False),
}


def _capacity(allowance: str, allowances: Allowances) -> int:
    """An allowance's size in the units of `_weight`."""
    return {
        ALLOWANCE_ALCOHOL: allowances.alcohol_bottles,
        ALLOWANCE_CIGARETTES: allowances.cigarettes,
        ALLOWANCE_CIGARS: allowances.cigars,
        ALLOWANCE_HEATED_TOBACCO: allowances.heated_tobacco_packs * allowances.sticks_per_pack,
        ALLOWANCE_OTHER_TOBACCO: allowances.other_tobacco_g,
        ALLOWANCE_PERFUME: allowances.perfume_ml,
        ALLOWANCE_OTHER_GOODS: allowances.other_goods_jpy,
    }[allowance]


def _weight(item: TravellerItem, allowances: Allowances) -> int:
    """How much of its allowance one unit uses: bottles, sticks, grams, ml or yen."""
    if _KINDS[item.category] is _ALCOHOL:
        return max(1, math.ceil((item.volume_ml or 0) / allowances.bottle_ml))
    if item.category == HEATED_TOBACCO_CAPSULES:
        return allowances.sticks_per_pack
    if item.category == OTHER_TOBACCO:
        return item.weight_g or 0
    if item.category == PERFUME:
        return item.volume_ml or 0
    if item.category == OTHER:
        return item.value_jpy
    return 1


# Validation -------------------------------------------------------------------------

# Sharing the family's goods is a search over who frees which unit; these sizes, far
# past any family's luggage, keep it within a request's time.
FAMILY_MAX_LINES = 50
FAMILY_MAX_TRAVELLERS = 10
FAMILY_MAX_QUANTITY = 1_000


def _item_errors(item: TravellerItem, travellers: int, family: bool) -> list[tuple[str, str, str]]:
    """(field, code, message) for each problem of one line."""
    errors = []
    kind = _KINDS.get(item.category)
    if kind is None:
        errors.append(
            ("category", "unknown_category", _("Unknown category “%(category)s”.") % {"category": item.category})
        )
    if item.quantity < 1:
        errors.append(("quantity", "invalid_quantity", _("The quantity must be at least 1.")))
    elif family and item.quantity > FAMILY_MAX_QUANTITY:
        errors.append(
            (
                "quantity",
                "quantity_too_large",
                _("A declaration with the family's goods takes at most %(max)s units a line.")
                % {"max": f"{FAMILY_MAX_QUANTITY:,}"},
            )
        )
    if item.value_jpy < 0:
        errors.append(("value_jpy", "negative_value", _("The value cannot be negative.")))
    if item.traveller is not None and not 0 <= item.traveller < travellers:
        errors.append(
            ("traveller", "unknown_traveller", _("There is no traveller %(index)s.") % {"index": item.traveller})
        )
    if kind is not None and kind.measure == "volume_ml" and not (item.volume_ml or 0) > 0:
        errors.append(("volume_ml", "volume_required", _("Give the volume of one bottle in ml.")))
    if kind is not None and kind.measure == "weight_g" and not (item.weight_g or 0) > 0:
        errors.append(("weight_g", "weight_required", _("Give the weight of one unit in grams.")))
    return errors


def _check(travellers: Sequence[Traveller], items: Sequence[TravellerItem]) -> None:
    """Raises one ApplicationError naming every bad field (`items[2].volume_ml`). A
    declaration with family lines (traveller None) is also held to the FAMILY_ sizes."""
    errors: list[tuple[str, str, str]] = []
    family = any(item.traveller is None for item in items)
    if not travellers:
        errors.append(("travellers", "no_travellers", _("Give at least one traveller.")))
    elif family and len(travellers) > FAMILY_MAX_TRAVELLERS:
        errors.append(
            (
                "travellers",
                "too_many_travellers",
                _("A declaration with the family's goods names at most %(max)s travellers.")
                % {"max": FAMILY_MAX_TRAVELLERS},
            )
        )
    if family and len(items) > FAMILY_MAX_LINES:
        errors.append(
            (
                "items",
                "too_many_items",
                _("A declaration with the family's goods has at most %(max)s lines.") % {"max": FAMILY_MAX_LINES},
            )
        )
    for index, traveller in enumerate(travellers):
        if traveller.age < 0:
            errors.append((f"travellers[{index}].age", "negative_age", _("The age cannot be negative.")))
    for index, item in enumerate(items):
        for field, code, message in _item_errors(item, len(travellers), family):
            errors.append((f"items[{index}].{field}", code, message))
    if errors:
        raise ApplicationError(
            "; ".join(f"{field}: {message}" for field, _code, message in errors),
            code=errors[0][1],
            fields={field: [message] for field, _code, message in errors},
        )


# Choosing the units to free ---------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """A line as the optimiser sees it: identical units, each using `weight` of the
    allowance and saving, when freed, its value (general rate) or its tax (simplified)."""

    index: int
    quantity: int
    weight: int
    general: bool
    value_jpy: int
    tax: Decimal


def _bundles(lines: Iterable[_Line], capacity: int) -> list[tuple[_Line, int]]:
    """Each line's units that could fit, split into bundles of 1, 2, 4, … units, so that
    choosing bundles can free any number of a line's units (bounded knapsack as 0/1)."""
    bundles = []
    for line in lines:
        left = min(line.quantity, capacity // line.weight) if line.weight else 0
        size = 1
        while left > 0:
            take = min(size, left)
            bundles.append((line, take))
            left -= take
            size *= 2
    return bundles


def _gain(line: _Line, units: int) -> tuple[int, Decimal]:
    """What freeing units saves, compared first on the general-rate value."""
    if line.general:
        return (line.value_jpy * units, Decimal(0))
    return (0, line.tax * units)


def _free_by_dp(lines: Sequence[_Line], capacity: int) -> dict[int, int]:
    """Exact 0/1 knapsack over the bundles for the small allowances (3 bottles, 200
    sticks, 250 g, 56 ml): the units to free by line index."""
    bundles = _bundles(lines, capacity)
    best: list[tuple[int, Decimal]] = [(0, Decimal(0))] * (capacity + 1)
    taken: list[bytearray] = []
    for line, units in bundles:
        weight, gain = line.weight * units, _gain(line, units)
        row = bytearray(capacity + 1)
        for room in range(capacity, weight - 1, -1):
            before = best[room - weight]
            candidate = (before[0] + gain[0], before[1] + gain[1])
            if candidate > best[room]:
                best[room] = candidate
                row[room] = 1
        taken.append(row)
    free: dict[int, int] = defaultdict(int)
    room = capacity
    for (line, units), row in zip(reversed(bundles), reversed(taken), strict=True):
        if row[room]:
            free[line.index] += units
            room -= line.weight * units
    return free


def _largest_sum(bundles: Sequence[tuple[_Line, int]], capacity: int) -> tuple[int, list[tuple[_Line, int]]]:
    """Exact subset sum over the bundles' weights (yen): the largest total up to
    `capacity` and the bundles making it. A bitset of the sums reachable after each
    bundle; walking back from the best sum, a bundle was used wherever the sum was not
    yet reachable before it."""
    mask = (1 << (capacity + 1)) - 1
    reach = [1]
    for line, units in bundles:
        reach.append(reach[-1] | ((reach[-1] << (line.weight * units)) & mask))
    best = reach[-1].bit_length() - 1
    chosen, total = [], best
    for position in range(len(bundles), 0, -1):
        if total and not (reach[position - 1] >> total) & 1:
            line, units = bundles[position - 1]
            chosen.append((line, units))
            total -= line.weight * units
    return best, chosen


def _free_by_value(lines: Sequence[_Line], capacity: int) -> dict[int, int]:
    """The ¥200,000 allowance: first the largest general-rate value that fits, then
    the largest simplified-rate value in what is left. Every simplified other good
    takes the same rate, so the largest value freed is the largest tax saved."""
    free: dict[int, int] = {line.index: line.quantity for line in lines if line.weight == 0}
    room = capacity
    for general in (True, False):
        used, chosen = _largest_sum(_bundles([line for line in lines if line.general is general], room), room)
        for line, units in chosen:
            free[line.index] = free.get(line.index, 0) + units
        room -= used
    return free


# Sharing an allowance between travellers --------------------------------------------

# Nodes the search for the best sharing may visit; past them it keeps the best found
# (`TravellerEstimate.combination_proven_best` is then False). Alike units, round
# prices and mixed goods settle in far fewer; proving that scattered yen values cannot
# fill four allowances to the yen can take millions, and a request must not wait for
# that (a few hundred ms at most on one core).
SEARCH_BUDGET = 5_000


class _SearchStopped(Exception):
    """The search proved its best found optimal, or spent its budget."""


def _free_one(allowance: str, lines: Sequence[_Line], capacity: int) -> dict[int, int]:
    """One traveller's allowance alone, exactly: the units to free by line index."""
    if allowance == ALLOWANCE_OTHER_GOODS:
        return _free_by_value(lines, capacity)
    return _free_by_dp(lines, capacity)


def _scaled_gains(lines: Sequence[_Line]) -> list[int]:
    """Each line's gain per unit freed as one integer that orders sums as `_gain` does:
    a yen of general-rate value outweighs all the simplified tax there is."""
    places = max((max(0, -int(line.tax.as_tuple().exponent)) for line in lines), default=0)
    taxes = [int(line.tax * 10**places) for line in lines]
    above = sum(tax * line.quantity for tax, line in zip(taxes, lines, strict=True)) + 1
    return [line.value_jpy * above if line.general else tax for tax, line in zip(taxes, lines, strict=True)]


def _share_pool(
    allowance: str, lines: Sequence[_Line], allowed: Sequence[tuple[int, ...]], capacity: int
) -> tuple[dict[tuple[int, int], int], bool]:
    """Frees units of `lines` on the allowances of the travellers in `allowed` (one
    tuple per line, each traveller's allowance `capacity`) to save the most by `_gain`.
    Returns {(line index, traveller): units freed} and whether the result is proven
    best.

    Lines that only one traveller may use are decided per traveller as before. Where
    a line may go to several, lines whose units are alike (same weight, same gain, same
    travellers) are searched as one, then `_share_search` tries every sharing."""
    free: dict[tuple[int, int], int] = defaultdict(int)
    work: list[tuple[_Line, tuple[int, ...]]] = []
    for line, travellers in zip(lines, allowed, strict=True):
        if line.weight == 0:
            # Other goods worth ¥0 use no allowance: free on the first traveller's.
            free[(line.index, travellers[0])] += line.quantity
        elif line.weight <= capacity:
            work.append((line, travellers))
    if all(len(travellers) == 1 for _line, travellers in work):
        by_traveller: dict[int, list[_Line]] = defaultdict(list)
        for line, (traveller,) in work:
            by_traveller[traveller].append(line)
        for traveller, group in by_traveller.items():
            for index, units in _free_one(allowance, group, capacity).items():
                if units:
                    free[(index, traveller)] += units
        return free, True
    gains = _scaled_gains([line for line, _travellers in work])
    alike: dict[tuple[int, int, bool, tuple[int, ...]], list[_Line]] = defaultdict(list)
    for (line, travellers), gain in zip(work, gains, strict=True):
        alike[(line.weight, gain, line.general, travellers)].append(line)
    merged = [
        (replace(group[0], index=position, quantity=sum(line.quantity for line in group)), travellers, gain)
        for position, ((_weight, gain, _general, travellers), group) in enumerate(alike.items())
    ]
    chosen, proven = _share_search(allowance, merged, capacity)
    groups = list(alike.values())
    left = {line.index: line.quantity for line, _travellers in work}
    for (position, traveller), units in sorted(chosen.items()):
        for line in groups[position]:
            take = min(units, left[line.index])
            if take > 0:
                free[(line.index, traveller)] += take
                left[line.index] -= take
                units -= take
    return free, proven


def _share_search(
    allowance: str, lines: Sequence[tuple[_Line, tuple[int, ...], int]], capacity: int
) -> tuple[dict[tuple[int, int], int], bool]:
    """The exact sharing of one allowance: `lines` are (line, travellers who may free
    it, gain per unit as one integer), each traveller's allowance `capacity`. Returns
    {(line index, traveller): units} and whether the search proved it best.

    A branch and bound over how many of each line's units go to each traveller,
    densest lines first. The best found starts as each traveller's exact choice in
    turn (often already the bound). A node is cut when the relaxation of what is left
    (the room each traveller's remaining lines can fill exactly, shared fractionally)
    cannot beat the best found; when a unit left taxed would still fit where it may go
    in what can be left over (a sharing that frees it too is as good or better); and
    at a line's start when the same remaining allowances (travellers who may take the
    same lines being interchangeable) were reached before with as much saved. The last
    traveller with room, or the last line, is settled directly."""
    order = sorted(
        range(len(lines)), key=lambda i: (-Fraction(lines[i][2], lines[i][0].weight), -lines[i][0].weight, i)
    )
    people = sorted({traveller for _line, travellers, _gain in lines for traveller in travellers})
    slot = {traveller: position for position, traveller in enumerate(people)}
    # Round prices share a divisor: counting allowance in its multiples shrinks the
    # bitsets and changes nothing else.
    unit = math.gcd(*(line.weight for line, _travellers, _gain in lines))
    capacity //= unit
    lines_ = [replace(lines[i][0], weight=lines[i][0].weight // unit) for i in order]
    bins = [tuple(slot[traveller] for traveller in lines[i][1]) for i in order]
    gain = [lines[i][2] for i in order]
    count, width = len(lines_), len(people)
    weight = [line.weight for line in lines_]
    quantity = [line.quantity for line in lines_]
    takes = [set(line_bins) for line_bins in bins]
    everyone = [len(line_bins) == width for line_bins in bins]
    # Two travellers are interchangeable from line p on when they may take the same
    # lines from there on.
    kinds: list[list[int]] = []
    for start in range(count + 1):
        names: dict[tuple[bool, ...], int] = {}
        kinds.append(
            [names.setdefault(tuple(j in takes[k] for k in range(start, count)), len(names)) for j in range(width)]
        )
    room = [capacity] * width
    # The smallest weight of a unit left taxed that each traveller could have taken.
    taxed = [capacity + 1] * width
    # The amounts of allowance that the units of lines p… a traveller may take can
    # fill exactly, as bitsets per kind of traveller at p; filled if the search runs.
    sums: list[dict[int, int]] = [{} for _ in range(count + 1)]

    def sums_fill() -> None:
        limit = (1 << (capacity + 1)) - 1
        for p in range(count - 1, -1, -1):
            for j in range(width):
                kind = kinds[p][j]
                if kind in sums[p]:
                    continue
                after = sums[p + 1].get(kinds[p + 1][j], 1) if p + 1 < count else 1
                if j in takes[p]:
                    for _line, units in _bundles([lines_[p]], capacity):
                        after |= (after << (weight[p] * units)) & limit
                sums[p][kind] = after

    def usable(p: int, j: int) -> int:
        """The most of traveller j's room that units of lines p… can fill."""
        if p == count or not room[j]:
            return 0
        if not sums[p]:
            return room[j]
        return (sums[p][kinds[p][j]] & ((1 << (room[j] + 1)) - 1)).bit_length() - 1

    def bound(p: int, left: int, first: int, fill: Sequence[int]) -> int:
        """The relaxation of lines p… (line p's `left` units on its travellers from
        `first` on) in the room `fill`, rounded down: gains are integers."""
        total, space, widest = 0, sum(fill), max(fill)
        for k in range(p, count):
            units = left if k == p else quantity[k]
            if units * weight[k] > widest or (k == p and first) or not everyone[k]:
                # More than one traveller's room holds: count what the rooms hold.
                reach = sum(fill[j] // weight[k] for j in (bins[k][first:] if k == p else bins[k]))
                units = min(units, reach)
            if units * weight[k] <= space:
                total += units * gain[k]
                space -= units * weight[k]
            else:
                total += gain[k] * space // weight[k]
                break
        return total

    def alone(p: int, j: int) -> list[tuple[int, int, int]]:
        group = [replace(lines_[k], index=k) for k in range(p, count) if j in takes[k] and weight[k] <= room[j]]
        return [(k, j, units) for k, units in _free_one(allowance, group, room[j]).items() if units]

    def first_guess() -> tuple[int, list[tuple[int, int, int]]]:
        # Travellers who may take fewest lines go first: a child's allowance or the
        # room of one traveller's own goods would otherwise go to waste.
        chosen: list[tuple[int, int, int]] = []
        left = quantity[:]
        for j in sorted(range(width), key=lambda j: sum(j in line_takes for line_takes in takes)):
            group = [replace(lines_[k], index=k, quantity=left[k]) for k in range(count) if j in takes[k] and left[k]]
            for k, units in _free_one(allowance, group, room[j]).items():
                if units:
                    chosen.append((k, j, units))
                    left[k] -= units
        return sum(gain[k] * units for k, _j, units in chosen), chosen

    best, best_path = first_guess()
    ceiling = bound(0, quantity[0], 0, room)
    if best < ceiling:
        sums_fill()
        ceiling = bound(0, quantity[0], 0, [usable(0, j) for j in range(width)])
    path: list[tuple[int, int, int]] = []
    seen: dict[tuple[int, tuple[tuple[int, int, int], ...]], int] = {}
    nodes = 0

    def record(saved: int, extra: Sequence[tuple[int, int, int]] = ()) -> None:
        nonlocal best, best_path
        if saved > best:
            best, best_path = saved, [*path, *extra]
            if best >= ceiling:
                raise _SearchStopped

    def visit(p: int, saved: int) -> None:
        if p == count:
            record(saved)
            return
        fill = [usable(p, j) for j in range(width)]
        if any(taxed[j] <= room[j] and room[j] - fill[j] >= taxed[j] for j in range(width)):
            return
        open_ = [j for j in range(width) if any(j in takes[k] and weight[k] <= room[j] for k in range(p, count))]
        if len(open_) <= 1:
            extra = alone(p, open_[0]) if open_ else []
            record(saved + sum(gain[k] * units for k, _j, units in extra), extra)
            return
        if p == count - 1:
            # Alike units: as many as the rooms hold, anywhere.
            extra, left = [], quantity[p]
            for j in bins[p]:
                units = min(left, room[j] // weight[p])
                if units:
                    extra.append((p, j, units))
                    left -= units
            record(saved + gain[p] * (quantity[p] - left), extra)
            return
        # A taxed unit heavier than a room can no longer bind it: such rooms compare equal.
        key = (p, tuple(sorted((kinds[p][j], room[j], min(taxed[j], room[j] + 1)) for j in range(width))))
        if seen.get(key, -1) >= saved or saved + bound(p, quantity[p], 0, fill) <= best:
            return
        seen[key] = saved
        place(p, 0, quantity[p], saved)

    def place(p: int, i: int, left: int, saved: int) -> None:
        nonlocal nodes
        if i == len(bins[p]) or left == 0:
            before = [taxed[j] for j in bins[p]]
            if left:
                for j in bins[p]:
                    taxed[j] = min(taxed[j], weight[p])
            visit(p + 1, saved)
            for j, value in zip(bins[p], before, strict=True):
                taxed[j] = value
            return
        j, w = bins[p][i], weight[p]
        for units in range(min(left, room[j] // w), -1, -1):
            nodes += 1
            if nodes > SEARCH_BUDGET:
                raise _SearchStopped
            room[j] -= units * w
            if saved + units * gain[p] + bound(p, left - units, i + 1, room) > best:
                path.append((p, j, units))
                place(p, i + 1, left - units, saved + units * gain[p])
                path.pop()
            room[j] += units * w

    proven = True
    if best < ceiling:
        try:
            visit(0, 0)
        except _SearchStopped:
            proven = best >= ceiling
    chosen: dict[tuple[int, int], int] = defaultdict(int)
    for k, j, units in best_path:
        if units:
            chosen[(lines_[k].index, people[j])] += units
    return chosen, proven


# The estimate -----------------------------------------------------------------------


def _type_key(index: int, item: TravellerItem) -> tuple[int | None, str]:
    """The item type of a line for the ¥10,000 rule: per traveller, and for the
    family's lines (traveller None) over the whole declaration."""
    name = (item.item_type.strip() or item.description.strip()).casefold()
    return (item.traveller, name or f"\0line {index}")


def _small_value_lines(items: Sequence[TravellerItem], eligible: set[int], allowances: Allowances) -> set[int]:
    """Lines of other goods whose item type is worth ¥10,000 or less in all."""
    totals: dict[tuple[int | None, str], int] = defaultdict(int)
    for index in eligible:
        if items[index].category == OTHER:
            totals[_type_key(index, items[index])] += items[index].quantity * items[index].value_jpy
    return {
        index
        for index in eligible
        if items[index].category == OTHER
        and totals[_type_key(index, items[index])] <= allowances.small_value_per_item_type_jpy
    }


def _no_allowance(item: TravellerItem, age: int, allowances: Allowances) -> str:
    """The reason a traveller's allowances cannot free a line at all, or ""."""
    if age < allowances.child_age and not item.for_child_use:
        return NO_ALLOWANCE_UNDER_CHILD_AGE
    if age < allowances.adult_age and _KINDS[item.category].adults_only:
        return NO_ALLOWANCE_UNDER_ADULT_AGE
    if item.category == OTHER and item.value_jpy > allowances.other_goods_jpy:
        return NO_ALLOWANCE_SINGLE_ARTICLE
    return ""


def _is_general(item: TravellerItem, rates: SimplifiedRates) -> bool:
    rate = rates.rates.get(item.category)
    return rate is None or item.value_jpy * rates.taxable_ratio > rates.article_limit_jpy


def _unit_tax(item: TravellerItem, rates: SimplifiedRates) -> Decimal:
    if _is_general(item, rates):
        return Decimal(0)
    rate = rates.rates[item.category]
    return rate.per_unit(value_jpy=item.value_jpy, volume_ml=item.volume_ml, taxable_ratio=rates.taxable_ratio)


@dataclass(frozen=True)
class _Share:
    """The part of a line on one traveller: `quantity` units, `free` of them freed,
    under the allowance or no-allowance code `reason`."""

    index: int
    traveller: int
    quantity: int
    free: int
    reason: str


def _shares(
    travellers: Sequence[Traveller], items: Sequence[TravellerItem], allowances: Allowances, rates: SimplifiedRates
) -> tuple[list[_Share], bool]:
    """Who frees which units of each line, and whether the sharing is proven best."""
    oldest = max(range(len(travellers)), key=lambda index: (travellers[index].age, -index))
    entitled: dict[int, tuple[int, ...]] = {}
    refused: dict[int, str] = {}
    for index, item in enumerate(items):
        candidates = range(len(travellers)) if item.traveller is None else (item.traveller,)
        entitled[index] = tuple(t for t in candidates if not _no_allowance(item, travellers[t].age, allowances))
        # Where nobody may free a family line, the oldest traveller's reason says why.
        refused[index] = _no_allowance(
            item, travellers[oldest if item.traveller is None else item.traveller].age, allowances
        )
    eligible = {index for index, who in entitled.items() if who}
    small = _small_value_lines(items, eligible, allowances)
    free: dict[tuple[int, int], int] = {(index, entitled[index][0]): items[index].quantity for index in small}
    pools: dict[str, list[tuple[_Line, tuple[int, ...]]]] = defaultdict(list)
    for index in sorted(eligible - small):
        item = items[index]
        line = _Line(
            index=index,
            quantity=item.quantity,
            weight=_weight(item, allowances),
            general=_is_general(item, rates),
            value_jpy=item.value_jpy,
            tax=_unit_tax(item, rates),
        )
        pools[_KINDS[item.category].allowance].append((line, entitled[index]))
    proven = True
    for allowance, members in pools.items():
        chosen, best = _share_pool(
            allowance,
            [line for line, _who in members],
            [who for _line, who in members],
            _capacity(allowance, allowances),
        )
        free.update(chosen)
        proven = proven and best
    shares = []
    for index, item in enumerate(items):
        mine = {traveller: units for (line, traveller), units in free.items() if line == index and units}
        taxed = item.quantity - sum(mine.values())
        home = entitled[index][0] if entitled[index] else (0 if item.traveller is None else item.traveller)
        for traveller in sorted({*mine, *([home] if taxed else [])}):
            if traveller not in entitled[index]:
                reason = refused[index]
            elif index in small:
                reason = ALLOWANCE_SMALL_VALUE
            else:
                reason = _KINDS[item.category].allowance
            units = mine.get(traveller, 0)
            shares.append(_Share(index, traveller, units + (taxed if traveller == home else 0), units, reason))
    return shares, proven


def _item_result(
    share: _Share, item: TravellerItem, allowances: Allowances, rates: SimplifiedRates
) -> TravellerItemResult:
    taxed = share.quantity - share.free
    general = _is_general(item, rates)
    rate = None if general else rates.rates[item.category]
    allowance = basis_for(share.reason, allowances=allowances, rates=rates)
    if taxed == 0:
        treatment, basis, tax = FREE, allowance, Decimal(0)
    elif general:
        code = GENERAL_RATE_NO_SIMPLIFIED if item.category not in rates.rates else GENERAL_RATE_OVER_LIMIT
        treatment, basis, tax = GENERAL_RATE, basis_for(code, allowances=allowances, rates=rates), None
    else:
        treatment, tax = SIMPLIFIED_RATE, _unit_tax(item, rates) * taxed
        basis = basis_for(SIMPLIFIED_RATE, allowances=allowances, rates=rates, rate=str(rate))
    return TravellerItemResult(
        index=share.index,
        traveller=share.traveller,
        category=item.category,
        description=item.description,
        quantity=share.quantity,
        value_jpy=item.value_jpy,
        free_quantity=share.free,
        taxed_quantity=taxed,
        allowance=allowance,
        treatment=treatment,
        tax_type=_KINDS[item.category].tax_type,
        taxable_value_jpy=Decimal(item.value_jpy * taxed) * rates.taxable_ratio,
        rate=rate,
        basis=basis,
        tax_jpy=tax,
    )


def truncate(amount: Decimal, unit: int = TAX_UNIT_JPY) -> int:
    """Drops what is below `unit` yen (amounts here are never negative)."""
    return int(amount // unit) * unit


def _totals(results: Sequence[TravellerItemResult]) -> tuple[TaxTypeTotal, ...]:
    sums = dict.fromkeys(TAX_TYPES, Decimal(0))
    for result in results:
        if result.tax_jpy is not None:
            sums[result.tax_type] += result.tax_jpy
    return tuple(TaxTypeTotal(tax_type=kind, tax_jpy=total, total_jpy=truncate(total)) for kind, total in sums.items())


def _allowance_use(
    travellers: Sequence[Traveller], results: Sequence[TravellerItemResult], allowances: Allowances
) -> tuple[TravellerAllowanceUse, ...]:
    used: dict[int, int] = defaultdict(int)
    for result in results:
        if result.allowance.code == ALLOWANCE_OTHER_GOODS:
            used[result.traveller] += result.free_quantity * result.value_jpy
    return tuple(
        TravellerAllowanceUse(
            index=index,
            age=traveller.age,
            other_goods_free_jpy=used[index],
            other_goods_allowance_jpy=allowances.other_goods_jpy,
        )
        for index, traveller in enumerate(travellers)
    )


def traveller_compute(
    *, travellers: Sequence[Traveller], items: Sequence[TravellerItem], rules: TravellerRules, on: date
) -> TravellerEstimate:
    """The allowances and simplified-rate tax of one declaration's travellers and goods
    under `rules` (pure; `selectors.traveller_estimate` reads the rules in force). Every
    bad field is reported at once in one ApplicationError keyed `travellers[<i>].age`
    or `items[<i>].<field>`."""
    allowances, rates = rules.allowances, rules.rates
    _check(travellers, items)
    shares, proven = _shares(travellers, items, allowances, rates)
    results = tuple(_item_result(share, items[share.index], allowances, rates) for share in shares)
    totals = _totals(results)
    general = [result for result in results if result.assessed_by_customs]
    return TravellerEstimate(
        on=on,
        items=results,
        totals=totals,
        total_jpy=sum(total.total_jpy for total in totals),
        travellers=_allowance_use(travellers, results, allowances),
        general_rate_items=tuple(dict.fromkeys(result.index for result in general)),
        general_rate_taxable_value_jpy=sum((result.taxable_value_jpy for result in general), start=Decimal(0)),
        combination_proven_best=proven,
    )
