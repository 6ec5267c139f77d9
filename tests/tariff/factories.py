from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from declarations.tariff import travellers
from declarations.tariff.models import ExchangeRate, TariffLine, TariffRate, TravellerRuleSet, TravellerSimplifiedRate
from declarations.tariff.rates import parse_rate, rate_to_json
from declarations.tariff.travellers import TravellerRules


class TariffLineFactory(factory.django.DjangoModelFactory):
    """A tariff line; `rates={"general": "14%", "epa:JP-EU": "free"}` adds its rates."""

    class Meta:
        model = TariffLine
        skip_postgeneration_save = True

    hs_code = factory.Sequence(lambda n: f"{990000000 + n:09d}")
    description_en = factory.Sequence(lambda n: f"Test goods {n}")
    description_ja = factory.Sequence(lambda n: f"試験用の物品{n}")
    unit = "KG"
    valid_from = dt.date(2024, 4, 1)

    @factory.post_generation
    def rates(self, create: bool, extracted: dict[str, str] | None, **kwargs) -> None:
        for column, expression in (extracted if extracted is not None else {"general": "5%"}).items():
            TariffRateFactory(tariff_line=self, column=column, expression=expression)


class TariffRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TariffRate

    class Params:
        column = "general"

    tariff_line = factory.SubFactory(TariffLineFactory)
    kind = factory.LazyAttribute(lambda rate: rate.column.partition(":")[0])
    agreement = factory.LazyAttribute(lambda rate: rate.column.partition(":")[2])
    expression = "5%"
    parsed = factory.LazyAttribute(lambda rate: rate_to_json(parse_rate(rate.expression)))


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    currency = "USD"
    week_start = dt.date(2026, 3, 1)
    rate_jpy = Decimal("150.25")


def traveller_rules_2021() -> TravellerRules:
    """The travellers' rules the seed migration stores (in force since 2021-10-01), for
    tests of the pure `traveller_compute`."""
    start = dt.date(2021, 10, 1)
    per = travellers.SimplifiedRate
    return TravellerRules(
        allowances=travellers.Allowances(
            valid_from=start,
            adult_age=20,
            child_age=6,
            alcohol_bottles=3,
            bottle_ml=760,
            cigarettes=200,
            cigars=50,
            heated_tobacco_packs=10,
            sticks_per_pack=20,
            other_tobacco_g=250,
            perfume_ml=56,
            other_goods_jpy=200_000,
            small_value_per_item_type_jpy=10_000,
        ),
        rates=travellers.SimplifiedRates(
            valid_from=start,
            taxable_ratio=Decimal("0.6"),
            article_limit_jpy=100_000,
            rates={
                "whisky_brandy": per(Decimal(800), "L"),
                "rum_gin_vodka": per(Decimal(500), "L"),
                "liqueur": per(Decimal(400), "L"),
                "shochu": per(Decimal(300), "L"),
                "other_alcohol": per(Decimal(200), "L"),
                "cigarettes": per(Decimal(15), "stick"),
                "heated_tobacco_sticks": per(Decimal(15), "stick"),
                "heated_tobacco_capsules": per(Decimal(50), "pack"),
                "other": per(Decimal(15), "%"),
            },
        ),
    )


def traveller_rule_set_from(rules: TravellerRules, **fields) -> TravellerRuleSet:
    """Stores `rules` as a rule set, as a supervisor would."""
    rule_set = TravellerRuleSet.objects.create(
        valid_from=rules.valid_from,
        taxable_ratio=rules.rates.taxable_ratio,
        article_limit_jpy=rules.rates.article_limit_jpy,
        **{name: getattr(rules.allowances, name) for name in travellers.TRAVELLER_ALLOWANCE_FIELDS},
        **fields,
    )
    TravellerSimplifiedRate.objects.bulk_create(
        TravellerSimplifiedRate(rule_set=rule_set, category=category, amount=rate.amount, unit=rate.unit)
        for category, rate in rules.rates.rates.items()
    )
    return rule_set
