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


Status = Declaration.Status
# The way a draft takes through the state machine to each status a test may need.
ROUTES = {
    Status.SUBMITTED: [Status.SUBMITTED],
    Status.SCREENING: [Status.SUBMITTED, Status.SCREENING],
    Status.DOCUMENT_REVIEW: [Status.SUBMITTED, Status.SCREENING, Status.DOCUMENT_REVIEW],
    Status.INSPECTION: [Status.SUBMITTED, Status.SCREENING, Status.INSPECTION],
    Status.AWAITING_PAYMENT: [Status.SUBMITTED, Status.SCREENING, Status.AWAITING_PAYMENT],
    Status.PERMITTED: [Status.SUBMITTED, Status.SCREENING, Status.PERMITTED],
}


def declaration_moved_to(declaration: Declaration, status: str) -> Declaration:
    """Moves a draft to `status` through the workflow's own transitions: its declarant
    submits it and the screening system takes it on, with the status changes and the
    audit records that go with each step (the trader is not notified)."""
    from declarations.core import workflow

    for step in ROUTES[status]:
        actor = declaration.declarant if step == Status.SUBMITTED else None
        workflow.declaration_transition(declaration=declaration, to=step, actor=actor, system="test", notify=False)
    declaration.refresh_from_db()
    return declaration
