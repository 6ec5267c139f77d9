"""The submit confirmation in a real browser, on a desktop and on a phone: the trader opens
it from the declaration, reads the taxes that will be assessed and submits; a declaration
that would be rejected shows why and offers no submit button."""

from __future__ import annotations

import pytest

from declarations.models import Declaration
from tests.browser import PHONE, screenshot
from tests.declarations import declaration_payloads as p
from tests.declarations.factories import documents_attach
from tests.declarations.test_declaration_submit import _draft

pytestmark = pytest.mark.django_db(transaction=True)


def _open(page, url: str) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(url)
    assert response.status == 200
    return errors


@pytest.mark.parametrize(("viewport", "name"), [(None, "desktop"), (PHONE, "phone")])
def test_the_trader_confirms_the_taxes_and_submits(browser_as, trader_a, viewport, name):
    with p.interim_screening_rule():
        p.reference_data()
        declaration = documents_attach(_draft(trader_a))
        page = browser_as(trader_a, language="en", viewport=viewport)
        errors = _open(page, f"/declarations/{declaration.pk}/")
        page.get_by_role("button", name="Submit…").click()
        page.wait_for_url(f"**/declarations/{declaration.pk}/submit/")
        taxes = page.locator("section[aria-labelledby=taxes-heading]").inner_text()
        for shown in ("¥14,800", "¥16,600", "¥4,600", "¥36,000"):
            assert shown in taxes, shown
        assert page.locator("body").evaluate("b => b.scrollWidth <= window.innerWidth")
        screenshot(page, f"declaration-submit-confirm-{name}-en")
        page.get_by_role("button", name="Submit", exact=True).click()
        page.wait_for_url(f"**/declarations/{declaration.pk}/")
        assert "submitted" in page.locator("body").inner_text()
        assert Declaration.objects.get(pk=declaration.pk).status == Declaration.Status.SUBMITTED
        assert not errors


@pytest.mark.parametrize(("viewport", "name"), [(None, "desktop"), (PHONE, "phone")])
def test_a_declaration_that_would_be_rejected_shows_why_and_no_submit_button(browser_as, trader_a, viewport, name):
    p.reference_data()
    declaration = _draft(trader_a)
    page = browser_as(trader_a, language="en", viewport=viewport)
    errors = _open(page, f"/declarations/{declaration.pk}/submit/")
    body = page.locator("main").inner_text()
    assert "No invoice is attached." in body
    assert "(Documents)" in body
    assert page.get_by_role("button", name="Submit", exact=True).count() == 0
    screenshot(page, f"declaration-submit-refused-{name}-en")
    assert Declaration.objects.get(pk=declaration.pk).status == Declaration.Status.DRAFT
    assert not errors


def test_the_confirmation_renders_in_japanese(browser_as, trader_a):
    p.reference_data()
    declaration = documents_attach(_draft(trader_a))
    page = browser_as(trader_a, language="ja", viewport=PHONE)
    errors = _open(page, f"/declarations/{declaration.pk}/submit/")
    assert "¥36,000" in page.locator("main").inner_text()
    screenshot(page, "declaration-submit-confirm-phone-ja")
    assert not errors
