"""Rate cells: the grammar, the typed form and the amounts each kind gives."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declarations.tariff.rates import (
    AdValorem,
    Free,
    Greater,
    Lesser,
    QuantityRequired,
    RateSyntaxError,
    Specific,
    parse_rate,
    rate_from_json,
    rate_to_json,
)


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("free", Free()),
        ("FREE", Free()),
        ("12.5%", AdValorem(Decimal("12.5"))),
        (" 0% ", AdValorem(Decimal(0))),
        ("156.80 JPY/L", Specific(Decimal("156.80"), "L")),
        ("4300 jpy/pr", Specific(Decimal(4300), "PR")),
        ("341JPY/kg", Specific(Decimal(341), "KG")),
        ("10 JPY/u", Specific(Decimal(10), "NO")),
        ("2 JPY/m2", Specific(Decimal(2), "M2")),
        ("min(21.3%, 156.80 JPY/L)", Lesser((AdValorem(Decimal("21.3")), Specific(Decimal("156.80"), "L")))),
        ("MAX(30%,4300 JPY/PR)", Greater((AdValorem(Decimal(30)), Specific(Decimal(4300), "PR")))),
        (
            "max(min(15%, 125 JPY/L), 67 JPY/L)",
            Greater(
                (
                    Lesser((AdValorem(Decimal(15)), Specific(Decimal(125), "L"))),
                    Specific(Decimal(67), "L"),
                )
            ),
        ),
    ],
)
def test_rate_cells_parse_into_typed_rates(text, rate):
    assert parse_rate(text) == rate


def test_an_empty_cell_means_the_line_has_no_such_rate():
    assert parse_rate("") is None
    assert parse_rate("   ") is None


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("12,5%", "“,”"),
        ("12.5", "ends too early"),
        ("-5%", "Unexpected"),
        ("5 USD/L", "JPY"),
        ("156.80 JPY/barrel", "Unknown unit"),
        ("min(5%)", "at least two"),
        ("min(5%, 3%", "ends too early"),
        ("5% 3%", "after the end"),
        ("gratis", "not “gratis”"),
        ("5000%", "not a plausible"),
    ],
)
def test_bad_rate_cells_say_what_is_wrong(text, complaint):
    with pytest.raises(RateSyntaxError, match=complaint):
        parse_rate(text)


def test_the_canonical_text_keeps_sen_with_two_digits():
    assert str(parse_rate("156.8 JPY/L")) == "156.80 JPY/L"
    assert str(parse_rate("93.75 jpy/l")) == "93.75 JPY/L"
    assert str(parse_rate("max( min(21.30%,156.80 JPY/L) ,93 JPY/L)")) == "max(min(21.3%, 156.80 JPY/L), 93 JPY/L)"


def test_amounts_drop_yen_fractions_and_use_decimal():
    assert AdValorem(Decimal("14")).amount(value_base_jpy=534_000, quantity=None) == Decimal(74_760)
    assert AdValorem(Decimal("6.24")).amount(value_base_jpy=143_000, quantity=None) == Decimal(8_923)
    assert Specific(Decimal("156.80"), "L").amount(value_base_jpy=0, quantity=Decimal("0.75")) == Decimal(117)


def test_whichever_is_less_and_whichever_is_greater():
    wine = parse_rate("max(min(15%, 125 JPY/L), 67 JPY/L)")
    # Cheap wine: 15 % of ¥10,000 is ¥1,500, under the ¥67/L floor for 75 L (¥5,025).
    assert wine.amount(value_base_jpy=10_000, quantity=Decimal(75)) == Decimal(5_025)
    # Dear wine: ¥125/L (¥937) is less than 15 % of ¥100,000.
    assert wine.amount(value_base_jpy=100_000, quantity=Decimal("7.5")) == Decimal(937)
    # In between, 15 % of the value.
    assert wine.amount(value_base_jpy=20_000, quantity=Decimal(30)) == Decimal(3_000)


def test_a_specific_rate_without_a_quantity_says_which_unit_it_needs():
    with pytest.raises(QuantityRequired) as raised:
        parse_rate("min(21.3%, 156.80 JPY/L)").amount(value_base_jpy=1_000, quantity=None)
    assert raised.value.unit == "L"


_numbers = st.decimals(min_value=0, max_value=999, places=2, allow_nan=False, allow_infinity=False)
_simple = st.one_of(
    st.just(Free()),
    _numbers.map(AdValorem),
    st.tuples(_numbers, st.sampled_from(["L", "KG", "NO", "PR", "M2"])).map(lambda pair: Specific(*pair)),
)
_rates = st.recursive(
    _simple,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda rates: Lesser(tuple(rates))),
        st.lists(children, min_size=2, max_size=3).map(lambda rates: Greater(tuple(rates))),
    ),
    max_leaves=6,
)


@given(_rates)
def test_every_rate_survives_its_text_and_its_json(rate):
    assert parse_rate(str(rate)) == rate
    assert rate_from_json(rate_to_json(rate)) == rate


@given(_rates, st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9))
def test_amounts_are_whole_yen_and_grow_with_the_value(rate, value, more):
    quantity = Decimal(3)
    low = rate.amount(value_base_jpy=value, quantity=quantity)
    high = rate.amount(value_base_jpy=value + more, quantity=quantity)
    assert low == low.to_integral_value()
    assert 0 <= low <= high
