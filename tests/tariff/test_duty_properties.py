"""Properties of the duty engine that hold for any tariff and any goods (hypothesis),
beside the worked examples of test_duty_engine.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from declarations.tariff.duty import DutyLine, TariffTerms, duty_compute, truncate
from declarations.tariff.rates import AdValorem, Free, Greater, Lesser, Specific

ON = dt.date(2026, 6, 1)
LIMIT = 10_000
# US: WTO member; IR: not a member; BD: LDC; IN: GSP; FR: JP-EU; AU: CPTPP.
ORIGINS = ["US", "IR", "BD", "IN", "FR", "AU"]

_percent = st.decimals(min_value=0, max_value=60, places=1).map(AdValorem)
_specific = st.decimals(min_value=0, max_value=500, places=2).map(lambda yen: Specific(yen, "KG"))
_simple = st.one_of(st.just(Free()), _percent, _specific)
_rate = st.one_of(
    _simple,
    st.tuples(_simple, _simple).map(Lesser),
    st.tuples(st.tuples(_simple, _simple).map(Lesser), _specific).map(Greater),
)


@st.composite
def tariff_terms(draw, hs_code: str = "111111111") -> TariffTerms:
    rates = {"general": draw(_rate)}
    for column in ("wto", "gsp", "ldc", "epa:JP-EU", "epa:CPTPP"):
        if draw(st.booleans()):
            rates[column] = draw(_rate)
    return TariffTerms(
        hs_code=hs_code,
        description_en="Goods",
        description_ja="物品",
        unit="KG",
        reduced_consumption_tax=draw(st.booleans()),
        small_value_exclusion=draw(st.booleans()),
        rates=rates,
    )


_values = st.integers(min_value=0, max_value=50_000_000)
_small_values = st.integers(min_value=0, max_value=15_000)
_quantities = st.decimals(min_value=0, max_value=1_000, places=3)


@st.composite
def declarations(draw, values=_values):
    """A tariff of up to three lines and up to five lines of goods rated against it."""
    tariff = {
        code: draw(tariff_terms(code)) for code in ("111111111", "222222222", "333333333")[: draw(st.integers(1, 3))]
    }
    lines = draw(
        st.lists(
            st.builds(
                DutyLine,
                hs_code=st.sampled_from(sorted(tariff)),
                origin=st.sampled_from(ORIGINS),
                customs_value_jpy=values,
                quantity=_quantities,
            ),
            min_size=1,
            max_size=5,
        )
    )
    return tariff, lines


def compute(tariff, lines):
    return duty_compute(lines=lines, tariff=tariff, on=ON)


@settings(max_examples=200, deadline=None)
@given(declarations())
def test_totals_are_non_negative_multiples_of_100(declaration):
    result = compute(*declaration)
    total = result.total
    for amount in (total.customs_duty_jpy, total.consumption_tax_jpy, total.local_consumption_tax_jpy):
        assert amount >= 0
        assert amount % 100 == 0
    assert total.total_jpy == total.customs_duty_jpy + total.consumption_tax_jpy + total.local_consumption_tax_jpy
    for line in result.lines:
        assert line.duty_base_jpy % 1000 == 0 and line.consumption_tax_base_jpy % 1000 == 0
        assert line.customs_duty_truncated_jpy == truncate(line.customs_duty_jpy, 100)


@settings(max_examples=200, deadline=None)
@given(declarations(), st.data())
def test_a_higher_value_never_lowers_any_total(declaration, data):
    tariff, lines = declaration
    index = data.draw(st.integers(0, len(lines) - 1))
    more = data.draw(st.integers(1, 5_000_000))
    raised = [*lines]
    raised[index] = replace(lines[index], customs_value_jpy=lines[index].customs_value_jpy + more)

    before, after = compute(tariff, lines).total, compute(tariff, raised).total

    assert after.customs_duty_jpy >= before.customs_duty_jpy
    assert after.consumption_tax_jpy >= before.consumption_tax_jpy
    assert after.local_consumption_tax_jpy >= before.local_consumption_tax_jpy


@settings(max_examples=200, deadline=None)
@given(tariff_terms(), _values, _quantities, st.sampled_from([("FR", "JP-EU"), ("AU", "CPTPP")]))
def test_an_epa_claim_never_pays_more_than_no_claim(terms, value, quantity, origin_and_agreement):
    origin, agreement = origin_and_agreement
    terms = replace(terms, rates={**terms.rates, f"epa:{agreement}": terms.rates.get(f"epa:{agreement}", Free())})
    tariff = {terms.hs_code: terms}
    claimed = compute(tariff, [DutyLine(terms.hs_code, origin, value, quantity, agreement, "certificate")])
    unclaimed = compute(tariff, [DutyLine(terms.hs_code, origin, value, quantity, "general")])

    assert claimed.lines[0].customs_duty_jpy <= unclaimed.lines[0].customs_duty_jpy
    assert claimed.total.total_jpy <= unclaimed.total.total_jpy
    epa_duty = terms.rates[f"epa:{agreement}"].amount(value_base_jpy=truncate(value, 1000), quantity=quantity)
    if epa_duty <= unclaimed.lines[0].customs_duty_jpy and value > LIMIT:
        assert claimed.lines[0].basis == "epa"


@settings(max_examples=200, deadline=None)
@given(declarations())
def test_local_tax_is_22_78_of_the_national_tax_rounded_down(declaration):
    result = compute(*declaration)
    national = result.total.consumption_tax_jpy
    local = result.total.local_consumption_tax_jpy

    assert local <= truncate(national * 22 // 78, 100)
    for line in result.lines:
        assert line.local_consumption_tax_jpy == line.consumption_tax_truncated_jpy * 22 // 78
    if len(result.lines) == 1:
        assert local == truncate(national * 22 // 78, 100)


@settings(max_examples=200, deadline=None)
@given(declarations(values=_small_values))
def test_the_exemption_frees_every_line_but_the_excluded_ones_up_to_10000_yen(declaration):
    tariff, lines = declaration
    result = compute(tariff, lines)
    total_value = sum(line.customs_value_jpy for line in lines)

    assert result.small_value_exemption is (total_value <= LIMIT)
    # The same lines beside a valuable free line: no exemption, so what each line pays alone.
    free = TariffTerms("999999999", "Free goods", "無税品", "KG", False, False, {"general": Free()})
    unexempt = compute({**tariff, free.hs_code: free}, [*lines, DutyLine(free.hs_code, "US", 1_000_000)])
    for line, alone in zip(result.lines, unexempt.lines, strict=False):
        excluded = tariff[line.hs_code].small_value_exclusion
        if total_value <= LIMIT and not excluded:
            assert line.exempt
            assert line.customs_duty_jpy == line.consumption_tax_jpy == line.local_consumption_tax_jpy == 0
        else:
            assert not line.exempt
            assert line.customs_duty_jpy == alone.customs_duty_jpy
            assert line.consumption_tax_jpy == alone.consumption_tax_jpy
