from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def corporate_number_check_digit(base12: str) -> int:
    """The National Tax Agency's check digit for the 12 digits after it.

    9 - (sum of P(n) * Q(n) for n = 1..12) mod 9, where P(n) is the n-th digit counted
    from the right and Q(n) is 1 for odd n and 2 for even n.
    """
    total = sum(int(digit) * (1 if position % 2 else 2) for position, digit in enumerate(reversed(base12), start=1))
    return 9 - total % 9


def validate_corporate_number(value: str) -> None:
    if len(value) != 13 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("A corporate number has exactly 13 digits."), code="corporate_number_format")
    if int(value[0]) != corporate_number_check_digit(value[1:]):
        raise ValidationError(
            _("%(value)s is not a valid corporate number: its check digit does not match."),
            code="corporate_number_check_digit",
            params={"value": value},
        )
