"""Reading the CSV files that traders and data feeds give us: UTF-8 (with or without a
byte-order mark) or Shift_JIS, every bad row reported with its line number; and what
an all-or-nothing import of reference data reports and records in the audit trail."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError

if TYPE_CHECKING:
    from customs_portal.models import User

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "t"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "f", ""})


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("line %(line)d, %(column)s: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


class ImportRejected(ApplicationError):
    """The file had bad rows; nothing was imported. `errors` lists every one."""

    def __init__(self, *, file_name: str, errors: list[RowError]) -> None:
        message = ngettext(
            "%(file)s has %(count)d error; nothing was imported.",
            "%(file)s has %(count)d errors; nothing was imported.",
            len(errors),
        ) % {"file": file_name, "count": len(errors)}
        fields: dict[str, list[str]] = {}
        for error in errors:
            fields.setdefault(f"line {error.line}", []).append(
                f"{error.column}: {error.message}" if error.column else error.message
            )
        super().__init__(message, code="import_rejected", fields=fields)
        self.errors = errors


def csv_cell_safe(value: object) -> object:
    """The value for a CSV cell that we export: text that a spreadsheet would run as a
    formula (a company named "=HYPERLINK(...)") gets a leading apostrophe, so that whoever
    opens the export runs nothing that someone else typed. Other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def decode_csv(data: bytes, *, file_name: str) -> str:
    """UTF-8 first (a BOM is dropped), then Shift_JIS as Windows writes it (cp932)."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRejected(
        file_name=file_name,
        errors=[RowError(1, "", _("The file is neither UTF-8 nor Shift_JIS text; save it as CSV (UTF-8)."))],
    )


def csv_rows(
    text: str, *, normalize: Callable[[str], str] = str.lower
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header (stripped, then normalized) and the rows keyed by it, each with the
    line number it starts on. Cells beyond the header's columns come under the key ""."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [normalize(name.strip()) for name in next(reader)]
    except StopIteration:
        header = []

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        line = reader.line_num
        for cells in reader:
            first_line, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            row = {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
            if len(cells) > len(header):
                row[""] = ",".join(cells[len(header) :])
            yield first_line, row

    return header, rows()


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(_("“%(text)s” is not a yes/no value; use true or false.") % {"text": text})


def parse_date(text: str) -> date:
    """YYYY-MM-DD; Japanese spreadsheets' 2024/4/1 is accepted too."""
    try:
        return datetime.strptime(text.strip().replace("/", "-"), "%Y-%m-%d").date()
    except ValueError as error:
        raise ValueError(_("“%(text)s” is not a date; use YYYY-MM-DD.") % {"text": text}) from error


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.closed)


def import_result_record(
    *, result: ImportResult, action: str, file_name: str, imported_by: User | None, system: str
) -> ImportResult:
    """Records one audit event for an import that changed anything (by the user who
    imported it, or by the named system job) and returns the result."""
    if result.changed:
        audit_record(
            action=action,
            actor=imported_by,
            system="" if imported_by else system,
            after={"file": file_name, **dataclasses.asdict(result)},
        )
    return result
