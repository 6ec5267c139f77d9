"""The tariff search page in a real browser, on a desktop and on a phone."""

from __future__ import annotations

import pytest

from declarations.tariff.interface import tariff_seed_load
from tests.browser import PHONE, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_trader_finds_coffee_and_its_rates_on_a_phone(browser_as, trader_a):
    tariff_seed_load()
    page = browser_as(trader_a, language="en", viewport=PHONE)

    page.goto("/tariff/")
    page.get_by_label("Tariff code or words").fill("coffee")
    page.get_by_role("button", name="Search").click()

    rows = page.locator("table tbody tr")
    assert rows.count() == 3
    assert "0901.21-000" in rows.nth(1).inner_text()
    assert "20%" in rows.nth(1).inner_text()
    button = page.get_by_role("button", name="Search").bounding_box()
    assert button["width"] < PHONE["width"] / 2, "the search button is a button, not a stretched pill"
    screenshot(page, "tariff-search-phone-en")


def test_an_officer_searches_by_code_in_japanese(browser_as, clearance_officer):
    tariff_seed_load()
    page = browser_as(clearance_officer, language="ja")

    page.goto("/tariff/?q=2204")

    assert page.locator("h1").inner_text() == "関税率検索"
    assert page.locator("table tbody tr").count() >= 1
    assert "ぶどう酒" in page.locator("table tbody").inner_text()
    screenshot(page, "tariff-search-desktop-ja")


def test_an_invalid_date_gets_a_form_error_and_no_results(browser_as, trader_a):
    tariff_seed_load()
    page = browser_as(trader_a, language="en")

    page.goto("/tariff/?q=coffee&date=2026-13-45")

    assert page.locator(".field-error").count() == 1
    assert page.locator("table tbody tr").count() == 0
