from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from declarations.csvfiles import ImportRejected
from declarations.services import tariff_import


class Command(BaseCommand):
    help = (
        "Imports tariff lines from a CSV (UTF-8 or Shift_JIS): hs_code, description_en, description_ja, unit, "
        "general, wto, gsp, ldc, epa:<AGREEMENT>..., reduced_consumption_tax, small_value_exclusion, valid_from. "
        "All or nothing; importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            result = tariff_import(data=data, file_name=file.name)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(rejected.message) from rejected
        self.stdout.write(
            f"{file.name}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
            f"{result.closed} earlier versions closed."
        )
