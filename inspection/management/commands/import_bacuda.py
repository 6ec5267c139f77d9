"""`manage.py import_bacuda FILE.csv`: loads past declarations (WCO BACUDA columns) as history."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from customs_portal.errors import ApplicationError
from inspection import bacuda, services


class Command(BaseCommand):
    help = "Import historical declarations in the WCO BACUDA / DATE column format (idempotent on sgd.id)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")

    def handle(self, *args, file: str, **options) -> None:
        try:
            frame, errors = bacuda.read_bacuda(file)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for error in errors:
            self.stderr.write(f"line {error.line}: {error.message}")
        added, existing = services.history_import(frame=frame)
        self.stdout.write(f"{added} rows added, {existing} already present, {len(errors)} bad rows skipped.")
