"""The customs value (CIF, 課税価格) of goods in yen: the price, plus the freight and
insurance to the Japanese port that the price's Incoterm leaves out, each converted at
the customs exchange rate of the week."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.utils.translation import gettext as _

from customs_portal.errors import ApplicationError
from declarations.tariff import selectors

# Terms under which the invoice price stops before the Japanese port: the customs
# value adds the freight and/or the insurance to it.
ADDS_FREIGHT = frozenset({"EXW", "FCA", "FAS", "FOB"})
ADDS_INSURANCE = ADDS_FREIGHT | {"CFR", "CPT"}


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


def customs_value_jpy(*, goods: Money, freight: Money | None = None, insurance: Money | None = None, on: date) -> int:
    """The CIF value in yen: an FOB price plus freight and insurance to the Japanese
    port (for a CIF price, leave freight and insurance out). Each amount is converted
    at the customs rate of `on`'s week; yen fractions of the sum are dropped. A missing
    rate raises ApplicationError naming the currency and the week."""
    total = Decimal(0)
    for money in (goods, freight, insurance):
        if money is None:
            continue
        if money.amount < 0:
            raise ApplicationError(_("Amounts of the customs value cannot be negative."), code="negative_value")
        total += money.amount * selectors.exchange_rate_for(currency=money.currency, on=on)
    return int(total.to_integral_value(rounding=ROUND_FLOOR))


def invoice_customs_values(
    *,
    line_values: Sequence[Decimal],
    currency: str,
    incoterm: str,
    freight: Decimal,
    insurance: Decimal,
    on: date,
) -> list[int]:
    """Each invoice line's customs value in yen. The freight and insurance that the
    Incoterm leaves out of the price are split over the lines in proportion to their
    invoice value."""
    added_freight = freight if incoterm in ADDS_FREIGHT else Decimal(0)
    added_insurance = insurance if incoterm in ADDS_INSURANCE else Decimal(0)
    total = sum(line_values, Decimal(0))
    values = []
    for value in line_values:
        line_freight = added_freight * value / total if total else Decimal(0)
        line_insurance = added_insurance * value / total if total else Decimal(0)
        values.append(
            customs_value_jpy(
                goods=Money(value, currency),
                freight=Money(line_freight, currency) if line_freight else None,
                insurance=Money(line_insurance, currency) if line_insurance else None,
                on=on,
            )
        )
    return values
