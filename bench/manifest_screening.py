"""Manifest benchmark, upload to screened: a 100,000-parcel manifest through a real
Celery worker of two processes, against PostgreSQL and Redis.

    CELERY_BROKER_URL=redis://127.0.0.1:6379/4 .venv/bin/python bench/manifest_screening.py \
        [--rows 100000] [--database customs_portal_bench_screening] [--keep]

Target: every parcel screened (its lane, its risk score and, where duty is owed, its
assessment) in under 3 minutes from the upload, with worker memory under 1.5 GB.

1. Creates a throwaway PostgreSQL database (on BENCH_DATABASE_SERVER, default
   postgres://postgres@127.0.0.1:5432), migrates it, loads the seed tariff and this
   week's exchange rates, imports 20,000 rows of synthetic history and trains and
   promotes the risk model through `risk_model_train`, so parcels are screened by the
   model (not the fallback rule).
2. Starts `celery worker -Q celery,ml --concurrency=2` on that database and the broker
   of CELERY_BROKER_URL (purged first: use a Redis database of your own).
3. Uploads the manifest (`manifest_upload`, as the upload page does: the worker
   validates, imports and screens it) and polls every 0.25 s: the manifest's phase,
   and the resident memory (RSS) of the worker's processes, read from /proc.
4. Checks the result (no parcel left waiting, one score per parcel, one assessment per
   parcel awaiting payment, one summary notification) and prints rows, seconds per
   phase, parcels/s and peak RSS; drops the database unless --keep.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def process_tree(root: int) -> list[int]:
    """The pid and every descendant's (the prefork pool's children), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(parents.get(pid, []))
    return tree


def setup(rows: int) -> tuple[bytes, object, object, object]:
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from bench.manifest_import import CURRENCIES, ad_valorem_codes, manifest_csv
    from customs_portal.models import Company, CustomsOffice, Role, User
    from declarations.tariff.models import ExchangeRate, week_start_of
    from declarations.tariff.services import tariff_seed_load
    from inspection import services, synthetic
    from inspection.models import HistoricalDeclaration

    call_command("migrate", verbosity=0)
    tariff_seed_load()
    today = timezone.localdate()
    for currency, rate in CURRENCIES.items():
        if currency != "JPY":
            ExchangeRate.objects.update_or_create(
                currency=currency, week_start=week_start_of(today), defaults={"rate_jpy": Decimal(rate)}
            )
    history = synthetic.generate_history(rows=20_000, seed=5, start=today - dt.timedelta(days=700), days=690)
    services.history_import(frame=history, source=HistoricalDeclaration.Source.SYNTHETIC)
    started = time.perf_counter()
    version = services.risk_model_train(system="bench")
    print(f"risk model trained on 20,000 history rows in {time.perf_counter() - started:.1f} s ({version.label})")
    company = Company.objects.create(name="Bench Express", corporate_number="2010401000001", kind="customs_broker")
    user = User.objects.create(username="bench-carrier", role=Role.TRADER, company=company)
    office, _created = CustomsOffice.objects.get_or_create(
        code="1B", defaults={"name_ja": "成田空港", "name_en": "Narita Airport"}
    )
    rng = random.Random(6)  # noqa: S311  (synthetic benchmark data; it guards nothing)
    return manifest_csv(rows, ad_valorem_codes(today), rng), company, user, office


