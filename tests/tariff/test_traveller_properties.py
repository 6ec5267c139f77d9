"""The travellers' estimate against a brute force (hypothesis): over every way of
freeing a declaration's units that the allowances permit, none leaves less to the
general rate, nor, leaving as little, charges less than the estimate; and the estimate
keeps within every allowance.

The brute force below applies the rules of reference §1.1/§1.2 on its own and knows
nothing of the optimiser. Units of one line are identical, so trying every count of
freed units per line tries every subset of units; for the family's lines (traveller
None) it tries every count on every entitled traveller's allowance."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from declarations.tariff.interface import TRAVELLER_CATEGORIES, Traveller, TravellerItem, traveller_compute
from tests.tariff.factories import traveller_rules_2021

ON = dt.date(2026, 3, 2)
RULES = traveller_rules_2021()

ALCOHOL = {"whisky_brandy", "rum_gin_vodka", "liqueur", "shochu", "other_alcohol"}
TOBACCO = {"cigarettes", "cigars", "heated_tobacco_sticks", "heated_tobacco_capsules", "other_tobacco"}
PER_LITRE = {"whisky_brandy": 800, "rum_gin_vodka": 500, "liqueur": 400, "shochu": 300, "other_alcohol": 200}
PER_UNIT = {"cigarettes": 15, "heated_tobacco_sticks": 15, "heated_tobacco_capsules": 50}
CAPACITY = {
    "alcohol": 3,
    "cigarettes": 200,
    "cigars": 50,
    "heated": 200,
    "other_tobacco": 250,
    "perfume": 56,
    "other": 200_000,
}


def pool(item: TravellerItem) -> str:
    if item.category in ALCOHOL:
        return "alcohol"
    if item.category.startswith("heated_tobacco"):
        return "heated"
    return item.category


def weight(item: TravellerItem) -> int:
    """Bottles of 760 ml, sticks (a capsule pack is 20), grams, ml or yen."""
    return {
        "alcohol": max(1, math.ceil((item.volume_ml or 0) / 760)),
        "heated": 20 if item.category == "heated_tobacco_capsules" else 1,
        "other_tobacco": item.weight_g or 0,
        "perfume": item.volume_ml or 0,
        "other": item.value_jpy,
    }.get(pool(item), 1)


def has_allowance(item: TravellerItem, age: int) -> bool:
    if age < 6 and not item.for_child_use:
        return False
    if age < 20 and (item.category in ALCOHOL or item.category in TOBACCO):
        return False
    return not (item.category == "other" and item.value_jpy > 200_000)


def entitled(item: TravellerItem, people) -> list[int]:
    """The travellers whose allowances may free the line: its own, or for the family's
    lines anyone's."""
    candidates = range(len(people)) if item.traveller is None else [item.traveller]
    return [index for index in candidates if has_allowance(item, people[index].age)]


def small_value(items, people) -> set[int]:
    """Other goods whose item type (per traveller, the family's over the whole form) is
    worth ¥10,000 or less in all."""

    def key(index, item):
        name = (item.item_type.strip() or item.description.strip()).casefold()
        return (item.traveller, name or f"line {index}")

    eligible = [
        (index, item) for index, item in enumerate(items) if item.category == "other" and entitled(item, people)
    ]
    totals = defaultdict(int)
    for index, item in eligible:
        totals[key(index, item)] += item.quantity * item.value_jpy
    return {index for index, item in eligible if totals[key(index, item)] <= 10_000}


def is_general(item: TravellerItem) -> bool:
    has_rate = item.category in PER_LITRE or item.category in PER_UNIT or item.category == "other"
    return not has_rate or Decimal(item.value_jpy) * Decimal("0.6") > 100_000


def unit_tax(item: TravellerItem) -> Decimal:
    if item.category in PER_LITRE:
        return Decimal(item.volume_ml) * PER_LITRE[item.category] / 1000
    if item.category in PER_UNIT:
        return Decimal(PER_UNIT[item.category])
    return Decimal(item.value_jpy) * Decimal("0.6") * Decimal("0.15")


