"""Reading files in the WCO BACUDA / DATE column format, with row-level validation.

One reader serves `import_bacuda` (into the history table) and `evaluate_risk` (which
never touches the database): a row is either valid as a whole or reported with its
line number and skipped, never half-read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from customs_portal.errors import ApplicationError

REQUIRED = [
    "sgd_id", "sgd_date", "importer_id", "declarant_id", "country", "office_id", "tariff_code",
    "quantity", "gross_weight", "fob_value", "cif_value", "total_taxes", "illicit", "revenue",
]  # fmt: skip
NUMERIC = ["quantity", "gross_weight", "fob_value", "cif_value", "total_taxes", "revenue"]
TEXT = ["sgd_id", "importer_id", "declarant_id", "country", "office_id", "tariff_code"]


@dataclass(frozen=True)
class RowError:
    line: int  # line number in the file, the header being line 1
    message: str


def _normalise(column: str) -> str:
    return column.strip().lower().replace(".", "_")


def read_bacuda(path: str | Path) -> tuple[pd.DataFrame, list[RowError]]:
    """The valid rows (typed: dates as datetime64, amounts as float64, illicit 0/1) and
    the errors of the others. A file without the required columns is refused whole."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ApplicationError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}, code="bad_file"
        ) from exc
    raw.columns = [_normalise(column) for column in raw.columns]
    missing = [column for column in REQUIRED if column not in raw.columns]
    if missing:
        raise ApplicationError(
            _("The file lacks the column(s) %(columns)s.")
            % {"columns": ", ".join(c.replace("_", ".") for c in missing)},
            code="missing_columns",
        )
    frame = pd.DataFrame({"line": np.arange(2, len(raw) + 2)})
    problems = pd.Series("", index=raw.index)

    def flag(mask: pd.Series, message: str) -> None:
        problems[mask & (problems == "")] = message

    for column in TEXT:
        frame[column] = raw[column].str.strip()
        flag(frame[column] == "", _("%(column)s is empty") % {"column": column.replace("_", ".")})
    dates = pd.to_datetime(raw["sgd_date"].str.strip(), format="%y-%m-%d", errors="coerce")
    long_dates = pd.to_datetime(raw["sgd_date"].str.strip(), format="%Y-%m-%d", errors="coerce")
    frame["sgd_date"] = dates.fillna(long_dates)
    flag(frame["sgd_date"].isna(), _("sgd.date is not a date (YY-MM-DD)"))
    for column in NUMERIC:
        values = pd.to_numeric(raw[column].str.strip(), errors="coerce")
        flag(
            values.isna() | ~np.isfinite(values), _("%(column)s is not a number") % {"column": column.replace("_", ".")}
        )
        flag(values < 0, _("%(column)s is negative") % {"column": column.replace("_", ".")})
        frame[column] = values.astype("float64")
    illicit = raw["illicit"].str.strip()
    flag(~illicit.isin(["0", "1"]), _("illicit must be 0 or 1"))
    frame["illicit"] = (illicit == "1").astype("int8")
    flag((frame["illicit"] == 0) & (frame["revenue"] > 0), _("revenue without illicit = 1"))
    flag(frame["sgd_id"].duplicated(keep="first") & (frame["sgd_id"] != ""), _("sgd.id repeated in the file"))
    if "description" in raw.columns:
        frame["description"] = raw["description"].str.strip().str.slice(0, 500)
    if "aeo" in raw.columns:  # optional: 1 where the importer was AEO on that date
        aeo = raw["aeo"].str.strip()
        flag(~aeo.isin(["", "0", "1"]), _("aeo must be 0 or 1"))
        frame["aeo"] = (aeo == "1").astype("int8")
    bad = problems != ""
    errors = [
        RowError(line=int(line), message=message)
        for line, message in zip(frame["line"][bad], problems[bad], strict=True)
    ]
    return frame[~bad].drop(columns="line").reset_index(drop=True), errors
