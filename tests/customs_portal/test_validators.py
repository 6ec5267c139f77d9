from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from customs_portal.validators import corporate_number_check_digit, validate_corporate_number


def test_the_national_tax_agencys_own_number_is_valid():
    assert corporate_number_check_digit("000012050002") == 7
    validate_corporate_number("7000012050002")


@pytest.mark.parametrize(
    "value", ["8000012050002", "700001205000", "70000120500021", "7OOOO12O5OOO2", "７000012050002"]
)
def test_wrong_check_digits_and_malformed_numbers_are_refused(value):
    with pytest.raises(ValidationError):
        validate_corporate_number(value)


@given(st.from_regex(r"\A[0-9]{12}\Z"))
def test_every_12_digit_base_has_one_valid_check_digit(base):
    valid = [digit for digit in "123456789" if _is_valid(digit + base)]
    assert valid == [str(corporate_number_check_digit(base))]


def _is_valid(number: str) -> bool:
    try:
        validate_corporate_number(number)
    except ValidationError:
        return False
    return True
