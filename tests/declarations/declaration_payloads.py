"""Valid declaration inputs for the declaration tests; each test breaks one thing."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from declarations import hooks
from declarations.tariff.models import TariffLine
from tests.declarations.factories import CustomsOfficeFactory
from tests.tariff.factories import ExchangeRateFactory, TariffLineFactory

DAY = dt.date(2026, 3, 3)  # a Tuesday in the week of Sunday 2026-03-01
TSHIRT = "610910000"
WINE = "220421020"


def reference_data() -> dict[str, Any]:
    """A tariff of two lines, a USD rate for the week and an office."""
    if not TariffLine.objects.filter(hs_code=TSHIRT).exists():
        TariffLineFactory(hs_code=TSHIRT, unit="NO", rates={"general": "10.9%", "wto": "7.4%", "epa:JP-EU": "free"})
        TariffLineFactory(hs_code=WINE, unit="L", rates={"general": "15%", "wto": "15%", "epa:JP-EU": "free"})
    ExchangeRateFactory(currency="USD", week_start=dt.date(2026, 3, 1), rate_jpy=Decimal("150.00"))
    return {"office": CustomsOfficeFactory(code="1A")}


def header(**changes: Any) -> dict[str, Any]:
    return {
        "office": "1A",
        "party_name": "Company A",
        "party_corporate_number": "",
        "consignee_name": "Maison Dupont",
        "consignee_country": "FR",
        "transport_mode": "sea",
        "vessel_or_flight": "EVER GIVEN 123",
        "transport_document": "BL-0001",
        "invoice_number": "INV-1",
        "invoice_currency": "JPY",
        "incoterm": "CIF",
        "freight": "0",
        "insurance": "0",
        "declaration_date": DAY.isoformat(),
    } | changes


def line(**changes: Any) -> dict[str, Any]:
    return {
        "hs_code": TSHIRT,
        "description": "Cotton T-shirts",
        "origin_country": "US",
        "quantity": "100",
        "unit": "NO",
        "net_weight_kg": "20",
        "invoice_value": "200000",
        "preference": "",
        "epa_agreement": "",
        "origin_proof": "",
        "origin_proof_reference": "",
        "export_licence_number": "",
    } | changes


def payload(*, lines: list[dict[str, Any]] | None = None, **changes: Any) -> dict[str, Any]:
    """The JSON body of the create API."""
    return {"kind": "import", **header(**changes), "lines": lines if lines is not None else [line()]}


def form_post(*, lines: list[dict[str, Any]] | None = None, **changes: Any) -> dict[str, str]:
    """The POST body of the HTML form: header fields and a `lines` formset."""
    from customs_portal.models import CustomsOffice

    data = header(**changes)
    office = CustomsOffice.objects.filter(code=data["office"]).first()
    data["office"] = str(office.pk) if office else ""
    lines = lines if lines is not None else [line()]
    data |= {"lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0"}
    data |= {"lines-MIN_NUM_FORMS": "1", "lines-MAX_NUM_FORMS": "999"}
    for index, item in enumerate(lines):
        data |= {f"lines-{index}-{name}": value for name, value in item.items()}
    return data


@contextlib.contextmanager
def interim_screening_rule() -> Iterator[None]:
    """Screens with the documented interim rule (declarations.screening) whatever risk
    model another app registered, so these tests' lanes do not depend on a model."""
    previous = hooks.lane_assigner()
    hooks.register_lane_assigner(None)
    try:
        yield
    finally:
        hooks.register_lane_assigner(previous)
