from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from declarations.csvfiles import ImportRejected
from declarations.export_control import end_users_import


class Command(BaseCommand):
    help = "Imports the end-user list (METI Foreign End User List style) from a CSV: name, country, [aliases separated by |, reason]. Leading lines starting with # are comments. All or nothing; the same file again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            result = end_users_import(data=data, file_name=file.name)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(rejected.message) from rejected
        self.stdout.write(
            f"{file.name}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )
