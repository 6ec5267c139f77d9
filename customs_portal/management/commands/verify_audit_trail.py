from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from customs_portal.audit_chain import audit_trail_verify


class Command(BaseCommand):
    help = (
        "Walks the audit trail's hash chain and reports the first broken link "
        "(exit status 1), or that it is intact (exit status 0)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, as_json: bool = False, **options):
        report = audit_trail_verify()
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), sort_keys=True))
        elif report.intact:
            self.stdout.write(f"Audit trail intact: {report.events} events, head {report.head_hash}.")
        else:
            broken = report.first_break
            where = f"event {broken.event_id} (position {broken.seq})" if broken.event_id else "the chain head"
            self.stdout.write(f"Audit trail broken at {where}: {broken.problem}: {broken.detail}.")
        if not report.intact:
            raise SystemExit(1)
