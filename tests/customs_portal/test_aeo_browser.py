"""AEO pages in a real browser: a supervisor grants a certificate (after a refused end
date) on a desktop, and the trader sees it, with the expiry warning, on a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from customs_portal.models import AeoCertificate
from tests.browser import PHONE, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def failing_on_errors(page) -> list[str]:
    """JavaScript errors and HTTP 5xx responses the page meets."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: errors.append(response.url) if response.status >= 500 else None)
    return errors


def test_a_supervisor_grants_a_certificate_after_a_refused_end_date_and_the_trader_is_warned(
    browser_as, supervisor, trader_a
):
    today = timezone.localdate()
    page = browser_as(supervisor, language="en")
    errors = failing_on_errors(page)

    page.goto("/officer/")
    page.get_by_role("link", name="AEO operators").click()
    page.get_by_label("Company").select_option(str(trader_a.company.pk))
    page.get_by_label("Kind").select_option("importer")
    page.get_by_label("Certificate number").fill("aeo-im-900")
    page.get_by_label("Valid from").fill(today.isoformat())
    page.get_by_label("Ends on").fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Grant").click()

    assert "The end date must be after the start date." in page.locator(".field-error").inner_text()
    assert not AeoCertificate.objects.exists()
    screenshot(page, "aeo-supervisor-refused-desktop-en")
    page.get_by_label("Ends on").fill((today + dt.timedelta(days=45)).isoformat())
    page.get_by_role("button", name="Grant").click()

    assert "AEO certificate AEO-IM-900 granted." in page.locator(".messages").inner_text()
    assert "AEO-IM-900" in page.locator("table tbody").inner_text()
    screenshot(page, "aeo-supervisor-list-desktop-en")

    trader = browser_as(trader_a, language="en", viewport=PHONE)
    errors += failing_on_errors(trader)
    trader.goto("/trader/")
    warning = trader.locator(".aeo-warning")
    assert warning.count() == 1 and "in 45 days" in warning.inner_text()
    assert "AEO-IM-900" in trader.locator(".aeo-certificate").inner_text()
    screenshot(trader, "aeo-trader-dashboard-phone-en")
    assert errors == []
