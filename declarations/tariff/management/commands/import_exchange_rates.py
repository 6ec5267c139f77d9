from __future__ import annotations

from customs_portal.management.csv_import import CsvImportCommand
from declarations.tariff.services import exchange_rates_import


class Command(CsvImportCommand):
    help = (
        "Imports weekly customs exchange rates from a CSV (UTF-8 or Shift_JIS): week_start (a Sunday), currency, "
        "rate_jpy (yen per unit). All or nothing; importing the same file again changes nothing."
    )

    def import_file(self, *, data: bytes, file_name: str):
        return exchange_rates_import(data=data, file_name=file_name)
