"""Nationalities as passports print them (ISO 3166-1 alpha-3), named in the travellers'
languages, with the commonest visitors to Japan first.

The names come from data/nationalities.csv, taken from Debian's iso-codes package
(ISO 3166-1 names and their ja, zh_CN and ko translations) so that the list needs no
translation work of its own."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

DATA = Path(__file__).parent / "data" / "nationalities.csv"

# Japanese residents coming home, then the largest groups of visitors (JNTO arrivals by
# nationality), so that most travellers find theirs without scrolling.
COMMON = (
    "JPN", "KOR", "CHN", "TWN", "HKG", "USA", "THA", "PHL", "AUS", "VNM",
    "SGP", "CAN", "IDN", "MYS", "GBR", "FRA", "DEU", "IND", "ITA", "ESP",
    "MEX", "BRA", "NZL", "RUS", "NLD", "CHE", "SWE", "ISR", "MNG", "MAC",
)  # fmt: skip

# The CSV's column for each page language.
_COLUMNS = {"ja": "ja", "en": "en", "zh-hans": "zh_hans", "ko": "ko"}


@cache
def _names() -> dict[str, dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as file:
        return {row["code"]: row for row in csv.DictReader(file)}


def is_nationality(code: str) -> bool:
    return code in _names()


def nationality_choices(language: str | None = None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(the common nationalities in COMMON's order, all of them sorted by name), as
    (code, name) in `language` (the active one by default)."""
    column = _COLUMNS.get(language or get_language() or "en", "en")
    names = {code: row[column] or row["en"] for code, row in _names().items()}
    common = [(code, names[code]) for code in COMMON]
    every = sorted(names.items(), key=lambda pair: pair[1])
    return common, every
