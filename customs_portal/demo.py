"""Demo data for `make run`: one login per role and two trader companies."""

from __future__ import annotations

import importlib
import importlib.util
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from customs_portal import aeo
from customs_portal.models import OFFICER_ROLES, AeoCertificate, Company, CustomsOffice, Notification, Role, User
from customs_portal.notifications import notify_company


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    description: str


DEMO_COMPANIES = [
    {
        "corporate_number": "2010401000001",
        "name": "さくら通関株式会社",
        "name_en": "Sakura Customs Brokers Co., Ltd.",
        "kind": Company.Kind.CUSTOMS_BROKER,
        "contact_email": "customs@sakura-broker.example",
    },
    {
        "corporate_number": "3011001000002",
        "name": "富士トレーディング株式会社",
        "name_en": "Fuji Trading Co., Ltd.",
        "kind": Company.Kind.IMPORTER_EXPORTER,
        "contact_email": "trade@fuji-trading.example",
    },
]

# Demo offices; the codes are the portal's own, not official office codes.
DEMO_OFFICES = [
    ("1A", "東京税関 本関", "Tokyo Customs Headquarters", 30),
    ("1B", "東京税関 成田航空貨物出張所", "Tokyo Customs Narita Air Cargo", 40),
    ("2A", "横浜税関 本関", "Yokohama Customs Headquarters", 30),
    ("4A", "大阪税関 本関", "Osaka Customs Headquarters", 25),
    ("4G", "大阪税関 関西空港税関支署", "Osaka Customs Kansai Airport", 35),
    ("5A", "神戸税関 本関", "Kobe Customs Headquarters", 25),
    ("3A", "名古屋税関 本関", "Nagoya Customs Headquarters", 25),
]

DEMO_USERS = [
    ("clearance", Role.CLEARANCE_OFFICER, "審査 花子", None, "clearance officer"),
    ("inspection", Role.INSPECTION_OFFICER, "検査 太郎", None, "inspection officer"),
    ("audit", Role.AUDIT_OFFICER, "調査 次郎", None, "post-clearance audit officer"),
    ("supervisor", Role.SUPERVISOR, "統括 一郎", None, "supervisor"),
    ("broker", Role.TRADER, "通関 三郎", "2010401000001", "trader: customs broker (Sakura)"),
    ("importer", Role.TRADER, "輸入 四郎", "3011001000002", "trader: importer/exporter (Fuji)"),
    ("admin", Role.ADMIN, "管理者", None, "administrator (Django admin)"),
]


@transaction.atomic
def seed_demo(*, password: str) -> list[DemoLogin]:
    """Creates what is missing and leaves what exists alone, so it can run every start."""
    offices = {}
    for code, name_ja, name_en, capacity in DEMO_OFFICES:
        offices[code], _ = CustomsOffice.objects.get_or_create(
            code=code, defaults={"name_ja": name_ja, "name_en": name_en, "daily_inspection_capacity": capacity}
        )
    companies = {}
    for data in DEMO_COMPANIES:
        companies[data["corporate_number"]], _ = Company.objects.get_or_create(
            corporate_number=data["corporate_number"], defaults=data
        )
    logins = []
    for username, role, full_name, corporate_number, description in DEMO_USERS:
        family, given = full_name.split(" ") if " " in full_name else (full_name, "")
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "company": companies.get(corporate_number),
                "office": offices["1A"] if role in OFFICER_ROLES else None,
                "last_name": family,
                "first_name": given,
                "email": f"{username}@portal.example",
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        logins.append(DemoLogin(username=username, role=role, description=description))
    _seed_aeo(company=companies["3011001000002"], supervisor=User.objects.get(username="supervisor"))
    for company in companies.values():
        if not Notification.objects.filter(company=company, event="portal.welcome").exists():
            notify_company(
                company=company,
                event="portal.welcome",
                code="portal.welcome",
            )
    return logins


def _seed_aeo(*, company: Company, supervisor: User) -> None:
    """Fuji Trading is an AEO importer: certified about a year ago, for five years."""
    if AeoCertificate.objects.filter(company=company).exists():
        return
    today = timezone.localdate()
    aeo.aeo_certificate_grant(
        company=company, kind=AeoCertificate.Kind.IMPORTER, certificate_number="AEO-IM-0001",
        valid_from=today - timedelta(days=365), valid_to=today + timedelta(days=4 * 365), granted_by=supervisor,
    )  # fmt: skip


# Each app seeds its own demo data, in this order.
APP_SEEDERS = [
    "inspection.demo",  # history and the first risk model, so demo declarations are scored
    "declarations.demo.declarations",
    "declarations.demo.export_control",
    "declarations.demo.applications",
    "declarations.demo.manifests",
    "declarations.demo.travellers",
    "xray.demo",  # a scanner, a first X-ray model (synthetic parcels) and parcels for the worker
    "payments.demo",
]


def seed_apps() -> list[tuple[str, float, list[str]]]:
    """Runs `seed()` of every app demo module that exists; each is idempotent and may
    return lines to print (a kiosk token, a sample MRZ)."""
    done = []
    for module_name in APP_SEEDERS:
        if importlib.util.find_spec(module_name.rpartition(".")[0]) is None:
            continue
        if importlib.util.find_spec(module_name) is None:
            continue
        started = time.monotonic()
        lines = importlib.import_module(module_name).seed() or []
        done.append((module_name, time.monotonic() - started, lines))
    return done
