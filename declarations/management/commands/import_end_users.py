from __future__ import annotations

from customs_portal.management.csv_import import CsvImportCommand
from declarations.export_control.services import end_users_import


class Command(CsvImportCommand):
    help = "Imports the end-user list (METI Foreign End User List style) from a CSV: name, country, [aliases separated by |, reason]. Leading lines starting with # are comments. All or nothing; the same file again changes nothing."

    def import_file(self, *, data: bytes, file_name: str):
        return end_users_import(data=data, file_name=file_name)
