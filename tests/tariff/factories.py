from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from declarations.tariff.models import ExchangeRate, TariffLine, TariffRate
from declarations.tariff.rates import parse_rate, rate_to_json


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
