"""The tariff search and the officers' payment search are one responsive form pattern
(`search-form`): labels above the inputs, help text under them, a button as tall as the
inputs and not a pill, and fields that stack on a phone without overflowing it."""

from __future__ import annotations

import pytest

from declarations.models import Declaration
from tests.browser import PHONE, screenshot
from tests.declarations.factories import DeclarationFactory
from tests.payments.factories import assessment_for
from tests.tariff.factories import TariffLineFactory

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}

# Each field's label, control and help text, and the button, as the browser lays them out.
GEOMETRY = """(form) => {
  const box = (element) => element && element.getBoundingClientRect().toJSON();
  const fields = [...form.querySelectorAll(".search-form__field")].map((field) => ({
    label: box(field.querySelector("label")),
    control: box(field.querySelector("input, select")),
    help: box(field.querySelector("small")),
  }));
  const button = form.querySelector("button");
  return {
    form: box(form),
    fields: fields,
    button: box(button),
    buttonRadius: parseFloat(getComputedStyle(button).borderTopLeftRadius),
    pageWidth: document.documentElement.scrollWidth,
  };
}"""


def failing_on_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: errors.append(response.url) if response.status >= 500 else None)
    return errors


def check_layout(page, viewport: dict) -> None:
    layout = page.locator("form.search-form").evaluate(GEOMETRY)
    fields, button = layout["fields"], layout["button"]
    assert len(fields) >= 2
    for field in fields:
        assert field["label"]["bottom"] <= field["control"]["top"] + 1, "the label sits above its input"
        if field["help"]:
            assert field["help"]["top"] >= field["control"]["bottom"] - 1, "the help text sits under its input"
    control_height = fields[0]["control"]["height"]
    assert abs(button["height"] - control_height) <= 1, "the button is as tall as the inputs"
    assert layout["buttonRadius"] < button["height"] / 4, "the button is not a pill"
    assert layout["pageWidth"] <= viewport["width"], "nothing overflows the page"
    if viewport is PHONE:
        # Stacked: every field takes the form's width, one under another, the button last.
        for field in fields:
            assert field["control"]["width"] >= layout["form"]["width"] - 2
        tops = [field["control"]["top"] for field in fields]
        assert tops == sorted(tops) and len(set(tops)) == len(tops)
        assert button["top"] >= max(field["control"]["bottom"] for field in fields)
        assert button["width"] < viewport["width"] / 2, "a button, not a stretched bar"
    else:
        # One row: the inputs side by side and the button level with them.
        tops = {round(field["control"]["top"]) for field in fields}
        assert len(tops) == 1
        assert abs(button["top"] - fields[0]["control"]["top"]) <= 1


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_tariff_search_form_is_clean_on_desktop_and_phone(browser_as, trader_a, viewport):
    TariffLineFactory(hs_code="220421000", description_en="Wine of fresh grapes", description_ja="ぶどう酒")
    page = browser_as(trader_a, language="en", viewport=viewport)
    errors = failing_on_errors(page)
    page.goto("/tariff/?q=wine")
    assert "Wine of fresh grapes" in page.locator("table").inner_text()
    check_layout(page, viewport)
    screenshot(page, f"search-form-tariff-{'phone' if viewport is PHONE else 'desktop'}-en")
    assert errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_payment_search_form_is_clean_on_desktop_and_phone(browser_as, clearance_officer, viewport):
    page = browser_as(clearance_officer, language="en", viewport=viewport)
    errors = failing_on_errors(page)
    page.goto("/payments/officer/")
    page.get_by_label("Status").select_option("succeeded")
    page.get_by_role("button", name="Search").click()
    assert "status=succeeded" in page.url
    check_layout(page, viewport)
    screenshot(page, f"search-form-payments-{'phone' if viewport is PHONE else 'desktop'}-en")
    assert errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_trader_dashboard_shows_open_declarations_and_amounts_due(browser_as, trader_a, viewport):
    for status in (Declaration.Status.DRAFT, Declaration.Status.DRAFT, Declaration.Status.DOCUMENT_REVIEW):
        DeclarationFactory(company=trader_a.company, declarant=trader_a, status=status)
    assessment_for(trader_a, duty=12_000_000, consumption=345_678, local=901)
    page = browser_as(trader_a, language="en", viewport=viewport)
    errors = failing_on_errors(page)
    page.goto("/trader/")
    assert "¥12,346,579" in page.locator("#amounts-due").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"trader-dashboard-{'phone' if viewport is PHONE else 'desktop'}-en")
    page.locator("#open-declarations").get_by_role("link", name="Draft").click()
    assert page.url.endswith("/declarations/?status=draft")
    assert errors == []
