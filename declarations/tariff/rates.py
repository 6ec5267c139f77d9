"""Tariff rate expressions: the text of a rate cell and its typed, parsed form.

A rate cell of the tariff holds one of

    free                      no duty
    12.5%                     ad valorem, on the customs value (CIF)
    156.80 JPY/L              specific, yen per unit of the tariff line's unit
    min(A, B, ...)            the lowest of the rates ("whichever is less")
    max(A, B, ...)            the highest of the rates ("whichever is greater")

Keywords and units are case-insensitive; `min`/`max` may nest, so Japan's wine rate
"21.3% or ¥156.80/L whichever is less, with a minimum of ¥93/L" is
`max(min(21.3%, 156.80 JPY/L), 93 JPY/L)`. Amounts are Decimal throughout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

# Units a tariff line and a specific rate may use, by every spelling we accept.
UNIT_ALIASES: dict[str, str] = {
    "L": "L",
    "KL": "KL",
    "KG": "KG",
    "G": "G",
    "T": "T",
    "MT": "T",
    "TNE": "T",
    "NO": "NO",
    "U": "NO",
    "PC": "NO",
    "PCS": "NO",
    "PR": "PR",
    "PAIR": "PR",
    "DZ": "DZ",
    "M": "M",
    "M2": "M2",
    "M3": "M3",
    "CT": "CT",
}


class RateSyntaxError(ValueError):
    """A rate cell that does not follow the grammar; the message says why."""


class QuantityRequired(Exception):
    """A specific rate was applied without a quantity in the line's unit."""

    def __init__(self, unit: str) -> None:
        super().__init__(unit)
        self.unit = unit


def normalize_unit(text: str) -> str:
    unit = UNIT_ALIASES.get(text.strip().upper())
    if unit is None:
        raise RateSyntaxError(
            _("Unknown unit “%(unit)s”; use one of %(units)s.")
            % {"unit": text.strip(), "units": ", ".join(sorted(set(UNIT_ALIASES.values())))}
        )
    return unit


def _floor_yen(amount: Decimal) -> Decimal:
    return amount.to_integral_value(rounding=ROUND_FLOOR)


