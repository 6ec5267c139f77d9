"""The shape every `import_*` command of the declarations app shares: read the file,
call the all-or-nothing import service, list each bad row, print what changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from customs_portal.csvfiles import ImportRejected


class CsvImportCommand(BaseCommand):
    def import_file(self, *, data: bytes, file_name: str) -> Any:
        raise NotImplementedError

    def summary(self, result: Any) -> str:
        return f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            result = self.import_file(data=data, file_name=file.name)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(rejected.message) from rejected
        self.stdout.write(f"{file.name}: {self.summary(result)}")
