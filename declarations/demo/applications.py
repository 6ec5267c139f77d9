"""Demo data of digitised applications: a few duty-relief and IP-suspension applications
of the demo trader company, in several stages. Idempotent: running it again changes
nothing."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from customs_portal.models import Company, Role, User
from declarations.applications import services as applications
from declarations.applications.models import DutyReliefApplication, IpSuspensionApplication

DEMO_TRADER = "importer"
DEMO_OFFICER = "clearance"
# A tiny valid PDF, so the demo suspension application can carry its evidence.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed() -> None:
    trader = User.objects.filter(username=DEMO_TRADER, role=Role.TRADER, company__isnull=False).first()
    officer = User.objects.filter(username=DEMO_OFFICER, role=Role.CLEARANCE_OFFICER).first()
    if trader is None or officer is None:
        return  # the portal's demo users are not there
    _seed_applications(trader=trader, officer=officer)


@transaction.atomic
def _seed_applications(*, trader: User, officer: User) -> None:
    company: Company = trader.company
    if DutyReliefApplication.objects.filter(company=company).exists():
        return
    relief = applications.application_create(
        kind="relief",
        applicant=trader,
        data={
            "provision": DutyReliefApplication.Provision.RE_EXPORT,
            "goods_description": "展示会用の工作機械 1台 (Machine tool for a trade fair, to be re-exported)",
            "declaration": None,
            "amount_claimed_jpy": 480_000,
            "reason": "Exhibited at the Tokyo International Machine Tool Fair and re-exported within one year.",
        },
    )
    applications.application_submit(application=relief, submitted_by=trader)
    applications.application_review_start(application=relief, officer=officer)
    applications.application_decide(
        application=relief,
        officer=officer,
        approve=True,
        reason="Re-export within one year confirmed by the fair's contract; security lodged.",
    )
    applications.application_create(
        kind="relief",
        applicant=trader,
        data={
            "provision": DutyReliefApplication.Provision.SPECIFIC_USE,
            "goods_description": "研究用の試薬 (reagents for university research)",
            "declaration": None,
            "amount_claimed_jpy": 36_000,
            "reason": "Imported by a university for research use only.",
        },
    )
    if IpSuspensionApplication.objects.filter(company=company).exists():
        return
    ip = applications.application_create(
        kind="ip",
        applicant=trader,
        data={
            "right_holder": company.name,
            "right_type": IpSuspensionApplication.RightType.TRADEMARK,
            "registration_number": "第5123456号",
            "goods_description": "Handbags and wallets bearing the FUJI mark",
            "identification": "Genuine goods carry a serial-numbered hologram tag inside the lining.",
            "valid_from": date(2026, 4, 1),
            "valid_until": date(2028, 3, 31),
        },
    )
    applications.ip_evidence_add(
        application=ip,
        file=SimpleUploadedFile("trademark-registration.pdf", DEMO_PDF, content_type="application/pdf"),
        uploaded_by=trader,
    )
    applications.application_submit(application=ip, submitted_by=trader)
