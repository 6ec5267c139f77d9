from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from declarations.csvfiles import ImportRejected
from declarations.services import exchange_rates_import


class Command(BaseCommand):
    help = (
        "Imports weekly customs exchange rates from a CSV (UTF-8 or Shift_JIS): week_start (a Sunday), currency, "
        "rate_jpy (yen per unit). All or nothing; importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            result = exchange_rates_import(data=data, file_name=file.name)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(rejected.message) from rejected
        self.stdout.write(
            f"{file.name}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )
