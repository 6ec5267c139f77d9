"""Gateway webhook throughput: signed notifications per second through the portal's
real webhook view (URL, middleware, signature check, event store) and the processing
task (capture, ledger, receipt, audit).

    .venv/bin/python bench/webhook_throughput.py [--payments 300] [--duplicates 1] [--keep]

1. Creates a throwaway PostgreSQL database `customs_portal_bench_webhooks` (server from
   BENCH_DATABASE_SERVER) and migrates it.
2. Creates the assessments and payment intents through the services and pays each
   one at the sandbox gateway, which queues one signed `charge.succeeded` notification.
3. Times, for every notification (and `--duplicates` extra deliveries of each, as a
   gateway's retries would send): a fresh signature, POST through Django's test client,
   and the `gateway_event_process` task run in-process (`task.apply`).
4. Prints notifications/s overall and for the first deliveries alone; checks that
   every payment was captured exactly once.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "customs_portal_bench_webhooks"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432").rstrip("/")
os.environ["DJANGO_SETTINGS_MODULE"] = "customs_portal.settings.test"
os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ["CELERY_RESULT_BACKEND"] = "cache+memory://"


def recreate_database(*, drop_only: bool = False) -> None:
    from bench.throwaway import recreate_database as recreate

    recreate(server=SERVER, name=DB_NAME, drop_only=drop_only)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=300)
    parser.add_argument("--duplicates", type=int, default=1, help="extra deliveries of each notification")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    recreate_database()
    import logging

    import django

    django.setup()
    logging.getLogger("kombu").setLevel(logging.ERROR)
    logging.getLogger("celery").setLevel(logging.WARNING)  # one INFO line per task otherwise
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # allows the test client's host "testserver"
    from customs_portal.models import Company, Role, User
    from payments import services, tasks
    from payments.models import GatewayEvent, JournalEntry, PaymentIntent
    from payments.sandbox import gateway
    from payments.sandbox.models import GatewayNotification
    from tests.payments.factories import declaration_awaiting_payment

    try:
        call_command("migrate", verbosity=0)
        company = Company.objects.create(
            corporate_number="2010401000008", name="Bench Trading", kind=Company.Kind.IMPORTER_EXPORTER
        )
        trader = User.objects.create(username="bench-trader", role=Role.TRADER, company=company)
        for _ in range(args.payments):
            assessment = services.assessment_create_for_declaration(declaration=declaration_awaiting_payment(trader))
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
        notifications = list(GatewayNotification.objects.order_by("pk"))
        client = Client()

        def deliver(notification) -> None:
            body = gateway.notification_body(notification)
            header = gateway.signature(
                secret=settings.PAYMENTS_GATEWAY_WEBHOOK_SECRET, timestamp=int(time.time()), body=body
            )
            response = client.post(
                "/payments/webhooks/gateway/",
                data=body,
                content_type="application/json",
                HTTP_X_GATEWAY_SIGNATURE=header,
            )
            if response.status_code != 200:
                raise SystemExit(f"webhook refused: {response.status_code} {response.content!r}")
            event = GatewayEvent.objects.only("pk").get(event_id=notification.event_id)
            tasks.gateway_event_process.apply(args=[event.pk])

        started = time.perf_counter()
        for notification in notifications:
            deliver(notification)
        first_seconds = time.perf_counter() - started
        for _round in range(args.duplicates):
            for notification in notifications:
                deliver(notification)
        seconds = time.perf_counter() - started
        total = len(notifications) * (1 + args.duplicates)
        captured = PaymentIntent.objects.filter(status="succeeded").count()
        captures = JournalEntry.objects.filter(kind="capture").count()
        print(f"notifications:      {len(notifications)} (+{len(notifications) * args.duplicates} duplicates)")
        print(f"first deliveries:   {len(notifications) / first_seconds:.0f} /s ({first_seconds:.2f} s)")
        print(f"all deliveries:     {total / seconds:.0f} /s ({seconds:.2f} s)")
        print(f"payments captured:  {captured}, capture entries: {captures}")
        if captured != len(notifications) or captures != len(notifications):
            sys.exit(1)
    finally:
        connection.close()
        if not args.keep:
            recreate_database(drop_only=True)


if __name__ == "__main__":
    main()
