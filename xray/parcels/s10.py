"""UPU S10 item numbers of postal items: two service letters, eight serial digits, a
check digit and the two-letter country of the posting administration (RR123456785JP)."""

from __future__ import annotations

import re

S10_PATTERN = re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$")
WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    """The check digit of an eight-digit serial number (UPU S10, weights 8 6 4 2 3 5 9 7)."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError("An S10 serial number has eight digits.")
    check = 11 - sum(int(digit) * weight for digit, weight in zip(serial, WEIGHTS, strict=True)) % 11
    if check == 10:
        return 0
    if check == 11:
        return 5
    return check


def s10_normalise(value: str) -> str:
    """The item number as printed on the label, without spaces, in capitals."""
    return re.sub(r"\s+", "", value or "").upper()


def s10_is_valid(value: str) -> bool:
    """Whether a normalised item number has the S10 shape and its check digit holds."""
    if not S10_PATTERN.match(value):
        return False
    return s10_check_digit(value[2:10]) == int(value[10])


def s10_compose(*, service: str, serial: int | str, country: str) -> str:
    """An item number from its parts, with its check digit (tests and demos use it)."""
    digits = f"{int(serial):08d}"
    return f"{service.upper()}{digits}{s10_check_digit(digits)}{country.upper()}"