def tax_type(item: TravellerItem) -> str:
    return "alcohol" if item.category in ALCOHOL else "tobacco" if item.category in TOBACCO else "other"


def within_allowances(items, shares, small: set[int]) -> bool:
    """Whether the freed units, as (line index, traveller, units), fit every
    traveller's allowances; goods under the ¥10,000 rule are not counted."""
    used = defaultdict(int)
    for index, traveller, count in shares:
        if index not in small:
            used[(traveller, pool(items[index]))] += count * weight(items[index])
    return all(amount <= CAPACITY[name] for (_traveller, name), amount in used.items())


def outcome(items, free) -> tuple[int, Decimal, int]:
    """Value left to the general rate, the exact simplified tax, and what is payable
    (each tax type truncated below ¥100)."""
    general_value, by_type = 0, defaultdict(Decimal)
    for item, count in zip(items, free, strict=True):
        taxed = item.quantity - count
        if is_general(item):
            general_value += taxed * item.value_jpy
        else:
            by_type[tax_type(item)] += taxed * unit_tax(item)
    exact = sum(by_type.values(), start=Decimal(0))
    payable = sum(int(amount // 100) * 100 for amount in by_type.values())
    return general_value, exact, payable


def splits(quantity: int, travellers: list[int]):
    """Every way of freeing up to `quantity` units on these travellers' allowances."""
    for counts in itertools.product(range(quantity + 1), repeat=len(travellers)):
        if sum(counts) <= quantity:
            yield tuple((traveller, count) for traveller, count in zip(travellers, counts, strict=True) if count)


def every_permitted_choice(items, people):
    """Every permitted freeing, as the freed count per line and the shares."""
    small = small_value(items, people)
    options = []
    for index, item in enumerate(items):
        who = entitled(item, people)
        if index in small or (who and item.category == "other" and item.value_jpy == 0):
            options.append([((who[0], item.quantity),)])
        elif who and weight(item) > 0:
            options.append(list(splits(item.quantity, who)))
        else:
            options.append([()])
    for choice in itertools.product(*options):
        shares = [(index, traveller, count) for index, line in enumerate(choice) for traveller, count in line]
        if within_allowances(items, shares, small):
            yield tuple(sum(count for _traveller, count in line) for line in choice)


def assert_best(people, items):
    result = traveller_compute(travellers=people, items=items, rules=RULES, on=ON)
    chosen = [0] * len(items)
    for line in result.items:
        chosen[line.index] += line.free_quantity
    chosen = tuple(chosen)
    permitted = set(every_permitted_choice(items, people))
    outcomes = [outcome(items, free) for free in permitted]

    small = small_value(items, people)
    shares = [(line.index, line.traveller, line.free_quantity) for line in result.items]
    assert within_allowances(items, shares, small)
    for line in result.items:
        assert line.free_quantity == 0 or line.traveller in entitled(items[line.index], people)
    assert [sum(line.quantity for line in result.items if line.index == index) for index in range(len(items))] == [
        item.quantity for item in items
    ]
    assert chosen in permitted
    assert result.combination_proven_best
    general_value, exact, payable = outcome(items, chosen)
    assert (general_value, exact) == min((value, tax) for value, tax, _payable in outcomes)
    assert payable == result.total_jpy
    assert payable == min(paid for value, _tax, paid in outcomes if value == general_value)
    for line in result.items:
        item = items[line.index]
        if line.taxed_quantity and is_general(item):
            assert (line.treatment, line.tax_jpy) == ("general_rate", None)
        else:
            assert line.tax_jpy == line.taxed_quantity * unit_tax(item)
    assert sum(line.taxable_value_jpy for line in result.items if line.tax_jpy is None) == (
        result.general_rate_taxable_value_jpy
    )


_values = st.one_of(
    st.sampled_from([0, 1_000, 3_000, 9_999, 10_000, 10_001, 50_000, 100_000, 166_666, 166_667, 200_000, 200_001]),
    st.integers(min_value=0, max_value=250_000),
)
_volumes = st.sampled_from([28, 30, 56, 57, 350, 750, 760, 761, 1_000, 1_520, 1_521, 3_000])


@st.composite
def declarations(draw, *, family=False, max_units=12):
    """One to three travellers of telling ages and up to `max_units` units of any
    goods; with `family`, lines are also the family's (traveller None)."""
    people = draw(st.lists(st.sampled_from([1, 5, 6, 19, 20, 45]).map(Traveller), min_size=1, max_size=3))
    owners = st.integers(min_value=0, max_value=len(people) - 1)
    if family:
        owners = st.one_of(st.none(), st.none(), owners)
    items, units = [], draw(st.integers(min_value=0, max_value=max_units))
    while units > 0:
        category = draw(st.sampled_from(list(TRAVELLER_CATEGORIES)))
        quantity = draw(st.integers(min_value=1, max_value=min(units, 4)))
        units -= quantity
        items.append(
            TravellerItem(
                category=category,
                quantity=quantity,
                value_jpy=draw(_values),
                traveller=draw(owners),
                volume_ml=draw(_volumes) if category in ALCOHOL or category == "perfume" else None,
                weight_g=draw(st.sampled_from([25, 50, 100, 125, 250, 251])) if category == "other_tobacco" else None,
                item_type=draw(st.sampled_from(["", "", "tie", "bag"])),
                description=draw(st.sampled_from(["", "tie", "watch"])),
                for_child_use=draw(st.booleans()),
            )
        )
    return people, items


@settings(max_examples=300, deadline=None)
@given(declarations())
def test_no_permitted_choice_beats_the_estimate(declaration):
    people, items = declaration
    assert_best(people, items)


@settings(max_examples=300, deadline=None)
@given(declarations(family=True, max_units=7))
def test_no_sharing_of_the_familys_goods_beats_the_estimate(declaration):
    people, items = declaration
    assert_best(people, items)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=200_000), min_size=2, max_size=7),
    st.lists(st.sampled_from([3, 19, 45]).map(Traveller), min_size=2, max_size=3),
)
def test_the_familys_other_goods_are_shared_best_whatever_their_values(values, people):
    items = [
        TravellerItem("other", 1, value, traveller=None, item_type=f"type {index}", for_child_use=index % 2 == 0)
        for index, value in enumerate(values)
    ]
    assert_best(people, items)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(sorted(PER_LITRE)), st.sampled_from([350, 750, 1_000, 1_600])), max_size=4),
    st.lists(st.sampled_from([19, 20, 45]).map(Traveller), min_size=2, max_size=3),
)
def test_the_familys_bottles_are_shared_best(bottles, people):
    items = [TravellerItem(category, 2, 3_000, traveller=None, volume_ml=volume) for category, volume in bottles]
    assert_best(people, items)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=200_000), min_size=1, max_size=12),
    st.lists(st.sampled_from([3, 19, 45]).map(Traveller), min_size=1, max_size=2),
    st.data(),
)
def test_other_goods_free_the_best_subset_of_scattered_values(values, people, data):
    items = [
        TravellerItem(
            "other",
            1,
            value,
            traveller=data.draw(st.integers(min_value=0, max_value=len(people) - 1)),
            item_type=f"type {index}",
            for_child_use=True,
        )
        for index, value in enumerate(values)
    ]
    assert_best(people, items)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=150, max_value=210), st.lists(st.integers(min_value=1, max_value=4), max_size=2))
def test_heated_tobacco_sticks_and_capsule_packs_share_their_allowance_best(sticks, capsule_lines):
    items = [TravellerItem("heated_tobacco_sticks", sticks, 30)]
    items += [TravellerItem("heated_tobacco_capsules", quantity, 500) for quantity in capsule_lines]
    assert_best([Traveller(45)], items)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=10, max_value=40), _values), min_size=1, max_size=2))
def test_the_cigars_freed_leave_the_least_value_to_the_general_rate(cigar_lines):
    items = [TravellerItem("cigars", quantity, value) for quantity, value in cigar_lines]
    assert_best([Traveller(45)], items)
