from __future__ import annotations

from customs_portal.management.csv_import import CsvImportCommand
from declarations.tariff.services import tariff_import


class Command(CsvImportCommand):
    help = (
        "Imports tariff lines from a CSV (UTF-8 or Shift_JIS): hs_code, description_en, description_ja, unit, "
        "general, wto, gsp, ldc, epa:<AGREEMENT>..., reduced_consumption_tax, small_value_exclusion, valid_from. "
        "All or nothing; importing the same file again changes nothing."
    )

    def import_file(self, *, data: bytes, file_name: str):
        return tariff_import(data=data, file_name=file_name)

    def summary(self, result) -> str:
        return (
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
            f"{result.closed} earlier versions closed."
        )
