"""Bulk manifest benchmark: a 100,000-row parcel manifest validated and imported.

    .venv/bin/python bench/manifest_import.py [--rows 100000] [--keep]

Target: under 60 s for 100,000 rows.

1. Creates a throwaway PostgreSQL database `customs_portal_bench_manifest` (on the
   server of BENCH_DATABASE_SERVER, default postgres://postgres@127.0.0.1:5432) and
   migrates it.
2. Loads the seed tariff (`tariff_seed_load`) and this week's exchange rates.
3. Generates a manifest CSV of realistic parcels (seed tariff codes whose rates are ad
   valorem, values of ¥1,000 to ¥150,000 in JPY/USD/EUR/CNY/KRW, weights, origins,
   Japanese and English consignees), stores it with `manifest_upload` and times
   `manifest_process`, the service the Celery task calls (validation of every row, the
   duty engine per parcel, and the bulk import in one transaction).
4. Prints rows/s and seconds per phase, then drops the database unless --keep.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "customs_portal_bench_manifest"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432").rstrip("/")
os.environ["DJANGO_SETTINGS_MODULE"] = "customs_portal.settings.test"
os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"

ORIGINS = ["CN", "US", "KR", "FR", "DE", "GB", "VN", "TH", "IT", "TW", "HK", "AU"]
CURRENCIES = {"JPY": Decimal(1), "USD": Decimal("150.10"), "EUR": Decimal("163.20"), "CNY": Decimal("20.80")}
GOODS = ["Cotton T-shirt", "Smartphone case", "Cosmetics", "Sneakers", "Toy figure", "Headphones", "Tea", "Book"]
FAMILY = ["山田", "佐藤", "鈴木", "高橋", "田中", "Smith", "Tanaka", "Lee"]
GIVEN = ["太郎", "花子", "一郎", "美咲", "Taro", "Hanako", "Ken", "Yui"]


def recreate_database(*, drop_only: bool = False) -> None:
    from bench.throwaway import recreate_database as recreate

    recreate(server=SERVER, name=DB_NAME, drop_only=drop_only)


def ad_valorem_codes(on) -> list[str]:
    """Seed tariff codes a parcel can carry without a quantity in a unit other than kg:
    lines whose general and WTO rates are ad valorem or free, or whose unit is KG."""
    from declarations.tariff import selectors
    from declarations.tariff.models import TariffLine

    codes = set(TariffLine.objects.values_list("hs_code", flat=True))
    terms = selectors.tariff_terms_for_codes(hs_codes=codes, on=on)
    usable = []
    for code, term in terms.items():
        texts = [str(rate) for rate in term.rates.values()]
        if term.unit == "KG" or all("JPY/" not in text for text in texts):
            usable.append(code)
    return sorted(usable)


def manifest_csv(rows: int, codes: list[str], rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["house_waybill", "consignee", "description", "hs_code", "value", "currency", "weight_kg", "origin"]
    )
    for n in range(rows):
        currency = rng.choice(list(CURRENCIES))
        value_jpy = Decimal(rng.randint(1_000, 150_000))
        value = (value_jpy / CURRENCIES[currency]).quantize(Decimal("0.01"))
        writer.writerow(
            [
                f"EX{n:09d}JP",
                f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
                rng.choice(GOODS),
                rng.choice(codes),
                value,
                currency,
                f"{rng.uniform(0.1, 20):.3f}",
                rng.choice(ORIGINS),
            ]
        )
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    recreate_database()
    import django

    django.setup()
    import logging

    # The service logs how long validation and the import took.
    logging.basicConfig(level=logging.WARNING, format="  %(message)s")
    logging.getLogger("declarations.manifests").setLevel(logging.INFO)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from customs_portal.models import Company, CustomsOffice, Role, User
    from declarations.manifests import services as manifests
    from declarations.models import Declaration, Manifest
    from declarations.tariff.models import ExchangeRate, week_start_of
    from declarations.tariff.services import tariff_seed_load

    try:
        call_command("migrate", verbosity=0)
        tariff_seed_load()
        today = timezone.localdate()
        for currency, rate in CURRENCIES.items():
            if currency != "JPY":
                ExchangeRate.objects.update_or_create(
                    currency=currency, week_start=week_start_of(today), defaults={"rate_jpy": rate}
                )
        company, _created = Company.objects.get_or_create(
            corporate_number="2010401000001", defaults={"name": "Bench Express", "kind": Company.Kind.CUSTOMS_BROKER}
        )
        user, _created = User.objects.get_or_create(
            username="bench-carrier", defaults={"role": Role.TRADER, "company": company}
        )
        office, _created = CustomsOffice.objects.get_or_create(
            code="1A", defaults={"name_ja": "東京税関", "name_en": "Tokyo Customs"}
        )
        rng = random.Random(6)  # noqa: S311  (synthetic benchmark data; it guards nothing)
        data = manifest_csv(args.rows, ad_valorem_codes(today), rng)

        started = time.perf_counter()
        result = manifests.manifest_upload(
            company=company, uploaded_by=user, office=office, data=data, file_name="bench-manifest.csv"
        )
        upload_seconds = time.perf_counter() - started
        started = time.perf_counter()
        outcome = manifests.manifest_process(manifest_id=result.manifest.pk)
        process_seconds = time.perf_counter() - started
        manifest = Manifest.objects.get(pk=result.manifest.pk)
        created = Declaration.objects.filter(source=Declaration.Source.MANIFEST).count()
        taxed = Declaration.objects.filter(source=Declaration.Source.MANIFEST, total_tax_jpy__gt=0).count()
    finally:
        connection.close()
        if not args.keep:
            recreate_database(drop_only=True)

    if outcome != "done":
        raise SystemExit(f"The manifest was {outcome}: {manifest.failure} ({manifest.rows_failed} bad rows)")
    print(f"manifest: {args.rows} rows, {len(data) / 1024 / 1024:.1f} MB")
    print(f"  upload (checks, sha256, store): {upload_seconds:.2f} s")
    print(f"  validate + import: {process_seconds:.1f} s  ({args.rows / process_seconds:,.0f} rows/s)")
    print(f"  total: {upload_seconds + process_seconds:.1f} s; {created} declarations created, {taxed} owing tax")
    print("  target: under 60 s for 100,000 rows")


if __name__ == "__main__":
    main()