def start_worker(database_url: str, broker: str) -> subprocess.Popen:
    from customs_portal.celery import app

    app.control.purge()
    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": broker}
    worker = subprocess.Popen(  # noqa: S603  (our own interpreter, fixed arguments)
        [sys.executable, "-m", "celery", "-A", "customs_portal", "worker", "-Q", "celery,ml", "--pool=prefork",
         "--concurrency=2", "--loglevel=WARNING", "-n", f"bench-{os.getpid()}@%h"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if time.monotonic() > deadline or worker.poll() is not None:
            raise SystemExit("the worker did not start")
    return worker


def run(data: bytes, company, user, office, worker: subprocess.Popen, rows: int) -> dict[str, float]:
    from declarations.manifests import selectors
    from declarations.manifests import services as manifests
    from declarations.models import Manifest

    peak_total, peak_one, marks = 0, 0, {}
    started = time.perf_counter()
    result = manifests.manifest_upload(
        company=company, uploaded_by=user, office=office, data=data, file_name="bench-manifest.csv"
    )
    marks["uploaded"] = time.perf_counter() - started
    deadline = started + 900
    while True:
        sizes = [rss_bytes(pid) for pid in process_tree(worker.pid)]
        peak_total, peak_one = max(peak_total, sum(sizes)), max([peak_one, *sizes])
        manifest = Manifest.objects.get(pk=result.manifest.pk)
        status = selectors.manifest_status(manifest=manifest)
        now = time.perf_counter() - started
        if status["phase"] != "validating":
            marks.setdefault("validated", now)
        if status["phase"] in ("screening", "screened"):
            marks.setdefault("imported", now)
        if status["finished"]:
            marks["screened"] = now
            break
        if time.perf_counter() > deadline or worker.poll() is not None:
            raise SystemExit(f"not screened in time: {status}")
        time.sleep(0.25)
    if status["phase"] != "screened":
        raise SystemExit(f"The manifest was {status['phase']}: {status['error_summary']}")
    return {**marks, "peak_total": peak_total, "peak_one": peak_one, "manifest_id": manifest.pk}


def check(manifest_id: int, rows: int) -> dict[str, int]:
    from customs_portal.models import Notification
    from declarations.manifests import selectors
    from declarations.models import Declaration, Manifest
    from inspection.models import RiskScore
    from payments.models import Assessment

    manifest = Manifest.objects.get(pk=manifest_id)
    parcels = selectors.manifest_declarations(manifest=manifest)
    counts = selectors.manifest_screening_counts(manifest=manifest)
    awaiting = parcels.filter(status=Declaration.Status.AWAITING_PAYMENT).count()
    assessments = Assessment.objects.filter(declaration__in=parcels).count()
    scores = RiskScore.objects.filter(declaration__in=parcels).count()
    summaries = Notification.objects.filter(company=manifest.company, event="manifest.screened").count()
    problems = []
    if counts["waiting"] or sum(counts[lane] for lane in ("green", "yellow", "red")) != rows:
        problems.append(f"lanes {counts}")
    if scores != rows:
        problems.append(f"{scores} risk scores for {rows} parcels")
    if assessments != awaiting:
        problems.append(f"{assessments} assessments for {awaiting} parcels awaiting payment")
    if summaries != 1:
        problems.append(f"{summaries} summary notifications")
    if problems:
        raise SystemExit("Wrong result: " + "; ".join(problems))
    return {**counts, "awaiting_payment": awaiting, "assessments": assessments, "scores": scores}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default="customs_portal_bench_screening")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        raise SystemExit("Set CELERY_BROKER_URL to a Redis database of your own (it is purged).")
    database_url = f"{SERVER}/{args.database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "customs_portal.settings.test"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("ML_ARTEFACT_ROOT", str(ROOT / "var" / f"bench-ml-{args.database}"))
    from bench.throwaway import recreate_database

    recreate_database(server=SERVER, name=args.database)
    import django

    django.setup()
    from django.db import connections

    worker = None
    try:
        data, company, user, office = setup(args.rows)
        worker = start_worker(database_url, broker)
        marks = run(data, company, user, office, worker, args.rows)
        result = check(int(marks["manifest_id"]), args.rows)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
        connections.close_all()
        if not args.keep:
            recreate_database(server=SERVER, name=args.database, drop_only=True)

    total = marks["screened"]
    print(f"manifest: {args.rows:,} parcels, {len(data) / 1024 / 1024:.1f} MB; worker: 2 processes")
    print(f"  upload (checks, sha256, store):    {marks['uploaded']:6.1f} s")
    print(f"  validated (all rows checked, rated): {marks['validated']:6.1f} s after the upload began")
    print(
        f"  imported (declarations committed):   {marks['imported']:6.1f} s (+{marks['imported'] - marks['validated']:.1f})"
    )
    print(f"  screened (every lane, score, assessment): {total:6.1f} s (+{total - marks['imported']:.1f}; "
          f"{args.rows / (total - marks['imported']):,.0f} parcels/s screening)")  # fmt: skip
    print(f"  end to end: {args.rows / total:,.0f} parcels/s")
    print(f"  lanes: green {result['green']:,}, yellow {result['yellow']:,}, red {result['red']:,}; "
          f"{result['assessments']:,} assessments; {result['scores']:,} risk scores")  # fmt: skip
    print(f"  peak RSS of the worker: {marks['peak_total'] / 2**20:,.0f} MiB in all processes, "
          f"{marks['peak_one'] / 2**20:,.0f} MiB the largest one")  # fmt: skip
    print("  target: under 180 s end to end, worker under 1.5 GB")


if __name__ == "__main__":
    main()