def _number_text(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _yen_text(amount: Decimal) -> str:
    normalized = amount.normalize()
    if normalized == normalized.to_integral_value():
        return format(normalized.quantize(Decimal(1)), "f")
    # Tariff schedules print sen with two digits (¥156.80, ¥93.75).
    if normalized.as_tuple().exponent >= -2:
        return format(normalized.quantize(Decimal("0.01")), "f")
    return format(normalized, "f")


@dataclass(frozen=True)
class Free:
    def amount(self, *, value_base_jpy: int, quantity: Decimal | None) -> Decimal:
        return Decimal(0)

    @property
    def units(self) -> frozenset[str]:
        return frozenset()

    def __str__(self) -> str:
        return "free"


@dataclass(frozen=True)
class AdValorem:
    percent: Decimal

    def amount(self, *, value_base_jpy: int, quantity: Decimal | None) -> Decimal:
        return _floor_yen(Decimal(value_base_jpy) * self.percent / 100)

    @property
    def units(self) -> frozenset[str]:
        return frozenset()

    def __str__(self) -> str:
        return f"{_number_text(self.percent)}%"


@dataclass(frozen=True)
class Specific:
    yen_per_unit: Decimal
    unit: str

    def amount(self, *, value_base_jpy: int, quantity: Decimal | None) -> Decimal:
        if quantity is None:
            raise QuantityRequired(self.unit)
        return _floor_yen(quantity * self.yen_per_unit)

    @property
    def units(self) -> frozenset[str]:
        return frozenset({self.unit})

    def __str__(self) -> str:
        return f"{_yen_text(self.yen_per_unit)} JPY/{self.unit}"


@dataclass(frozen=True)
class Lesser:
    """`min(...)`: the rate that gives the lowest amount ("whichever is less")."""

    rates: tuple[Rate, ...]

    def amount(self, *, value_base_jpy: int, quantity: Decimal | None) -> Decimal:
        return min(rate.amount(value_base_jpy=value_base_jpy, quantity=quantity) for rate in self.rates)

    @property
    def units(self) -> frozenset[str]:
        return frozenset().union(*(rate.units for rate in self.rates))

    def __str__(self) -> str:
        return f"min({', '.join(str(rate) for rate in self.rates)})"


@dataclass(frozen=True)
class Greater:
    """`max(...)`: the rate that gives the highest amount ("whichever is greater")."""

    rates: tuple[Rate, ...]

    def amount(self, *, value_base_jpy: int, quantity: Decimal | None) -> Decimal:
        return max(rate.amount(value_base_jpy=value_base_jpy, quantity=quantity) for rate in self.rates)

    @property
    def units(self) -> frozenset[str]:
        return frozenset().union(*(rate.units for rate in self.rates))

    def __str__(self) -> str:
        return f"max({', '.join(str(rate) for rate in self.rates)})"


Rate = Free | AdValorem | Specific | Lesser | Greater

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?)
      | (?P<word>[A-Za-z][A-Za-z0-9]*)
      | (?P<symbol>[%(),/])
    )""",
    re.VERBOSE,
)
# A sane ceiling: no real rate comes near it, and it keeps typos like "1250%" out.
MAX_PERCENT = Decimal(1000)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        position = 0
        stripped = text.rstrip()
        while position < len(stripped):
            match = _TOKEN.match(stripped, position)
            if match is None or match.end() == position:
                raise RateSyntaxError(
                    _("Unexpected “%(text)s” in the rate “%(rate)s”.")
                    % {"text": stripped[position:].strip()[:10], "rate": text}
                )
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            position = match.end()
        self.index = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise RateSyntaxError(_("The rate “%(rate)s” ends too early.") % {"rate": self.text})
        self.index += 1
        return token

    def _expect(self, symbol: str) -> None:
        kind, value = self._take()
        if kind != "symbol" or value != symbol:
            raise RateSyntaxError(
                _("Expected “%(expected)s” but found “%(found)s” in the rate “%(rate)s”.")
                % {"expected": symbol, "found": value, "rate": self.text}
            )

    def parse(self) -> Rate:
        rate = self._rate()
        if self._peek() is not None:
            raise RateSyntaxError(
                _("Unexpected “%(text)s” after the end of the rate “%(rate)s”.")
                % {"text": self._peek()[1], "rate": self.text}
            )
        return rate

    def _rate(self) -> Rate:
        kind, value = self._take()
        if kind == "word" and value.lower() == "free":
            return Free()
        if kind == "word" and value.lower() in ("min", "max"):
            return self._function(value.lower())
        if kind == "number":
            return self._amount(Decimal(value))
        raise RateSyntaxError(
            _("A rate starts with a number, “free”, “min(” or “max(”, not “%(found)s” (in “%(rate)s”).")
            % {"found": value, "rate": self.text}
        )

    def _function(self, name: str) -> Rate:
        self._expect("(")
        rates = [self._rate()]
        while (token := self._take()) == ("symbol", ","):
            rates.append(self._rate())
        if token != ("symbol", ")"):
            raise RateSyntaxError(
                _("Expected “,” or “)” but found “%(found)s” in the rate “%(rate)s”.")
                % {"found": token[1], "rate": self.text}
            )
        if len(rates) < 2:
            raise RateSyntaxError(
                _("%(name)s() needs at least two rates (in “%(rate)s”).") % {"name": name, "rate": self.text}
            )
        return Lesser(tuple(rates)) if name == "min" else Greater(tuple(rates))

    def _amount(self, number: Decimal) -> Rate:
        kind, value = self._take()
        if (kind, value) == ("symbol", "%"):
            if number > MAX_PERCENT:
                raise RateSyntaxError(_("%(percent)s%% is not a plausible duty rate.") % {"percent": number})
            return AdValorem(number)
        if kind == "word" and value.upper() == "JPY":
            self._expect("/")
            unit_kind, unit = self._take()
            if unit_kind != "word":
                raise RateSyntaxError(_("Expected a unit after “JPY/” in the rate “%(rate)s”.") % {"rate": self.text})
            return Specific(number, normalize_unit(unit))
        raise RateSyntaxError(
            _("A number must be followed by “%%” or “JPY/<unit>”, not “%(found)s” (in “%(rate)s”).")
            % {"found": value, "rate": self.text}
        )


def parse_rate(text: str) -> Rate | None:
    """Parses a rate cell; an empty cell is None (the line has no such rate)."""
    if not text or not text.strip():
        return None
    try:
        return _Parser(text.strip()).parse()
    except InvalidOperation as error:  # pragma: no cover - the token pattern admits only valid numbers
        raise RateSyntaxError(_("The rate “%(rate)s” has an invalid number.") % {"rate": text}) from error


def rate_to_json(rate: Rate) -> dict[str, Any]:
    match rate:
        case Free():
            return {"kind": "free"}
        case AdValorem(percent=percent):
            return {"kind": "ad_valorem", "percent": str(percent)}
        case Specific(yen_per_unit=yen, unit=unit):
            return {"kind": "specific", "yen_per_unit": str(yen), "unit": unit}
        case Lesser(rates=rates):
            return {"kind": "min", "of": [rate_to_json(r) for r in rates]}
        case Greater(rates=rates):
            return {"kind": "max", "of": [rate_to_json(r) for r in rates]}
    raise TypeError(f"Not a rate: {rate!r}")


def rate_from_json(data: dict[str, Any]) -> Rate:
    kind = data["kind"]
    if kind == "free":
        return Free()
    if kind == "ad_valorem":
        return AdValorem(Decimal(data["percent"]))
    if kind == "specific":
        return Specific(Decimal(data["yen_per_unit"]), data["unit"])
    if kind == "min":
        return Lesser(tuple(rate_from_json(item) for item in data["of"]))
    if kind == "max":
        return Greater(tuple(rate_from_json(item) for item in data["of"]))
    raise ValueError(f"Unknown rate kind {kind!r}")
