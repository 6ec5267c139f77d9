"""A declaration sent to document review by the screening rule, in a real browser: the
trader (on a phone) sees the lane and what to do, the officer (in Japanese) the reason."""

from __future__ import annotations

import pytest

from tests.browser import PHONE, screenshot
from tests.declarations.test_screening_reasons import RULE_REASON, _gsp_declaration

pytestmark = pytest.mark.django_db(transaction=True)


def _open(page, url: str) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(url)
    assert response.status == 200
    return errors


def test_the_trader_sees_documents_requested_on_a_phone_and_no_reason(browser_as, trader_a):
    declaration = _gsp_declaration(trader_a)
    page = browser_as(trader_a, language="en", viewport=PHONE)
    errors = _open(page, f"/declarations/{declaration.pk}/")
    action = page.locator(".required-action")
    assert "Documents requested" in action.inner_text()
    body = page.locator("body").inner_text()
    assert "Yellow: document review" in body
    assert RULE_REASON["en"] not in body and "screening rule" not in body.lower()
    screenshot(page, "declaration-documents-requested-phone-en")
    assert not errors


def test_the_officer_reads_the_reason_in_japanese(browser_as, trader_a, clearance_officer):
    declaration = _gsp_declaration(trader_a)
    page = browser_as(clearance_officer, language="ja")
    errors = _open(page, f"/declarations/{declaration.pk}/")
    assert RULE_REASON["ja"] in page.locator("ul.reasons").inner_text()
    screenshot(page, "declaration-screening-reasons-desktop-ja")
    assert not errors
