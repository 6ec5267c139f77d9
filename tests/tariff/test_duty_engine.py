"""The duty engine: the Customs Answer 1111 example, rate choice and its legal basis,
EPA coverage, specific and min/max rates, and the ¥10,000 exemption."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from customs_portal.errors import ApplicationError
from declarations.tariff.duty import DutyLine, TariffTerms, duty_compute, duty_estimate
from declarations.tariff.rates import parse_rate
from tests.tariff.factories import TariffLineFactory

ON = dt.date(2026, 3, 2)


def terms(hs_code: str, *, unit: str = "KG", reduced: bool = False, excluded: bool = False, **rates: str):
    """Tariff terms without the database; rate keywords: general, wto, gsp, ldc, epa_JP_EU."""
    return TariffTerms(
        hs_code=hs_code,
        description_en=f"Goods {hs_code}",
        description_ja=f"物品{hs_code}",
        unit=unit,
        reduced_consumption_tax=reduced,
        small_value_exclusion=excluded,
        rates={key.replace("epa_", "epa:").replace("_", "-"): parse_rate(text) for key, text in rates.items()},
    )


def compute(lines, *tariff_terms, on=ON):
    return duty_compute(lines=lines, tariff={t.hs_code: t for t in tariff_terms}, on=on)


# Customs Answer 1111 ---------------------------------------------------------------------

CA1111 = [
    terms("000000001", general="14%"),
    terms("000000002", general="14%", reduced=True),
]


def test_customs_answer_1111_reproduces_every_figure():
    result = compute(
        [DutyLine("000000001", "US", 534_795), DutyLine("000000002", "US", 126_258)],
        *CA1111,
    )

    a, b = result.lines
    # Line A: 534,000 × 14 % = 74,760 → 74,700; 609,495 → 609,000 × 7.8 % = 47,502 → 47,500;
    # 47,500 × 22/78 = 13,397.
    assert (a.duty_base_jpy, a.customs_duty_jpy, a.customs_duty_truncated_jpy) == (534_000, 74_760, 74_700)
    assert (a.consumption_tax_base_jpy, a.consumption_tax_jpy, a.consumption_tax_truncated_jpy) == (
        609_000,
        47_502,
        47_500,
    )
    assert a.consumption_tax_percent == Decimal("7.8")
    assert a.local_consumption_tax_jpy == 13_397
    # Line B: 126,000 × 14 % = 17,640 → 17,600; 143,858 → 143,000 × 6.24 % = 8,923 → 8,900;
    # 8,900 × 22/78 = 2,510.
    assert (b.duty_base_jpy, b.customs_duty_jpy, b.customs_duty_truncated_jpy) == (126_000, 17_640, 17_600)
    assert (b.consumption_tax_base_jpy, b.consumption_tax_jpy, b.consumption_tax_truncated_jpy) == (
        143_000,
        8_923,
        8_900,
    )
    assert b.consumption_tax_percent == Decimal("6.24")
    assert b.local_consumption_tax_jpy == 2_510
    # Totals: 92,400; 56,425 → 56,400; 15,907 → 15,900.
    assert result.total.customs_duty_jpy == 92_400
    assert result.total.consumption_tax_jpy == 56_400
    assert result.total.local_consumption_tax_jpy == 15_900
    assert result.total.total_jpy == 92_400 + 56_400 + 15_900


# Rate choice and legal basis -------------------------------------------------------------

WINE = terms(
    "220421020",
    unit="L",
    general="max(min(21.3%, 156.80 JPY/L), 93 JPY/L)",
    wto="max(min(15%, 125 JPY/L), 67 JPY/L)",
    epa_JP_EU="free",
    epa_CPTPP="min(1.4%, 125 JPY/L)",
)
BAG = terms("420221200", unit="NO", general="12.5%", wto="10%", ldc="free", excluded=True)
COFFEE = terms("090121000", general="20%", wto="12%", gsp="10%", ldc="free", reduced=True)
BEEF = terms("020130000", general="38.5%", wto="50%", epa_CPTPP="22.5%", reduced=True)
LAPTOP = terms("847130000", unit="NO", general="free", wto="free")


def one(line: DutyLine, *tariff_terms):
    return compute([line], *tariff_terms).lines[0]


def test_a_wto_member_pays_the_lower_wto_rate():
    line = one(DutyLine("420221200", "US", 100_000), BAG)
    assert (line.rate, line.basis, line.basis_label) == ("10%", "wto", "WTO bound rate")
    assert line.customs_duty_jpy == 10_000


def test_a_non_member_pays_the_general_rate():
    line = one(DutyLine("420221200", "IR", 100_000), BAG)
    assert (line.rate, line.basis, line.basis_label) == ("12.5%", "general", "general rate")


def test_the_general_rate_applies_where_the_wto_rate_is_not_lower():
    line = one(DutyLine("020130000", "US", 100_000), BEEF)
    assert (line.rate, line.basis) == ("38.5%", "general")


def test_free_goods_say_so():
    line = one(DutyLine("847130000", "CN", 150_000), LAPTOP)
    assert (line.rate, line.customs_duty_jpy) == ("free", 0)
    assert line.consumption_tax_jpy == 11_700


def test_without_a_claim_a_beneficiary_gets_the_best_non_epa_rate():
    assert one(DutyLine("090121000", "IN", 100_000), COFFEE).basis == "gsp"
    assert one(DutyLine("090121000", "BD", 100_000), COFFEE).basis == "ldc"
    assert one(DutyLine("090121000", "BR", 100_000), COFFEE).basis == "wto"


def test_a_claimed_epa_rate_applies_with_its_basis():
    line = one(DutyLine("220421020", "FR", 200_000, Decimal(75), "JP-EU", "certificate"), WINE)
    assert (line.rate, line.basis, line.agreement) == ("free", "epa", "JP-EU")
    assert line.basis_label == "JP-EU EPA preferential rate"
    assert line.customs_duty_jpy == 0


def test_an_epa_rate_higher_than_the_mfn_rate_gives_way_and_says_so():
    odd = terms("999999991", general="10%", wto="3%", epa_CPTPP="5%")
    line = one(DutyLine("999999991", "AU", 100_000, None, "CPTPP", "exporter_declaration"), odd)
    assert (line.rate, line.basis) == ("3%", "wto")
    assert "higher than the WTO bound rate" in line.note


def test_the_wto_wine_rate_has_a_floor_and_a_ceiling_per_litre():
    def duty(value: int, litres: str) -> int:
        return one(DutyLine("220421020", "US", value, Decimal(litres)), WINE).customs_duty_jpy

    assert duty(20_000, "75") == 5_025  # ¥67/L floor
    assert duty(100_000, "7.5") == 937  # ¥125/L cap, under 15 %
    assert duty(20_000, "30") == 3_000  # 15 %


@pytest.mark.parametrize(
    ("line", "key", "code", "message"),
    [
        (
            DutyLine("220421020", "US", 200_000, Decimal(75), "JP-EU", "certificate"),
            "lines[0].preference",
            "epa_not_applicable",
            "JP-EU does not cover goods originating in US (United States of America) on 2026-03-02.",
        ),
        (
            DutyLine("220421020", "FR", 200_000, Decimal(75), "JP-EU", ""),
            "lines[0].origin_proof",
            "origin_proof_required",
            "A JP-EU claim needs a proof of origin (a self-declaration or a certificate).",
        ),
        (
            DutyLine("220421020", "FR", 200_000, None),
            "lines[0].quantity",
            "quantity_required",
            "Tariff line 220421020 has a specific rate per L: give the quantity in L.",
        ),
        (
            DutyLine("220421020", "XX", 200_000, Decimal(75)),
            "lines[0].origin",
            "unknown_country",
            "“XX” is not an ISO 3166 country code.",
        ),
        (
            DutyLine("123456789", "FR", 200_000),
            "lines[0].hs_code",
            "unknown_tariff_code",
            "No tariff line 123456789 is in force on 2026-03-02.",
        ),
        (
            DutyLine("220421020", "FR", -1, Decimal(75)),
            "lines[0].customs_value_jpy",
            "negative_value",
            "The customs value cannot be negative.",
        ),
        (
            DutyLine("220421020", "FR", 200_000, Decimal(75), "JP-XX", "certificate"),
            "lines[0].preference",
            "unknown_preference",
            "Unknown preference “JP-XX”",
        ),
        (
            DutyLine("220421020", "AU", 200_000, Decimal(75), "RCEP", "certificate"),
            "lines[0].preference",
            "no_preferential_rate",
            "Tariff line 220421020 has no RCEP rate.",
        ),
        (
            DutyLine("090121000", "US", 100_000, None, "gsp"),
            "lines[0].preference",
            "not_gsp_beneficiary",
            "US (United States of America) is not a GSP beneficiary on 2026-03-02.",
        ),
        (
            DutyLine("090121000", "IR", 100_000, None, "wto"),
            "lines[0].preference",
            "not_wto_member",
            "IR (Iran) is not a WTO member on 2026-03-02, so no WTO rate can be claimed.",
        ),
    ],
)
def test_bad_lines_are_refused_with_a_precise_message(line, key, code, message):
    with pytest.raises(ApplicationError) as raised:
        compute([line], WINE, COFFEE)

    assert raised.value.code == code
    assert list(raised.value.fields) == [key]
    assert raised.value.fields[key][0].startswith(message)
    assert raised.value.message.startswith(f"{key}: {message}")


def test_every_bad_line_is_reported_at_once():
    with pytest.raises(ApplicationError) as raised:
        compute(
            [
                DutyLine("420221200", "US", 100_000),
                DutyLine("420221200", "ZZ", 100_000),
                DutyLine("000000000", "US", 100_000),
            ],
            BAG,
        )
    assert list(raised.value.fields) == ["lines[1].origin", "lines[2].hs_code"]


def test_epa_coverage_follows_the_membership_dates():
    cheese = terms("040620200", general="35%", wto="26.3%", epa_JP_UK="14.8%", epa_JP_EU="14.8%")
    line = DutyLine("040620200", "GB", 100_000, None, "JP-EU", "certificate")

    # The UK was covered by JP-EU until it left the EU at the end of 2020 ...
    assert compute([line], cheese, on=dt.date(2020, 6, 1)).lines[0].agreement == "JP-EU"
    # ... and by JP-UK from 2021.
    with pytest.raises(ApplicationError, match="JP-EU does not cover"):
        compute([line], cheese, on=dt.date(2021, 6, 1))
    uk = DutyLine("040620200", "GB", 100_000, None, "JP-UK", "importer_declaration")
    assert compute([uk], cheese, on=dt.date(2021, 6, 1)).lines[0].agreement == "JP-UK"


# Small-value exemption -------------------------------------------------------------------


def test_goods_worth_10000_yen_or_less_pay_no_duty_or_consumption_tax():
    result = compute([DutyLine("090121000", "US", 6_000), DutyLine("847130000", "CN", 4_000)], COFFEE, LAPTOP)

    assert result.small_value_exemption is True
    assert [line.exempt for line in result.lines] == [True, True]
    assert result.lines[0].rate == "12%"  # the rate that would apply is still shown
    assert result.total.total_jpy == 0


def test_excluded_lines_are_taxed_even_under_the_exemption():
    result = compute([DutyLine("090121000", "US", 4_000), DutyLine("420221200", "US", 6_000)], COFFEE, BAG)

    coffee, bag = result.lines
    assert result.small_value_exemption is True
    assert coffee.exempt and coffee.customs_duty_jpy == coffee.consumption_tax_jpy == 0
    assert not bag.exempt
    # Bag: 6,000 × 10 % = 600; tax base 6,600 → 6,000 × 7.8 % = 468 → 400; local 400 × 22/78 = 112.
    assert (bag.customs_duty_jpy, bag.consumption_tax_jpy, bag.local_consumption_tax_jpy) == (600, 468, 112)
    assert (result.total.customs_duty_jpy, result.total.consumption_tax_jpy) == (600, 400)
    assert result.total.local_consumption_tax_jpy == 100


def test_the_exemption_stops_at_10001_yen():
    at_limit = compute([DutyLine("090121000", "US", 10_000)], COFFEE)
    over = compute([DutyLine("090121000", "US", 10_001)], COFFEE)

    assert at_limit.small_value_exemption and at_limit.total.total_jpy == 0
    assert not over.small_value_exemption
    # 10,000 × 12 % = 1,200; base 11,201 → 11,000 × 6.24 % = 686 → 600; 600 × 22/78 = 169 → 100.
    assert (over.total.customs_duty_jpy, over.total.consumption_tax_jpy) == (1_200, 600)
    assert over.total.local_consumption_tax_jpy == 100


def test_the_exemption_looks_at_the_total_of_all_lines():
    result = compute([DutyLine("090121000", "US", 6_000), DutyLine("090121000", "US", 6_000)], COFFEE)
    assert result.small_value_exemption is False
    assert result.total.customs_duty_jpy == 1_400  # 720 + 720 = 1,440 → 1,400


# Through the database ---------------------------------------------------------------------


@pytest.mark.django_db
def test_duty_estimate_reads_the_version_in_force_on_the_date(django_assert_num_queries):
    TariffLineFactory(
        hs_code="040620200",
        valid_from=dt.date(2024, 4, 1),
        valid_to=dt.date(2025, 3, 31),
        rates={"general": "35%", "wto": "26.3%", "epa:JP-EU": "14.8%"},
    )
    TariffLineFactory(
        hs_code="040620200",
        valid_from=dt.date(2025, 4, 1),
        rates={"general": "35%", "wto": "26.3%", "epa:JP-EU": "13.2%"},
    )
    line = DutyLine("040620200", "FR", 100_000, None, "JP-EU", "certificate")

    with django_assert_num_queries(2):
        before = duty_estimate(lines=[line] * 10, on=dt.date(2025, 3, 31))
    after = duty_estimate(lines=[line], on=dt.date(2025, 4, 1))

    assert before.lines[0].rate == "14.8%"
    assert after.lines[0].rate == "13.2%"


@pytest.mark.django_db
def test_duty_estimate_refuses_dates_before_the_tax_rules():
    with pytest.raises(ApplicationError, match="earliest date"):
        duty_estimate(lines=[DutyLine("090121000", "US", 1_000)], on=dt.date(2019, 9, 30))
