"""Duty estimate API benchmark: 10-line requests against a tariff of 10,000 lines.

    .venv/bin/python bench/duty_estimate.py [--requests 300] [--lines 10000] [--keep]

Target: median under 20 ms, p95 under 50 ms.

1. Creates a throwaway PostgreSQL database `customs_portal_bench` (on the server of
   BENCH_DATABASE_SERVER, default postgres://postgres@127.0.0.1:5432) and migrates it.
2. Generates the tariff lines as a CSV and imports them through `tariff_import`, the
   service behind `manage.py import_tariff` (its time is printed too).
3. Times POST /api/v1/duty-estimates/ through the real URL, middleware and view with
   DRF's APIClient (force_authenticate, so no login query), after a warm-up.
4. Prints median and p95 in milliseconds, then drops the database unless --keep.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "customs_portal_bench"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432").rstrip("/")
os.environ["DJANGO_SETTINGS_MODULE"] = "customs_portal.settings.test"
os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"

ORIGINS = ["US", "CN", "FR", "DE", "AU", "VN", "IN", "BD", "IR", "GB", "KR", "TH"]
EPA_COLUMNS = ["JP-EU", "JP-UK", "CPTPP", "RCEP"]
UNITS = ["KG", "L", "NO", "PR"]


def recreate_database(*, drop_only: bool = False) -> None:
    from bench.throwaway import recreate_database as recreate

    recreate(server=SERVER, name=DB_NAME, drop_only=drop_only)


def random_rate(rng: random.Random, unit: str) -> str:
    percent = f"{rng.choice([0, 2.5, 3.4, 5, 7.4, 9.1, 10, 12.5, 15, 20, 25.5, 38.5])}%"
    kind = rng.random()
    if kind < 0.15:
        return "free"
    if kind < 0.75:
        return percent
    specific = f"{rng.randint(10, 500)} JPY/{unit}"
    if kind < 0.85:
        return specific
    return (
        f"min({percent}, {specific})"
        if kind < 0.95
        else f"max(min({percent}, {specific}), {rng.randint(5, 90)} JPY/{unit})"
    )


def tariff_csv(count: int, rng: random.Random) -> tuple[bytes, list[tuple[str, str]]]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "hs_code", "description_en", "description_ja", "unit", "general", "wto", "gsp", "ldc",
            *(f"epa:{name}" for name in EPA_COLUMNS),
            "reduced_consumption_tax", "small_value_exclusion", "valid_from",
        ]
    )  # fmt: skip
    codes = rng.sample(range(10_000_000, 999_999_999), count)
    lines = []
    for n, code in enumerate(codes):
        unit = rng.choice(UNITS)
        hs_code = f"{code:09d}"
        lines.append((hs_code, unit))
        writer.writerow(
            [
                hs_code,
                f"Benchmark goods {n} of chapter {hs_code[:2]}",
                f"ベンチマーク用物品{n}",
                unit,
                random_rate(rng, unit),
                random_rate(rng, unit),
                random_rate(rng, unit) if rng.random() < 0.3 else "",
                "free" if rng.random() < 0.5 else "",
                *(random_rate(rng, unit) if rng.random() < 0.6 else "" for _ in EPA_COLUMNS),
                rng.random() < 0.2,
                rng.random() < 0.05,
                "2024-04-01",
            ]
        )
    return out.getvalue().encode(), lines


def request_body(rng: random.Random, lines: list[tuple[str, str]], size: int) -> dict:
    body = []
    for hs_code, _unit in rng.sample(lines, size):
        line = {
            "hs_code": hs_code,
            "origin": rng.choice(ORIGINS),
            "customs_value_jpy": rng.randint(5_000, 5_000_000),
            # Every line gets a quantity: a specific rate needs one, an ad valorem ignores it.
            "quantity": str(rng.randint(1, 500)),
        }
        body.append(line)
    return {"lines": body, "date": "2026-06-01"}


def check(response) -> None:
    if response.status_code != 200:
        raise SystemExit(f"The API answered {response.status_code}: {response.content[:500]!r}")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--lines", type=int, default=10_000, help="tariff lines to generate")
    parser.add_argument("--per-request", type=int, default=10, help="lines per request")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    recreate_database()
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    # What the test runner does: allow the test client's host "testserver".
    setup_test_environment()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from customs_portal.models import Company, Role, User
    from declarations.tariff.services import tariff_import

    try:
        call_command("migrate", verbosity=0)
        rng = random.Random(3)  # noqa: S311  (synthetic benchmark data; it guards nothing)
        data, lines = tariff_csv(args.lines, rng)
        started = time.perf_counter()
        result = tariff_import(data=data, file_name="bench-tariff.csv", system="bench")
        import_seconds = time.perf_counter() - started
        company, _created = Company.objects.get_or_create(
            corporate_number="2010401000001", defaults={"name": "Bench Trading", "kind": Company.Kind.IMPORTER_EXPORTER}
        )
        user, _created = User.objects.get_or_create(
            username="bench-trader", defaults={"role": Role.TRADER, "company": company}
        )
        client = APIClient()
        client.force_authenticate(user)
        bodies = [request_body(rng, lines, args.per_request) for _ in range(args.requests + 20)]

        for body in bodies[:20]:  # warm-up: imports, the country tables, the connection
            check(client.post("/api/v1/duty-estimates/", body, format="json"))
        with CaptureQueriesContext(connection) as captured:
            client.post("/api/v1/duty-estimates/", bodies[0], format="json")
        queries = len(captured)  # counted now: the log does not outlive the connection
        timings = []
        for body in bodies[20:]:
            started = time.perf_counter()
            response = client.post("/api/v1/duty-estimates/", body, format="json")
            timings.append((time.perf_counter() - started) * 1000)
            check(response)
    finally:
        connection.close()
        if not args.keep:
            recreate_database(drop_only=True)

    print(f"tariff: {result.created} lines imported in {import_seconds:.1f} s")
    print(f"duty estimate API: {args.requests} requests of {args.per_request} lines, {queries} queries each")
    print(
        f"  median {statistics.median(timings):.1f} ms   p95 {percentile(timings, 0.95):.1f} ms   max {max(timings):.1f} ms"
    )
    print("  target: median < 20 ms, p95 < 50 ms")


if __name__ == "__main__":
    main()
