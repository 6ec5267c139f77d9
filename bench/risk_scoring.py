"""Risk scoring benchmark.

    .venv/bin/python bench/risk_scoring.py [--declarations 100000] [--keep]

Targets: the model step scores at least 20,000 declarations/s in batch,
100,000 open declarations are rescored end to end (read from PostgreSQL, features,
predict, write the scores back) in under 60 s, and a submitted declaration's score is
visible within 2 s with a worker running (needs Redis: CELERY_BROKER_URL).

1. Generates 200,000 synthetic history rows, trains the predictor on the first 150,000
   and times the model step (both objectives, on precomputed features) and the feature
   pipeline on the other 50,000 rows.
2. Creates a throwaway PostgreSQL database `customs_portal_bench_risk` (server from
   BENCH_DATABASE_SERVER, default postgres://postgres@127.0.0.1:5432), loads 20,000 rows
   of history, trains and promotes a model through `risk_model_train`, inserts the open
   declarations (one line each) and times `risk_rescore_open`, the service behind the
   batch task.
3. Starts a Celery worker on the `ml` queue and times, for --latency declarations, the
   submission (on commit, the screening task) until the score is stored. Drops the
   database unless --keep.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "customs_portal_bench_risk"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432").rstrip("/")
os.environ["DJANGO_SETTINGS_MODULE"] = "customs_portal.settings.test"
os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
os.environ.setdefault("ML_ARTEFACT_ROOT", str(ROOT / "var" / "bench-ml"))


def recreate_database(*, drop_only: bool = False) -> None:
    from bench.throwaway import recreate_database as recreate

    recreate(server=SERVER, name=DB_NAME, drop_only=drop_only)


def model_step() -> None:
    import pandas as pd

    from inspection import ml, synthetic

    frame = synthetic.generate_history(rows=200_000, seed=11)
    train, test = frame.iloc[:150_000].reset_index(drop=True), frame.iloc[150_000:].reset_index(drop=True)
    started = time.perf_counter()
    predictor = ml.train_predictor(train)
    print(f"training on {len(train):,} rows: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    features, _context = ml.build_features(test, predictor.reference)
    feature_seconds = time.perf_counter() - started
    predictor.score_features(features.iloc[:1000])  # warm-up
    started = time.perf_counter()
    predictor.score_features(features)
    model_seconds = time.perf_counter() - started
    print(
        f"model step (both objectives): {len(test) / model_seconds:,.0f} declarations/s ({len(test):,} in {model_seconds:.2f} s)"
    )
    print(f"feature pipeline: {len(test) / feature_seconds:,.0f} declarations/s; features + model: "
          f"{len(test) / (feature_seconds + model_seconds):,.0f} declarations/s")  # fmt: skip
    del pd


def end_to_end(count: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import datetime as dt
    from decimal import Decimal

    import numpy as np

    from customs_portal.models import Company, CustomsOffice, Role, User
    from declarations.models import Declaration, DeclarationLine
    from inspection import services, synthetic
    from inspection.models import HistoricalDeclaration, RiskScore

    history = synthetic.generate_history(rows=20_000, seed=5, start=dt.date(2024, 1, 1), days=700)
    services.history_import(frame=history, source=HistoricalDeclaration.Source.SYNTHETIC)
    started = time.perf_counter()
    version = services.risk_model_train(system="bench")
    print(
        f"risk_model_train on 20,000 history rows: {time.perf_counter() - started:.1f} s ({version.label}, {version.status})"
    )

    company = Company.objects.create(name="Bench importer", corporate_number="9999999999999")
    user = User.objects.create(username="bench-trader", role=Role.TRADER, company=company)
    office = CustomsOffice.objects.get_or_create(code="1A", defaults={"name_ja": "東京", "name_en": "Tokyo"})[0]
    rng = np.random.default_rng(0)
    codes = [line[0] for line in synthetic.TARIFF_LINES]
    started = time.perf_counter()
    declarations = Declaration.objects.bulk_create(
        [
            Declaration(
                number=f"BENCH-{i:07d}",
                kind="import",
                company=company,
                declarant=user,
                party_name=company.name,
                party_corporate_number=f"{rng.integers(0, 300):013d}",
                office=office,
                transport_mode="sea",
                declaration_date=dt.date(2026, 1, 5),
                status=Declaration.Status.DOCUMENT_REVIEW,
                lane="yellow",
                customs_value_jpy=0,
                customs_duty_jpy=0,
                consumption_tax_jpy=0,
                local_consumption_tax_jpy=0,
            )  # fmt: skip
            for i in range(count)
        ],
        batch_size=5000,
    )
    lines = []
    for declaration in declarations:
        value = int(rng.lognormal(12, 1))
        lines.append(
            DeclarationLine(
                declaration=declaration,
                line_no=1,
                hs_code=codes[rng.integers(0, len(codes))],
                description="goods",
                origin_country=synthetic.ORIGINS[rng.integers(0, 8)],
                quantity=Decimal(int(rng.integers(1, 500))),
                unit="NO",
                net_weight_kg=Decimal(int(rng.integers(1, 2000))),
                invoice_value=Decimal(value),
                customs_value_jpy=value,
                customs_duty_jpy=int(value * 0.05),
            )  # fmt: skip
        )
    DeclarationLine.objects.bulk_create(lines, batch_size=5000)
    print(f"inserted {count:,} open declarations: {time.perf_counter() - started:.1f} s")
    RiskScore.objects.all().delete()  # the promotion's task did not run here; start from none
    started = time.perf_counter()
    written = services.risk_rescore_open(model_version=version)
    seconds = time.perf_counter() - started
    print(f"end-to-end rescoring: {written:,} declarations in {seconds:.1f} s ({written / seconds:,.0f}/s)")


def latency(samples: int) -> None:
    """Submission to stored score with a real worker on the `ml` queue (model already loaded
    by a warm-up declaration, as in a running worker)."""
    import datetime as dt
    import statistics
    import subprocess
    from decimal import Decimal

    from django.conf import settings
    from django.db import connection

    from customs_portal.celery import app
    from customs_portal.models import Company, CustomsOffice, Role, User
    from declarations.core.services.submission import declaration_submit
    from declarations.models import Declaration, DeclarationLine
    from declarations.tariff.models import TariffLine, TariffRate
    from declarations.tariff.rates import parse_rate, rate_to_json
    from inspection.models import RiskScore

    line = TariffLine.objects.create(
        hs_code="610910000",
        description_en="T-shirts",
        description_ja="Tシャツ",
        unit="NO",
        valid_from=dt.date(2024, 1, 1),
    )
    TariffRate.objects.create(
        tariff_line=line, kind="general", expression="10.9%", parsed=rate_to_json(parse_rate("10.9%"))
    )
    company = Company.objects.create(name="Latency importer", corporate_number="8888888888888")
    user = User.objects.create(username="latency-trader", role=Role.TRADER, company=company)
    office = CustomsOffice.objects.get(code="1A")
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{DB_NAME}", "CELERY_BROKER_URL": settings.CELERY_BROKER_URL}
    app.control.purge()
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "customs_portal", "worker", "-Q", "ml", "--concurrency=1", "--loglevel=WARNING"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        timings = []
        for i in range(samples + 1):
            declaration = Declaration.objects.create(
                number=f"LAT-{i:05d}", kind="import", company=company, declarant=user, party_name=company.name,
                office=office, transport_mode="sea", declaration_date=dt.date(2026, 1, 5),
            )  # fmt: skip
            DeclarationLine.objects.create(
                declaration=declaration, line_no=1, hs_code="610910000", description="cotton knitted t-shirts",
                origin_country="CN", quantity=Decimal(100), unit="NO", net_weight_kg=Decimal(20), invoice_value=Decimal(200000),
            )  # fmt: skip
            started = time.perf_counter()
            declaration_submit(declaration=declaration, submitted_by=user)
            deadline = started + (120 if i == 0 else 30)
            while not RiskScore.objects.filter(declaration=declaration).exists():
                if time.perf_counter() > deadline:
                    raise SystemExit(f"no score for {declaration.number} within the deadline")
                time.sleep(0.02)
            if i:  # the first one starts the worker and loads the model
                timings.append(time.perf_counter() - started)
        timings.sort()
        print(
            f"submission to score visible ({samples} declarations, worker warm): median "
            f"{statistics.median(timings) * 1000:.0f} ms, max {timings[-1] * 1000:.0f} ms"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--declarations", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--skip-model-step", action="store_true")
    parser.add_argument("--latency", type=int, default=20, help="declarations timed through a real worker (0: skip)")
    options = parser.parse_args()
    if not options.skip_model_step:
        model_step()
    recreate_database()
    try:
        end_to_end(options.declarations)
        if options.latency:
            latency(options.latency)
    finally:
        if not options.keep:
            from django.db import connections

            connections.close_all()
            recreate_database(drop_only=True)


if __name__ == "__main__":
    main()
