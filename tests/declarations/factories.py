from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from customs_portal.models import CustomsOffice, Role
from declarations.models import Declaration, DeclarationLine
from declarations.tariff.models import ExchangeRate, TariffLine, TariffRate
from declarations.tariff.rates import parse_rate, rate_to_json
from tests.customs_portal.factories import CompanyFactory, UserFactory


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


class CustomsOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomsOffice
        django_get_or_create = ["code"]

    code = "1A"
    name_ja = "東京税関"
    name_en = "Tokyo Customs"
    daily_inspection_capacity = 20


class DeclarationFactory(factory.django.DjangoModelFactory):
    """A draft import declaration in yen with no lines; add lines with DeclarationLineFactory."""

    class Meta:
        model = Declaration

    number = factory.Sequence(lambda n: f"IM-TEST-{n:06d}")
    kind = Declaration.Kind.IMPORT
    company = factory.SubFactory(CompanyFactory)
    declarant = factory.SubFactory(UserFactory, role=Role.TRADER, company=factory.SelfAttribute("..company"))
    party_name = factory.LazyAttribute(lambda d: d.company.name)
    party_corporate_number = factory.LazyAttribute(lambda d: d.company.corporate_number)
    office = factory.SubFactory(CustomsOfficeFactory)
    transport_mode = Declaration.TransportMode.SEA
    invoice_currency = "JPY"
    incoterm = Declaration.Incoterm.CIF
    declaration_date = dt.date(2026, 3, 3)


class DeclarationLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeclarationLine

    declaration = factory.SubFactory(DeclarationFactory)
    line_no = factory.Sequence(lambda n: n + 1)
    hs_code = factory.LazyFunction(lambda: TariffLineFactory(rates={"general": "10%", "wto": "5%"}).hs_code)
    description = "Test goods"
    origin_country = "US"
    quantity = Decimal("10")
    unit = "KG"
    net_weight_kg = Decimal("10")
    invoice_value = Decimal("200000")
