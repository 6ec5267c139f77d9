"""Who may claim which rate: ISO 3166 countries, WTO membership, GSP and LDC
beneficiaries, and Japan's EPAs with the countries each one covers.

They live as CSV files in `declarations/tariff/data/` (each file names its source and date)
rather than as tables: they change a few times a year through a reviewed commit, every
membership is effective-dated, and the duty engine reads them on every estimate, so
they are parsed once per process and kept in memory.
"""

from __future__ import annotations

import csv
import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.utils.translation import get_language

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included; None is open-ended."""

    start: date | None
    end: date | None

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Agreement:
    code: str
    name_en: str
    name_ja: str
    members: Mapping[str, tuple[Period, ...]]

    @property
    def name(self) -> str:
        return self.name_ja if (get_language() or "").startswith("ja") else self.name_en

    def covers(self, country: str, on: date) -> bool:
        return any(period.covers(on) for period in self.members.get(country, ()))


@dataclass(frozen=True)
class TradeData:
    countries: Mapping[str, str]
    wto: Mapping[str, tuple[Period, ...]]
    gsp: Mapping[str, tuple[Period, ...]]
    ldc: Mapping[str, tuple[Period, ...]]
    agreements: Mapping[str, Agreement]


def _rows(name: str) -> Iterator[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as file:
        yield from csv.DictReader(line for line in file if not line.startswith("#"))


def _period(row: dict[str, str]) -> Period:
    start, end = row.get("member_from", ""), row.get("member_to", "")
    return Period(date.fromisoformat(start) if start else None, date.fromisoformat(end) if end else None)


def _memberships(rows: Iterable[dict[str, str]]) -> dict[str, tuple[Period, ...]]:
    periods: dict[str, list[Period]] = defaultdict(list)
    for row in rows:
        periods[row["country"]].append(_period(row))
    return {country: tuple(items) for country, items in periods.items()}


@functools.cache
def trade_data() -> TradeData:
    countries = {row["code"]: row["name_en"] for row in _rows("countries.csv")}
    beneficiaries = list(_rows("preference_beneficiaries.csv"))
    members: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _rows("epa_members.csv"):
        members[row["agreement"]].append(row)
    agreements = {
        row["agreement"]: Agreement(
            code=row["agreement"],
            name_en=row["name_en"],
            name_ja=row["name_ja"],
            members=_memberships(members[row["agreement"]]),
        )
        for row in _rows("epa_agreements.csv")
    }
    return TradeData(
        countries=countries,
        wto=_memberships(_rows("wto_members.csv")),
        gsp=_memberships(row for row in beneficiaries if row["scheme"] == "gsp"),
        ldc=_memberships(row for row in beneficiaries if row["scheme"] == "ldc"),
        agreements=agreements,
    )


def _member(table: Mapping[str, tuple[Period, ...]], country: str, on: date) -> bool:
    return any(period.covers(on) for period in table.get(country, ()))


def is_country(code: str) -> bool:
    return code in trade_data().countries


def country_name(code: str) -> str:
    return trade_data().countries.get(code, code)


def is_wto_member(country: str, on: date) -> bool:
    return _member(trade_data().wto, country, on)


def is_ldc_beneficiary(country: str, on: date) -> bool:
    return _member(trade_data().ldc, country, on)


def is_gsp_beneficiary(country: str, on: date) -> bool:
    """LDCs are designated among the GSP beneficiaries, so they may claim GSP too."""
    return _member(trade_data().gsp, country, on) or is_ldc_beneficiary(country, on)


def agreement_get(code: str) -> Agreement | None:
    return trade_data().agreements.get(code)


def agreement_codes() -> list[str]:
    return list(trade_data().agreements)
