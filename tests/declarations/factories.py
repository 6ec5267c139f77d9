from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.core.files.base import ContentFile

from customs_portal.models import CustomsOffice, Role
from declarations.models import Declaration, DeclarationAttachment, DeclarationLine
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


# The smallest PDF: stored as an attachment, never parsed by these tests.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class DeclarationAttachmentFactory(factory.django.DjangoModelFactory):
    """An invoice PDF attached to a declaration (stored as is, without the upload checks)."""

    class Meta:
        model = DeclarationAttachment

    declaration = factory.SubFactory(DeclarationFactory)
    kind = DeclarationAttachment.Kind.INVOICE
    file = factory.LazyFunction(lambda: ContentFile(PDF, name="invoice.pdf"))
    original_name = "invoice.pdf"
    content_type = "application/pdf"
    size = len(PDF)
    sha256 = "0" * 64
    uploaded_by = factory.SelfAttribute("declaration.declarant")


def documents_attach(declaration: Declaration, *kinds: str) -> Declaration:
    """Attaches the documents a submission needs: an invoice, and the given other kinds
    (e.g. DeclarationAttachment.Kind.ORIGIN_DOCUMENT for a preference claim)."""
    for kind in (DeclarationAttachment.Kind.INVOICE, *kinds):
        DeclarationAttachmentFactory(declaration=declaration, kind=kind)
    return declaration


def documents_complete(declaration: Declaration) -> Declaration:
    """Attaches what a submission still lacks: the invoice, and the origin document when a
    line claims a preference."""
    kinds = set(declaration.attachments.values_list("kind", flat=True))
    needed = [DeclarationAttachment.Kind.INVOICE]
    if declaration.lines.exclude(preference="").exists():
        needed.append(DeclarationAttachment.Kind.ORIGIN_DOCUMENT)
    for kind in needed:
        if kind not in kinds:
            DeclarationAttachmentFactory(declaration=declaration, kind=kind)
    return declaration
