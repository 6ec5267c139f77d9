"""Demo data of bulk manifests: the demo customs broker's manifest of 200 express
parcels (imported) and a second one with bad rows (rejected, every row reported).
Idempotent: the files are the same bytes every time, so a second run finds them
already uploaded and imports nothing again. Needs the seed tariff."""

from __future__ import annotations

import csv
import io

from customs_portal.models import CustomsOffice, User
from declarations.manifests import services as manifests
from declarations.manifests.models import Manifest

DEMO_TRADER = "broker"
DEMO_OFFICE = "1B"  # Narita air cargo: where express consignments arrive
HEADER = [
    "house_waybill",
    "consignee",
    "description",
    "hs_code",
    "value",
    "currency",
    "weight_kg",
    "origin",
    "quantity",
]
# code, description, typical yen per unit, kg per unit, most units in one parcel.
GOODS = [
    ("610910000", "Cotton T-shirt / 綿製Tシャツ", 2_500, 0.25, 6),
    ("851713000", "Smartphone / スマートフォン", 80_000, 0.4, 1),
    ("640399000", "Leather shoes / 革靴", 14_000, 1.2, 2),  # a specific rate per pair: the row gives the quantity
    ("620342000", "Cotton trousers / 綿製ズボン", 5_000, 0.6, 3),
]
CONSIGNEES = ["山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲", "Tanaka Ken"]
ORIGINS = ["CN", "US", "VN", "IT", "KR"]
UNDERVALUED_EVERY = 40  # one parcel in forty is declared at a quarter of its value


def _csv(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def _good_rows() -> list[list[object]]:
    """Parcels priced as their goods sell (±30 %), so some fall under the ¥10,000
    exemption and most are taxed; a few are undervalued, for the risk model to find."""
    rows = []
    for n in range(200):
        code, description, unit_price, kg_per_unit, most_units = GOODS[n % len(GOODS)]
        units = 1 + (n * 7) % most_units
        value = round(units * unit_price * (0.7 + (n * 7919) % 61 / 100), -2)
        if n % UNDERVALUED_EVERY == UNDERVALUED_EVERY // 2:
            value = round(value / 4, -2)
        weight = f"{units * kg_per_unit * (1 + n % 5 * 0.05):.2f}"
        quantity = str(units) if code == "640399000" else ""
        rows.append(
            [
                f"DEMO{n:06d}JP",
                CONSIGNEES[n % 5],
                description,
                code,
                int(value),
                "JPY",
                weight,
                ORIGINS[n % 5],
                quantity,
            ]
        )
    return rows


def _bad_rows() -> list[list[object]]:
    return [
        ["DEMOBAD001", "山田 太郎", "Cotton T-shirt", "610910000", "4500", "JPY", "0.3", "CN", ""],
        ["DEMOBAD002", "佐藤 花子", "Unknown goods", "999999999", "4500", "JPY", "0.3", "CN", ""],
        ["DEMOBAD003", "鈴木 一郎", "Laptop", "610910000", "350000", "JPY", "2.1", "US", ""],
        ["DEMOBAD004", "", "Shoes", "640399000", "-10", "JPY", "0", "ZZ", "1"],
        ["DEMOBAD001", "高橋 美咲", "Cotton T-shirt", "610910000", "4500", "JPY", "0.3", "CN", ""],
    ]


def seed() -> None:
    user = User.objects.filter(username=DEMO_TRADER).select_related("company").first()
    office = CustomsOffice.objects.filter(code=DEMO_OFFICE).first() or CustomsOffice.objects.first()
    if user is None or user.company is None or office is None:
        return
    for name, data in (("demo-parcels.csv", _csv(_good_rows())), ("demo-parcels-with-errors.csv", _csv(_bad_rows()))):
        result = manifests.manifest_upload(
            company=user.company, uploaded_by=user, office=office, data=data, file_name=name
        )
        if result.manifest.status == Manifest.Status.UPLOADED:
            # Processed here so the demo does not depend on a running worker; the task
            # queued by the upload then finds the manifest claimed and does nothing.
            manifests.manifest_process(manifest_id=result.manifest.pk)
