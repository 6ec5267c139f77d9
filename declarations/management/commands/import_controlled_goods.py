from __future__ import annotations

from customs_portal.management.csv_import import CsvImportCommand
from declarations.export_control.services import controlled_goods_import


class Command(CsvImportCommand):
    help = "Imports the controlled-goods list (tariff code prefixes that need a METI export licence) from a CSV: hs_prefix, description_en, [description_ja, control_basis]. Leading lines starting with # are comments. All or nothing; the same file again changes nothing."

    def import_file(self, *, data: bytes, file_name: str):
        return controlled_goods_import(data=data, file_name=file_name)
