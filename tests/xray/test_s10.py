"""UPU S10 item numbers: shape and check digit."""

from __future__ import annotations

import pytest

from tests.xray.factories import DeclaredItemFactory, ScannerFactory, XrayImageFactory
from xray.parcels.s10 import s10_check_digit, s10_compose, s10_is_valid, s10_normalise


@pytest.mark.parametrize(
    "item_number",
    ["RR123456785JP", "EE473124829GB", "CP000000005US"],
)
def test_item_numbers_with_the_right_check_digit_are_valid(item_number):
    assert s10_is_valid(item_number)


@pytest.mark.parametrize(
    "item_number",
    ["RR123456784JP", "RR12345678JP", "R1123456785JP", "RR123456785J1", "rr123456785jp", ""],
)
def test_item_numbers_with_a_wrong_check_digit_or_shape_are_invalid(item_number):
    assert not s10_is_valid(item_number)


def test_a_check_of_ten_becomes_zero_and_a_check_of_eleven_becomes_five():
    # 00000000 sums to 0: 11 - 0 = 11 -> 5.
    assert s10_check_digit("00000000") == 5
    # 00000001 sums to 7 (last weight): 11 - 7 = 4; 00000010 sums to 9: 11 - 9 = 2.
    assert s10_check_digit("00000001") == 4
    # 10000000 sums to 8 -> 3; 00000100 sums to 5 -> 6; 00001000 sums to 3 -> 8.
    assert s10_check_digit("10000000") == 3
    # 00000004 sums to 28, 28 % 11 = 6 -> 5; 00000011 sums to 16 % 11 = 5 -> 6;
    # 00000003 sums to 21 % 11 = 10 -> 1; 00000005 sums to 35 % 11 = 2 -> 9;
    # 00000006 sums to 42 % 11 = 9 -> 2; 00000008 sums to 56 % 11 = 1 -> 10 -> 0.
    assert s10_check_digit("00000008") == 0


def test_a_composed_number_is_valid_and_spaces_and_case_are_normalised():
    number = s10_compose(service="rr", serial=12345678, country="jp")
    assert number == "RR123456785JP"
    assert s10_normalise(" rr 123 456 785 jp ") == "RR123456785JP"


@pytest.mark.django_db
def test_the_factories_make_a_scanner_with_its_token_and_a_parcel_with_an_image():
    scanner = ScannerFactory()
    assert scanner.raw_token.endswith(scanner.token_hint)
    item = DeclaredItemFactory()
    image = XrayImageFactory(parcel=item.parcel)
    assert s10_is_valid(item.parcel.item_number)
    assert image.width == 64 and image.file.read()[:4] == b"\x89PNG"
