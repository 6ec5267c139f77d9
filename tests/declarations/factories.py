from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from customs_portal.models import CustomsOffice, Role
from declarations.models import Declaration, DeclarationLine
from tests.customs_portal.factories import CompanyFactory, UserFactory
from tests.tariff.factories import TariffLineFactory


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
