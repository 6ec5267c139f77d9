"""Formatting filters every page uses: `{{ amount|yen }}` → "¥1,234,567"."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def yen(value) -> str:
    """An amount in yen with thousands separators and the yen sign; a Decimal keeps its
    fraction (rates of exchange, per-kg values), an empty value shows a dash."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "−" if amount < 0 else ""
    amount = abs(amount)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,}"
    return f"{sign}¥{text}"
