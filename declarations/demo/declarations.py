"""Demo declarations for `manage.py seed_demo`: about fifteen declarations of the two demo
companies in every stage, made through the real services (create, submit, screening,
officer decisions, amendment, withdrawal), so the demo shows what the portal really does."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.pdfgen import canvas

from customs_portal.models import Company, CustomsOffice, User
from declarations.core.models import Declaration, DeclarationAttachment
from declarations.core.services import actions, amendments, attachments, decisions, drafts, submission
from declarations.tariff import interface as tariff

SAKURA = "2010401000001"
FUJI = "3011001000002"


def _line(hs_code: str, description: str, origin: str, quantity: str, unit: str, value: str, **extra: Any) -> dict:
    """One line; `net_weight_kg` (in `extra`) is the weight of goods not counted in kilograms."""
    return {
        "hs_code": hs_code, "description": description, "origin_country": origin, "quantity": quantity,
        "unit": unit, "net_weight_kg": quantity if unit == "KG" else "10", "invoice_value": value, **extra,
    }  # fmt: skip


EPA_PROOF = {"preference": "epa", "origin_proof": "exporter_declaration"}

# (company, office, currency, incoterm, lines, what happens after creation)
PLAN: list[tuple[str, str, str, str, list[dict], str]] = [
    (
        FUJI,
        "1A",
        "JPY",
        "CIF",
        [_line("847130000", "Laptop computers", "CN", "20", "NO", "900000", net_weight_kg="40")],
        "clear",
    ),
    (
        FUJI,
        "1A",
        "EUR",
        "FOB",
        [
            _line(
                "220421020",
                "Bordeaux red wine, 750 ml",
                "FR",
                "600",
                "L",
                "4800",
                net_weight_kg="780",
                epa_agreement="JP-EU",
                origin_proof_reference="FR-EXP-2026-118",
                **EPA_PROOF,
            )
        ],
        "clear",
    ),
    (FUJI, "1B", "USD", "CIF", [_line("090121000", "Roasted coffee beans", "US", "500", "KG", "6200")], "screen"),
    (FUJI, "1B", "JPY", "CIF", [_line("150920000", "Extra virgin olive oil", "IT", "300", "KG", "420000")], "screen"),
    (
        FUJI,
        "4A",
        "EUR",
        "CIF",
        [
            _line(
                "040630000",
                "Processed cheese",
                "NL",
                "800",
                "KG",
                "5600",
                epa_agreement="JP-EU",
                origin_proof_reference="NL-REX-55",
                **EPA_PROOF,
            )
        ],
        "review",
    ),
    (
        FUJI,
        "1A",
        "JPY",
        "CIF",
        [_line("420221200", "Leather handbags", "IT", "40", "NO", "1600000", net_weight_kg="40")],
        "inspect",
    ),
    (
        FUJI,
        "1A",
        "JPY",
        "CIF",
        [
            _line(
                "620120200",
                "Wool overcoats",
                "GB",
                "60",
                "NO",
                "780000",
                net_weight_kg="90",
                preference="epa",
                epa_agreement="JP-UK",
                origin_proof="importer_declaration",
                origin_proof_reference="UK-IMP-9",
            )
        ],
        "amend",
    ),
    (
        FUJI,
        "1A",
        "JPY",
        "CIF",
        [_line("847130000", "Tablet computers", "VN", "10", "NO", "300000", net_weight_kg="6")],
        "withdraw",
    ),
    (FUJI, "1A", "JPY", "CIF", [_line("090121000", "Roasted coffee, samples", "BR", "5", "KG", "30000")], "draft"),
    (
        SAKURA,
        "1A",
        "USD",
        "CIF",
        [_line("847130000", "Notebook PCs", "TW", "50", "NO", "41000", net_weight_kg="100")],
        "clear",
    ),
    (
        SAKURA,
        "2A",
        "JPY",
        "CIF",
        [
            _line(
                "220421020",
                "Chilean wine",
                "CL",
                "900",
                "L",
                "540000",
                net_weight_kg="1170",
                epa_agreement="JP-CL",
                origin_proof_reference="CL-CO-77",
                **EPA_PROOF,
            )
        ],
        "review",
    ),
    (SAKURA, "1B", "JPY", "CIF", [_line("150920000", "Olive oil, organic", "ES", "120", "KG", "180000")], "screen"),
    (
        SAKURA,
        "1A",
        "JPY",
        "CIF",
        [
            _line(
                "040630000",
                "Processed cheese slices",
                "AU",
                "200",
                "KG",
                "250000",
                epa_agreement="CPTPP",
                origin_proof_reference="AU-CO-3",
                **EPA_PROOF,
            )
        ],
        "reject",
    ),
    (
        SAKURA,
        "4A",
        "JPY",
        "CIF",
        [_line("420221200", "Handbags, leather", "FR", "5", "NO", "9000", net_weight_kg="5")],
        "screen",
    ),
    (SAKURA, "1A", "USD", "FOB", [_line("090121000", "Coffee, roasted", "US", "100", "KG", "1500")], "draft"),
]


def _header(company: Company, office: str, currency: str, incoterm: str, day) -> dict:
    freight = "0" if incoterm == "CIF" else "350"
    return {
        "office": office, "party_name": company.name, "party_corporate_number": company.corporate_number,
        "consignee_name": "Overseas Supplier Ltd.", "consignee_country": "", "transport_mode": "sea",
        "vessel_or_flight": "ONE HARMONY 021E", "transport_document": "BL-DEMO", "invoice_number": "INV-DEMO",
        "invoice_currency": currency, "incoterm": incoterm, "freight": freight, "insurance": "0",
        "declaration_date": day,
    }  # fmt: skip


def seed() -> None:
    """Idempotent: does nothing once the demo companies have declarations."""
    tariff.tariff_seed_load()
    tariff.exchange_rates_seed_load()
    companies = {
        company.corporate_number: company for company in Company.objects.filter(corporate_number__in=[SAKURA, FUJI])
    }
    if len(companies) < 2 or Declaration.objects.filter(company__in=companies.values()).exists():
        return
    traders = {user.company.corporate_number: user for user in User.objects.filter(username__in=["broker", "importer"])}
    clearance = User.objects.filter(username="clearance").first()
    inspection = User.objects.filter(username="inspection").first()
    offices = set(CustomsOffice.objects.values_list("code", flat=True))
    today = timezone.localdate()
    for index, (number, office, currency, incoterm, lines, plan) in enumerate(PLAN):
        trader = traders.get(number)
        if trader is None or office not in offices:
            continue
        day = today - timedelta(days=len(PLAN) - index)
        declaration = drafts.declaration_draft_create(
            company=companies[number], declarant=trader, kind="import",
            data=_header(companies[number], office, currency, incoterm, day), lines=lines,
        )  # fmt: skip
        if plan == "draft":
            continue
        if plan == "withdraw":
            submission.declaration_withdraw(declaration=declaration, withdrawn_by=trader, reason="Order cancelled")
            continue
        _documents_attach(declaration, trader=trader, lines=lines)
        submission.declaration_submit(declaration=declaration, submitted_by=trader)
        submission.declaration_screen(declaration_id=declaration.pk)
        declaration.refresh_from_db()
        _after_screening(declaration, plan, trader=trader, clearance=clearance, inspection=inspection, lines=lines)


def _documents_attach(declaration: Declaration, *, trader: User, lines: list[dict]) -> None:
    """The invoice every submission needs, and the origin document of a preference claim."""
    kinds = [DeclarationAttachment.Kind.INVOICE]
    if any(line.get("preference") for line in lines):
        kinds.append(DeclarationAttachment.Kind.ORIGIN_DOCUMENT)
    for kind in kinds:
        buffer = BytesIO()
        page = canvas.Canvas(buffer)
        page.drawString(50, 800, f"{declaration.number}: {kind} (demo)")
        page.save()
        attachments.declaration_attachment_add(
            declaration=declaration,
            uploaded_by=trader,
            kind=kind,
            file=SimpleUploadedFile(f"{kind}.pdf", buffer.getvalue(), content_type="application/pdf"),
        )


def _after_screening(declaration: Declaration, plan: str, *, trader, clearance, inspection, lines) -> None:
    Status = Declaration.Status
    officer = clearance if declaration.status == Status.DOCUMENT_REVIEW else inspection
    deciding = declaration.status in (Status.DOCUMENT_REVIEW, Status.INSPECTION) and officer is not None
    if plan == "clear" and deciding:
        decisions.declaration_decide(
            declaration=declaration, officer=officer, decision="clear", reason="Documents consistent with the invoice."
        )
    elif plan == "reject" and deciding:
        decisions.declaration_decide(
            declaration=declaration, officer=officer, decision="reject",
            reason="The certificate of origin does not match the exporter on the invoice.",
        )  # fmt: skip
    elif plan == "inspect" and declaration.status == Status.DOCUMENT_REVIEW and clearance is not None:
        decisions.declaration_decide(
            declaration=declaration, officer=clearance, decision="escalate", reason="Value low for the brand declared."
        )
    elif plan == "amend" and declaration.status in actions.AMENDABLE:
        header = {name: getattr(declaration, name) for name in drafts.HEADER_FIELDS}
        amended = [line | {"invoice_value": "820000"} for line in lines]
        amendments.declaration_amend(
            declaration=declaration, amended_by=trader, data=header, lines=amended,
            reason="Invoice corrected by the seller (freight was left out).",
        )  # fmt: skip
