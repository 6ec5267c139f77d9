from decimal import Decimal

import pytest
from django.template import Context, Template


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "¥0"),
        (1234567, "¥1,234,567"),
        (Decimal("191785.59"), "¥191,785.59"),
        (Decimal("50000.00"), "¥50,000"),
        (-2500, "−¥2,500"),
        (None, "—"),
    ],
)
def test_yen_shows_thousands_separators_on_every_page(value, shown):
    assert Template("{{ amount|yen }}").render(Context({"amount": value})) == shown
