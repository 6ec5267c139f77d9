"""X-ray screening end to end: a scanner uploads an image, a real X-ray worker reads it,
the result is visible through the API.

    .venv/bin/python bench/xray_end_to_end.py [--singles 20] [--burst 64] [--keep]

Targets: one image end to end (upload → result visible) under 2 s with a worker running;
worker memory under 1.5 GB; the worker's batched rate (reported beside the bare model's,
which bench/xray_throughput.py measures in one process).

1. Creates a throwaway PostgreSQL database and migrates it; trains a model of the served
   architecture and input size on synthetic parcels (a few steps: its accuracy does not
   matter here, its cost does) and promotes it; registers a scanner.
2. Starts one Celery worker on the X-ray queue (`--concurrency=1`, as `Procfile` and
   docker compose run it) and waits until it has read a first image (the model loads once
   per worker process).
3. Singles: uploads `--singles` parcels one at a time through `POST /api/v1/xray/...`
   and polls `GET` every 20 ms until the result is there: median, p95 and max seconds.
4. Burst: uploads `--burst` images at once, then times until the last one is read:
   images per second through the whole worker (decode, model, heat map, result rows).
5. Prints the worker's peak resident memory (VmHWM of its processes), then stops it and
   drops the database unless --keep.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "customs_portal_bench_xray"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432").rstrip("/")
os.environ["DJANGO_SETTINGS_MODULE"] = "customs_portal.settings.test"
os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
# The worker computes the same queue names from the same run id.
os.environ["TEST_RUN_ID"] = "benchxray"


def setup():
    import django

    django.setup()
    from dataclasses import replace

    from django.core.management import call_command

    from customs_portal.models import Role, User
    from xray.parcels import services
    from xray.screening import training

    call_command("migrate", verbosity=0)
    supervisor = User.objects.create_user(username="bench-supervisor", role=Role.SUPERVISOR)
    config = replace(training.TrainingConfig(), epochs=1, steps_per_epoch=2)
    version = training.xray_model_train(data_dir=None, synthetic=True, config=config, system="bench")
    if version.status != version.Status.ACTIVE:
        from customs_portal.ml_registry import model_version_promote

        model_version_promote(model_version=version, system="bench")
    scanner, token = services.scanner_register(code="BENCH-01", office="Bench", registered_by=supervisor)
    return token


def png(seed: int, threat: str | None) -> bytes:
    from xray.screening.synthetic import synthetic_parcel_image

    buffer = io.BytesIO()
    synthetic_parcel_image(seed=seed, threat=threat, width=960, height=720).save(buffer, format="PNG")
    return buffer.getvalue()


def item_number(serial: int) -> str:
    from xray.parcels.s10 import s10_compose

    return s10_compose(service="RR", serial=serial, country="JP")


def start_worker() -> subprocess.Popen:
    from django.conf import settings

    queue = settings.CELERY_TASK_ROUTES["xray.tasks.*"]["queue"]
    log = open(ROOT / "var" / "bench-xray-worker.log", "w")
    return subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
        [sys.executable, "-m", "celery", "-A", "customs_portal", "worker", "-Q", queue, "--concurrency=1",
         "--pool=prefork", "--loglevel=WARNING", "-n", "bench-xray@%h"],
        cwd=ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def peak_rss_mb(pid: int) -> float:
    """The largest VmHWM among the worker and its children, in MB."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    peak = 0
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except FileNotFoundError:
            continue
    return peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--singles", type=int, default=20)
    parser.add_argument("--burst", type=int, default=64)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    from bench.throwaway import recreate_database

    recreate_database(server=SERVER, name=DB_NAME)
    (ROOT / "var").mkdir(exist_ok=True)
    worker = None
    try:
        token = setup()
        from django.core.files.uploadedfile import SimpleUploadedFile
        from rest_framework.test import APIClient

        from customs_portal.celery import app

        app.control.purge()
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en", SERVER_NAME="localhost")
        client.credentials(HTTP_AUTHORIZATION=f"Scanner {token}")
        threats = [None, "gun", "blade", "shuriken"]
        images = [png(seed, threats[seed % 4]) for seed in range(args.singles + args.burst + 1)]

        def upload(serial: int) -> str:
            number = item_number(serial)
            body = {"item_number": number, "origin_country": "US", "sender_name": "Bench", "addressee_name": "Bench",
                    "addressee_address": "1-1 Chiyoda, Tokyo", "weight_grams": 800,
                    "items": [{"description": "Books", "hs_code": "490199", "value_jpy": 3000}]}  # fmt: skip
            registered = client.post("/api/v1/xray/parcels/", body, format="json")
            if registered.status_code != 201:
                raise SystemExit(f"parcel refused: {registered.content!r}")
            sent = client.post(
                f"/api/v1/xray/parcels/{number}/images/",
                {"image": SimpleUploadedFile("scan.png", images[serial])},
                format="multipart",
            )
            if sent.status_code != 201:
                raise SystemExit(f"image refused: {sent.content!r}")
            return number

        def screened(number: str) -> bool:
            return client.get(f"/api/v1/xray/parcels/{number}/").json()["status"] == "screened"

        def wait(numbers: list[str], timeout: float) -> None:
            deadline = time.monotonic() + timeout
            pending = list(numbers)
            while pending:
                if time.monotonic() > deadline:
                    raise SystemExit(
                        f"{len(pending)} images not read within {timeout} s; see var/bench-xray-worker.log"
                    )
                pending = [number for number in pending if not screened(number)]
                if pending:
                    time.sleep(0.02)

        worker = start_worker()
        started = time.monotonic()
        wait([upload(0)], timeout=180)
        print(f"worker start + model load + first image: {time.monotonic() - started:.1f} s")

        latencies = []
        for serial in range(1, args.singles + 1):
            started = time.monotonic()
            number = upload(serial)
            wait([number], timeout=60)
            latencies.append(time.monotonic() - started)
        latencies.sort()
        p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
        print(
            f"one image end to end ({len(latencies)} uploads): median {statistics.median(latencies):.2f} s, "
            f"p95 {p95:.2f} s, max {latencies[-1]:.2f} s (target < 2 s)"
        )

        started = time.monotonic()
        numbers = [upload(serial) for serial in range(args.singles + 1, args.singles + 1 + args.burst)]
        uploaded = time.monotonic() - started
        wait(numbers, timeout=600)
        elapsed = time.monotonic() - started
        print(
            f"burst of {args.burst}: uploaded in {uploaded:.1f} s, all read after {elapsed:.1f} s "
            f"({args.burst / elapsed:.1f} images/s end to end through one worker)"
        )
        print(f"worker peak memory: {peak_rss_mb(worker.pid):.0f} MB (target < 1,500 MB)")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            recreate_database(server=SERVER, name=DB_NAME, drop_only=True)


if __name__ == "__main__":
    main()
