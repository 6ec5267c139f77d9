"""Gate kiosk load test: QR token + passport MRZ → decision, 50 kiosks at once, against
the real server (gunicorn, production settings, PostgreSQL) on this machine.

    .venv/bin/python bench/kiosk_load.py [--kiosks 50] [--seconds 60] [--interval 6] \
        [--stress-interval 1] [--bursts 10] [--workers 3] [--threads 2] [--keep]

Target: p95 under 100 ms from the request leaving the kiosk to its decision coming back.

1. Creates a throwaway PostgreSQL database `customs_portal_bench` and migrates it;
   registers the kiosks and files, through the services, one declaration per decision to
   come (a share with goods over the allowance, a share with a "yes" that sends to the
   desk), with a gate rule picking 2 % at random.
2. Starts gunicorn (gthread workers) with the production settings and fresh keys.
3. Steady load: every kiosk, on its own keep-alive connection, sends one decision every
   `--interval` seconds, for `--seconds`: a kiosk serves one traveller at a time and a
   passage takes 5–6 s (reference §6), so 6 s is 50 kiosks all busy.
4. Stress: the same with one traveller per kiosk every `--stress-interval` seconds (six
   times the busiest real rate), for a third of `--seconds`.
5. Burst: all kiosks send at the same instant (a barrier), `--bursts` times.
6. Prints median, p95, p99 and max in milliseconds and decisions per second for each,
   checks every answer (gate or desk, as the declaration says), then drops the database
   unless --keep.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "customs_portal_bench"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def _keys() -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        "PERSONAL_DATA_HASH_KEY": secrets.token_urlsafe(48),
        "PERSONAL_DATA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "TRAVELLER_TOKEN_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


KEYS = _keys()
os.environ.update(KEYS)
os.environ["DJANGO_SETTINGS_MODULE"] = "customs_portal.settings.test"
os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"


def setup(*, kiosks: int, declarations_per_kiosk: int) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """[(kiosk token, [(QR token, MRZ, expected lane)])] for each kiosk."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from customs_portal.models import Role, User
    from declarations.travellers import services
    from tests.travellers.factories import declaration_file, passport_mrz

    call_command("migrate", verbosity=0)
    supervisor = User.objects.create_user(username="bench-supervisor", role=Role.SUPERVISOR)
    services.gate_rule_create(kind="random_share", share_percent=2, valid_from=timezone.now(), created_by=supervisor)
    plan = []
    for number in range(kiosks):
        _kiosk, raw = services.kiosk_register(
            code=f"NRT-T1-{number:03d}", airport="NRT", terminal="T1", label="", registered_by=supervisor
        )
        travellers = []
        for index in range(declarations_per_kiosk):
            passport = f"TK{number:03d}{index:04d}"
            overrides: dict = {"passport": {"number": passport}}
            expected = "gate"
            if index % 10 == 3:
                overrides["answers"] = {"commercial": True}
                expected = "desk"
            elif index % 10 == 6:
                overrides["answers"] = {"over_allowance": True}
                overrides["items"] = [{"category": "other_alcohol", "quantity": 5, "value_jpy": 3000, "volume_ml": 750}]
            declaration = declaration_file(**overrides)
            travellers.append((declaration.token, passport_mrz(number=passport), expected))
        plan.append((raw, travellers))
    return plan


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(*, port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "PAYMENTS_SANDBOX_ENABLED", "TEST_RUN_ID")
    }
    env.update(
        KEYS,
        DJANGO_SETTINGS_MODULE="customs_portal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        PAYMENTS_GATEWAY_WEBHOOK_SECRET=secrets.token_hex(32),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"{SERVER}/{DB_NAME}",
        CELERY_BROKER_URL="memory://",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        LOG_LEVEL="WARNING",
        STATIC_ROOT=str(ROOT / "var" / "bench-static"),
    )
    server = subprocess.Popen(  # noqa: S603  (our own interpreter, fixed arguments)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "customs_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/kiosk/keys/", headers={"X-Forwarded-Proto": "https"})
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not start")


class Kiosk:
    """One kiosk: its own keep-alive connection and its queue of travellers."""

    def __init__(self, port: int, token: str, travellers: list[tuple[str, str, str]]) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token = token
        self.travellers = list(travellers)
        self.wrong: list[str] = []

    def _post(self, body: str, headers: dict[str, str]) -> tuple[http.client.HTTPResponse, bytes]:
        self.connection.request("POST", "/api/v1/kiosk/decisions/", body=body, headers=headers)
        response = self.connection.getresponse()
        return response, response.read()

    def decide(self) -> float:
        qr, mrz, expected = self.travellers.pop()
        body = json.dumps({"token": qr, "mrz": mrz})
        headers = {
            "Authorization": f"Kiosk {self.token}",
            "Idempotency-Key": uuid.uuid4().hex,
            "Content-Type": "application/json",
            "X-Forwarded-Proto": "https",
        }
        started = time.perf_counter()
        try:
            response, payload = self._post(body, headers)
        except (OSError, http.client.HTTPException):
            # The server closed the idle keep-alive connection: a kiosk reconnects.
            self.connection.close()
            response, payload = self._post(body, headers)
        elapsed = time.perf_counter() - started
        if response.status != 200:
            self.wrong.append(f"HTTP {response.status}: {payload[:200]!r}")
        else:
            lane = json.loads(payload)["lane"]
            # A random pick may send a "gate" traveller to the desk; never the other way.
            if expected == "desk" and lane != "desk":
                self.wrong.append(f"expected desk, got {lane}")
        return elapsed


def steady(kiosks: list[Kiosk], *, seconds: float, interval: float) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()
    start = time.monotonic()

    def run(kiosk: Kiosk, offset: float) -> None:
        next_at = start + offset
        for _turn in range(int(seconds / interval)):
            time.sleep(max(0.0, next_at - time.monotonic()))
            elapsed = kiosk.decide()
            with lock:
                latencies.append(elapsed)
            next_at += interval

    threads = [
        threading.Thread(target=run, args=(kiosk, interval * index / len(kiosks))) for index, kiosk in enumerate(kiosks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.monotonic() - start


def bursts(kiosks: list[Kiosk], *, rounds: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(kiosks))
    start = time.monotonic()

    def run(kiosk: Kiosk) -> None:
        for _round in range(rounds):
            barrier.wait(timeout=120)
            elapsed = kiosk.decide()
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=run, args=(kiosk,)) for kiosk in kiosks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.monotonic() - start


def report(name: str, latencies: list[float], wall: float) -> None:
    ms = sorted(value * 1000 for value in latencies)

    def pct(p: float) -> float:
        return ms[min(len(ms) - 1, int(round(p / 100 * (len(ms) - 1))))]

    print(
        f"{name}: {len(ms)} decisions in {wall:.1f} s ({len(ms) / wall:.1f}/s)  "
        f"median {statistics.median(ms):.1f} ms  p95 {pct(95):.1f} ms  p99 {pct(99):.1f} ms  max {ms[-1]:.1f} ms"
    )


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kiosks", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--interval", type=float, default=6.0)
    parser.add_argument("--stress-interval", type=float, default=1.0)
    parser.add_argument("--bursts", type=int, default=10)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    from bench.throwaway import recreate_database

    recreate_database(server=SERVER, name=DB_NAME)
    server = None
    try:
        stress_seconds = args.seconds / 3
        per_kiosk = int(args.seconds / args.interval) + int(stress_seconds / args.stress_interval) + args.bursts + 1
        started = time.monotonic()
        plan = setup(kiosks=args.kiosks, declarations_per_kiosk=per_kiosk)
        print(
            f"setup: {args.kiosks} kiosks, {args.kiosks * per_kiosk} declarations in {time.monotonic() - started:.1f} s"
        )
        port = free_port()
        server = start_server(port=port, workers=args.workers, threads=args.threads)
        print(f"server: gunicorn gthread, {args.workers} workers x {args.threads} threads, production settings")
        kiosks = [Kiosk(port, token, travellers) for token, travellers in plan]
        for kiosk in kiosks:  # warm-up: one decision each, connections open
            kiosk.decide()
        latencies, wall = steady(kiosks, seconds=args.seconds, interval=args.interval)
        report(f"steady ({args.kiosks} kiosks, one traveller each every {args.interval:g} s)", latencies, wall)
        latencies, wall = steady(kiosks, seconds=stress_seconds, interval=args.stress_interval)
        report(f"stress ({args.kiosks} kiosks, one traveller each every {args.stress_interval:g} s)", latencies, wall)
        latencies, wall = bursts(kiosks, rounds=args.bursts)
        report(f"bursts ({args.kiosks} kiosks at the same instant, x{args.bursts})", latencies, wall)
        wrong = [message for kiosk in kiosks for message in kiosk.wrong]
        print(f"wrong answers: {len(wrong)}" + (f" (first: {wrong[0]})" if wrong else ""))
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            recreate_database(server=SERVER, name=DB_NAME, drop_only=True)


if __name__ == "__main__":
    main()
