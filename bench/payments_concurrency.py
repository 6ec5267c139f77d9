"""Payments concurrency benchmark: 200 concurrent payment attempts on 100 assessments.

    .venv/bin/python bench/payments_concurrency.py [--assessments 100] [--attempts 200] [--threads 32] [--keep]

Target: exactly one capture per assessment, zero double charges, ledger balanced.

1. Creates a throwaway PostgreSQL database `customs_portal_bench_payments` (server from
   BENCH_DATABASE_SERVER, default postgres://postgres@127.0.0.1:5432) and migrates it.
2. Creates the assessments through the real service (one import declaration each).
3. Runs the attempts on a thread pool, each thread with its own database connection,
   all released at once by a barrier: every attempt calls the real `payment_create`,
   pays 4242 4242 4242 4242 at the sandbox gateway, and the gateway's signed webhook
   goes through the portal's view and the processing service.
4. Prints captures, double charges (at the portal and at the gateway), whether the
   ledger balances, how the losers were told, and the seconds taken.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "customs_portal_bench_payments"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432").rstrip("/")
os.environ["DJANGO_SETTINGS_MODULE"] = "customs_portal.settings.test"
os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
# Tasks queued on commit stay in this process: the benchmark runs their work itself.
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ["CELERY_RESULT_BACKEND"] = "cache+memory://"


def recreate_database(*, drop_only: bool = False) -> None:
    from bench.throwaway import recreate_database as recreate

    recreate(server=SERVER, name=DB_NAME, drop_only=drop_only)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=100)
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    recreate_database()
    import django

    django.setup()
    import logging

    logging.getLogger("kombu").setLevel(logging.ERROR)  # the in-memory broker's warnings
    from django.core.management import call_command
    from django.db import connection

    from customs_portal.errors import ApplicationError
    from customs_portal.models import Company, Role, User
    from payments import ledger, services
    from payments.models import GatewayEvent, PaymentIntent
    from payments.sandbox import gateway
    from payments.sandbox.models import GatewayCharge, GatewayNotification
    from tests.payments.factories import declaration_awaiting_payment

    try:
        call_command("migrate", verbosity=0)
        company = Company.objects.create(
            corporate_number="2010401000009", name="Bench Trading", kind=Company.Kind.IMPORTER_EXPORTER
        )
        trader = User.objects.create(username="bench-trader", role=Role.TRADER, company=company)
        assessments = [
            services.assessment_create_for_declaration(declaration=declaration_awaiting_payment(trader))
            for _ in range(args.assessments)
        ]
        # Attempts on the same assessment sit next to each other, so they run at the same time.
        per = max(1, args.attempts // len(assessments))
        jobs = [assessments[min(index // per, len(assessments) - 1)] for index in range(args.attempts)]
        barrier = threading.Barrier(min(args.threads, len(jobs)))

        def attempt(assessment) -> str:
            try:
                try:
                    barrier.wait(timeout=1)
                except threading.BrokenBarrierError:
                    pass  # only the first wave starts together; the rest follow at once
                payment, _created = services.payment_create(
                    assessment=assessment,
                    method="card",
                    created_by=trader,
                    idempotency_key=uuid.uuid4().hex,
                    return_url="http://testserver/payments/{payment_id}/return/",
                )
                gateway.charge_pay_card(
                    token=payment.gateway_token, card_number="4242424242424242", expiry_month=12, expiry_year=2099
                )
                notification = GatewayNotification.objects.get(charge__token=payment.gateway_token)
                gateway.notification_deliver(notification_id=notification.pk)
                event = GatewayEvent.objects.get(event_id=notification.event_id)
                return services.gateway_event_process(event_pk=event.pk)
            except ApplicationError as error:
                return error.code
            finally:
                connection.close()

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            outcomes = Counter(pool.map(attempt, jobs))
        seconds = time.perf_counter() - started

        captures = PaymentIntent.objects.filter(status__in=PaymentIntent.CAPTURED_STATUSES).count()
        per_assessment = Counter(
            PaymentIntent.objects.filter(status__in=PaymentIntent.CAPTURED_STATUSES).values_list(
                "assessment_id", flat=True
            )
        )
        charged = Counter(
            GatewayCharge.objects.filter(status=GatewayCharge.Status.SUCCEEDED).values_list(
                "merchant_reference", flat=True
            )
        )
        double_portal = sum(count - 1 for count in per_assessment.values() if count > 1)
        references = dict(PaymentIntent.objects.values_list("pk", "assessment_id"))
        by_assessment = Counter(references[int(ref.removeprefix("PAY-"))] for ref in charged)
        double_gateway = sum(count - 1 for count in by_assessment.values() if count > 1)
        balanced = not ledger.unbalanced_entries() and sum(ledger.balances().values()) == 0
        owed = sum(ledger.outstanding_jpy(assessment_id=a.pk) for a in assessments)
        print(f"assessments:        {len(assessments)}")
        print(f"attempts:           {len(jobs)} on {args.threads} threads")
        print(f"captures:           {captures}")
        print(f"double charges:     {double_portal} (portal), {double_gateway} (gateway)")
        print(f"ledger balanced:    {'yes' if balanced else 'no'} (still receivable: ¥{owed:,})")
        print(f"outcomes:           {dict(outcomes)}")
        print(f"seconds:            {seconds:.2f}")
        if captures != len(assessments) or double_portal or double_gateway or not balanced:
            sys.exit(1)
    finally:
        connection.close()
        if not args.keep:
            recreate_database(drop_only=True)


if __name__ == "__main__":
    main()
