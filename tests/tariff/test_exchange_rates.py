"""Weekly customs exchange rates: the import, the lookup by date, the missing-rate
error, conversion into a customs value, and the admin."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from customs_portal.csvfiles import ImportRejected
from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent
from declarations.tariff.customs_value import Money, customs_value_jpy
from declarations.tariff.models import ExchangeRate
from declarations.tariff.selectors import exchange_rate_for
from declarations.tariff.services import exchange_rate_set, exchange_rates_import, exchange_rates_seed_load
from tests.tariff.factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db

SUNDAY = dt.date(2025, 9, 7)


def rates_file(tmp_path: Path, *rows: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "rates.csv"
    path.write_bytes(("\n".join(["week_start,currency,rate_jpy", *rows]) + "\n").encode(encoding))
    return path


def test_weekly_rates_are_imported_and_a_second_import_changes_nothing(tmp_path):
    path = rates_file(tmp_path, "2025-09-07,USD,147.36", "2025-09-07,EUR,171.78", "2025-09-07,cny,20.61")
    out = StringIO()

    call_command("import_exchange_rates", str(path), stdout=out)
    call_command("import_exchange_rates", str(path), stdout=out)

    assert "3 created" in out.getvalue()
    assert "0 created, 0 updated, 3 unchanged" in out.getvalue()
    assert ExchangeRate.objects.get(currency="CNY", week_start=SUNDAY).rate_jpy == Decimal("20.61")
    assert AuditEvent.objects.filter(action="exchange_rates.imported").count() == 1


def test_a_republished_rate_replaces_the_stored_one(tmp_path):
    exchange_rates_import(data=rates_file(tmp_path, "2025-09-07,USD,147.36").read_bytes(), file_name="a.csv")

    result = exchange_rates_import(data=rates_file(tmp_path, "2025-09-07,USD,147.40").read_bytes(), file_name="b.csv")

    assert (result.created, result.updated) == (0, 1)
    assert exchange_rate_for(currency="USD", on=SUNDAY) == Decimal("147.40")


def test_bad_rate_rows_are_reported_with_line_numbers_and_nothing_is_imported(tmp_path):
    path = rates_file(
        tmp_path,
        "2025-09-07,USD,147.36",
        "2025-09-08,EUR,171.78",
        "2025-09-07,EURO,171.78",
        "2025-09-07,GBP,-1",
        "2025-09-07,USD,147.36",
        "2025-09-07,JPY,1",
    )
    err = StringIO()

    with pytest.raises(CommandError, match="5 errors"):
        call_command("import_exchange_rates", str(path), stderr=err)

    assert ExchangeRate.objects.count() == 0
    lines = err.getvalue().splitlines()
    assert lines == [
        "line 3, week_start: 2025-09-08 is a Monday; customs weeks start on a Sunday.",
        "line 4, currency: “EURO” is not a 3-letter ISO 4217 currency code.",
        "line 5, rate_jpy: An exchange rate must be a positive number of yen.",
        "line 6, currency: USD for the week of 2025-09-07 is already on line 2.",
        "line 7, currency: Yen needs no exchange rate.",
    ]


def test_a_shift_jis_rates_file_is_accepted(tmp_path):
    path = tmp_path / "rates-sjis.csv"
    path.write_bytes("week_start,currency,rate_jpy,note\n2025-09-07,USD,147.36,税関長公示レート\n".encode("cp932"))

    result = exchange_rates_import(data=path.read_bytes(), file_name=path.name)

    assert result.created == 1


@pytest.mark.parametrize("day", [SUNDAY, dt.date(2025, 9, 10), dt.date(2025, 9, 13)])
def test_every_day_of_the_week_uses_that_weeks_rate(day):
    ExchangeRateFactory(currency="USD", week_start=SUNDAY, rate_jpy=Decimal("147.36"))
    ExchangeRateFactory(currency="USD", week_start=SUNDAY + dt.timedelta(days=7), rate_jpy=Decimal("148.01"))

    assert exchange_rate_for(currency="usd", on=day) == Decimal("147.36")


def test_yen_needs_no_rate():
    assert exchange_rate_for(currency="JPY", on=SUNDAY) == 1


def test_a_missing_rate_names_the_currency_and_the_week():
    ExchangeRateFactory(currency="USD", week_start=SUNDAY)

    with pytest.raises(ApplicationError) as raised:
        exchange_rate_for(currency="EUR", on=dt.date(2025, 9, 17))

    assert raised.value.code == "exchange_rate_missing"
    assert raised.value.message == "No customs exchange rate for EUR in the week of 2025-09-14 to 2025-09-20."


def test_the_customs_value_is_cif_converted_at_the_weeks_rate():
    ExchangeRateFactory(currency="USD", week_start=SUNDAY, rate_jpy=Decimal("147.36"))
    ExchangeRateFactory(currency="EUR", week_start=SUNDAY, rate_jpy=Decimal("171.78"))

    value = customs_value_jpy(
        goods=Money(Decimal("1000.00"), "USD"),
        freight=Money(Decimal("55.50"), "USD"),
        insurance=Money(Decimal("3.33"), "EUR"),
        on=dt.date(2025, 9, 12),
    )

    # 1,055.50 × 147.36 = 155,538.48; 3.33 × 171.78 = 572.0274; yen fractions dropped.
    assert value == 156_110


def test_the_seed_rates_cover_today_and_the_published_week():
    exchange_rates_seed_load()

    assert exchange_rate_for(currency="USD", on=SUNDAY) == Decimal("147.36")
    assert exchange_rate_for(currency="EUR", on=SUNDAY) == Decimal("171.78")
    assert exchange_rate_for(currency="CNY", on=SUNDAY) == Decimal("20.61")
    assert exchange_rate_for(currency="KRW", on=dt.date(2026, 11, 25)) > 0


def test_rates_are_visible_in_the_admin(admin_user, client_for):
    ExchangeRateFactory(currency="GBP", week_start=SUNDAY, rate_jpy=Decimal("198.52"))

    response = client_for(admin_user).get(reverse("admin:tariff_exchangerate_changelist"))

    assert response.status_code == 200
    assert "198.52" in response.content.decode()


def test_a_rate_entered_in_the_admin_goes_through_the_service_and_is_audited(admin_user, client_for):
    response = client_for(admin_user).post(
        reverse("admin:tariff_exchangerate_add"),
        {"currency": "USD", "week_start": "2025-09-07", "rate_jpy": "147.36"},
    )

    assert response.status_code == 302
    rate = ExchangeRate.objects.get()
    assert AuditEvent.objects.filter(action="exchange_rate.set", object_id=str(rate.pk)).exists()


def test_the_admin_refuses_a_week_that_does_not_start_on_sunday(admin_user, client_for):
    response = client_for(admin_user).post(
        reverse("admin:tariff_exchangerate_add"),
        {"currency": "USD", "week_start": "2025-09-08", "rate_jpy": "147.36"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "Customs weeks start on a Sunday." in response.content.decode()
    assert not ExchangeRate.objects.exists()


def test_exchange_rate_set_rejects_a_bad_rate(admin_user):
    with pytest.raises(ApplicationError, match="positive"):
        exchange_rate_set(currency="USD", week_start=SUNDAY, rate_jpy=Decimal(0), set_by=admin_user)


def test_the_import_rejects_an_empty_header(tmp_path):
    with pytest.raises(ImportRejected, match="1 error"):
        exchange_rates_import(data=b"", file_name="empty.csv")
