"""The officers' risk lists in a real browser: data, working charts, links, filters,
the dashboard counts, a phone; any JavaScript or console error fails the test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from declarations.models import Declaration
from inspection import services
from inspection.models import InspectionResult
from tests.browser import PHONE, screenshot
from tests.declarations.factories import CustomsOfficeFactory, DeclarationFactory, DeclarationLineFactory
from tests.inspection.factories import submit_and_screen
from tests.tariff.factories import TariffLineFactory

pytestmark = pytest.mark.django_db(transaction=True)

INSPECTION_CHARTS = ["chart-distribution", "chart-captured", "chart-precision"]


def _usual_origin(history, hs_code: str) -> str:
    return history.loc[history["tariff_code"] == hs_code, "country"].mode()[0]


@pytest.fixture
def risk_lists(trained_model, history_frame, trader_a, trader_b, inspection_officer, audit_officer):
    """Scored declarations at Tokyo (1A) and Osaka (4A): open ones for the inspection list,
    cleared ones for the audit list, misdeclared ones for "probably wrong", one result."""
    TariffLineFactory(hs_code="610910000", rates={"general": "10.9%"})
    TariffLineFactory(hs_code="847130000", rates={"general": "0%"})
    tokyo = CustomsOfficeFactory(code="1A")
    osaka = CustomsOfficeFactory(code="4A", name_ja="大阪税関", name_en="Osaka Customs")
    shirts_from, laptops_from = _usual_origin(history_frame, "610910000"), _usual_origin(history_frame, "847130000")
    made = []
    specs = [
        # trader, office, code, description, origin, quantity, kg, value, status
        (trader_a, tokyo, "610910000", "cotton knitted t-shirts", shirts_from, 100, 20, 80000, "inspection"),
        (trader_a, tokyo, "610910000", "portable laptop computers", shirts_from, 100, 200, 20000, "inspection"),
        (trader_b, tokyo, "847130000", "portable laptop computers", laptops_from, 50, 100, 30000, "document_review"),
        (trader_b, tokyo, "610910000", "cotton knitted t-shirts", "GB", 100, 20, 80000, "permitted"),
        (trader_a, osaka, "847130000", "portable laptop computers", laptops_from, 10, 20, 600000, "permitted"),
        (trader_b, osaka, "610910000", "portable laptop computers", shirts_from, 100, 200, 20000, "inspection"),
    ]
    for trader, office, code, description, origin, quantity, kg, value, status in specs:
        declaration = DeclarationFactory(
            company=trader.company, declarant=trader, office=office, declaration_date=dt.date(2026, 3, 3)
        )
        DeclarationLineFactory(
            declaration=declaration, line_no=1, hs_code=code, description=description, origin_country=origin,
            quantity=Decimal(quantity), unit="NO", net_weight_kg=Decimal(kg), invoice_value=Decimal(value),
        )  # fmt: skip
        made.append(submit_and_screen(declaration, by=trader))
        Declaration.objects.filter(pk=declaration.pk).update(status=status)
    services.inspection_result_record(
        declaration=made[0], kind=InspectionResult.Kind.INSPECTION, outcome=InspectionResult.Outcome.DISCREPANCY,
        additional_duty_jpy=12000, fraud_type="undervaluation", notes="", officer=inspection_officer,
    )  # fmt: skip
    for officer in (inspection_officer, audit_officer):
        officer.office = tokyo
        officer.save(update_fields=["office"])
    return made


def _watch(page) -> list[str]:
    """Every uncaught exception, console error and failed response of the page. Motion is
    reduced, so the charts are drawn at once and screenshots show them whole."""
    page.emulate_media(reduced_motion="reduce")
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on(
        "response", lambda response: response.status >= 400 and problems.append(f"{response.status} {response.url}")
    )
    return problems


def _charts_drawn(page, selector: str) -> list[int]:
    """For each canvas matching `selector`, how many values its Chart instance draws (-1: no chart)."""
    return page.evaluate(
        """selector => Array.from(document.querySelectorAll(selector)).map(canvas => {
            const chart = window.Chart && Chart.getChart(canvas);
            return chart ? chart.data.datasets[0].data.filter(v => v !== null).length : -1;
        })""",
        selector,
    )


def test_the_inspection_list_draws_its_three_charts_and_links_its_numbers(browser_as, risk_lists, inspection_officer):
    page = browser_as(inspection_officer, language="en")
    problems = _watch(page)

    page.goto("/inspection/")

    assert page.get_by_label("Office").input_value() == "1A"
    rows = page.locator("table tbody tr")
    assert rows.count() == 3  # the open declarations at Tokyo
    assert _charts_drawn(page, "#" + ", #".join(INSPECTION_CHARTS)) == [7, 4, 1]
    screenshot(page, "inspection-list-desktop-en")
    number = risk_lists[1].number
    page.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/declarations/{risk_lists[1].pk}/")
    assert number in page.locator("h1").inner_text()
    page.go_back()
    page.locator("table tbody tr", has_text=number).get_by_role("link", name=risk_lists[1].company.name).click()
    page.wait_for_url(f"**/inspection/companies/{risk_lists[1].company_id}/")
    assert page.locator("h1").inner_text() == risk_lists[1].company.name
    assert page.locator("table tbody tr").count() == 3  # all of the company's declarations
    assert problems == []


def test_the_audit_and_probably_wrong_lists_draw_their_charts(browser_as, risk_lists, audit_officer):
    page = browser_as(audit_officer, language="en")
    problems = _watch(page)

    page.goto("/inspection/audit/?office=")
    assert page.locator("table tbody tr").count() == 2
    assert _charts_drawn(page, "canvas[data-chart]") == [2]
    screenshot(page, "audit-list-desktop-en")

    page.goto("/inspection/probably-wrong/")
    assert page.get_by_label("Office").input_value() == "1A"
    rows = page.locator("table tbody tr")
    assert rows.count() >= 2
    assert "Tariff chapter 84" in rows.filter(has_text=risk_lists[1].number).inner_text()
    assert "Origin usually" in rows.filter(has_text=risk_lists[3].number).inner_text()
    assert _charts_drawn(page, "canvas[data-chart]") == [3]
    screenshot(page, "probably-wrong-desktop-en")

    page.goto("/inspection/probably-wrong/", wait_until="load")
    page.set_viewport_size(PHONE)
    page.reload()
    assert _charts_drawn(page, "canvas[data-chart]") == [3]
    assert problems == []


def test_the_dashboard_count_is_what_the_list_shows(browser_as, risk_lists, audit_officer):
    page = browser_as(audit_officer, language="en")
    problems = _watch(page)

    page.goto("/officer/")
    card = page.locator("article", has=page.get_by_role("heading", name="Declarations probably wrong"))
    count = int(card.locator(".queue-card__count").inner_text())
    assert count >= 2
    card.locator("a.queue-card__count").click()
    page.wait_for_url("**/inspection/probably-wrong/")
    assert page.locator("table tbody tr").count() == count
    audit_card = page.goto("/officer/") and page.locator(
        "article", has=page.get_by_role("heading", name="Post-clearance audit list")
    )
    audit_count = int(audit_card.locator(".queue-card__count").inner_text())
    audit_card.locator("a.queue-card__count").click()
    page.wait_for_url("**/inspection/audit/")
    assert page.locator("table tbody tr").count() == audit_count == 1  # Tokyo's cleared declaration
    assert problems == []


def test_invalid_filters_list_nothing_and_say_what_is_wrong_on_a_phone(browser_as, risk_lists, inspection_officer):
    page = browser_as(inspection_officer, language="en", viewport=PHONE)
    problems = _watch(page)

    page.goto("/inspection/?chapter=abc&date_from=2026-13-45")

    assert page.locator(".field-error").count() == 2
    assert page.locator("table tbody tr").count() == 1
    assert "Correct the filters above" in page.locator("table tbody").inner_text()
    assert _charts_drawn(page, "#" + ", #".join(INSPECTION_CHARTS)) == [7, 4, 1]
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], "the page scrolls sideways on a phone"
    screenshot(page, "inspection-list-invalid-filters-phone-en")

    page.goto("/inspection/")
    assert page.locator("table tbody tr").count() == 3
    screenshot(page, "inspection-list-phone-en")
    assert problems == []


def test_the_lists_work_in_japanese_and_the_result_form_asks_for_an_outcome(browser_as, risk_lists, inspection_officer):
    page = browser_as(inspection_officer, language="ja")
    problems = _watch(page)
    for url in ("/inspection/", "/inspection/audit/", "/inspection/probably-wrong/"):
        page.goto(url)
        assert page.locator("table tbody tr a").count() > 0, url
    assert _charts_drawn(page, "canvas[data-chart]") == [3]

    declaration = risk_lists[1]  # under inspection, no result yet
    page.goto(f"/inspection/declarations/{declaration.pk}/result/")
    heading = page.locator("h1").inner_text()
    assert declaration.number in heading and declaration.company.name in heading
    assert page.locator("#id_outcome").input_value() == ""
    # An inspection officer records inspections, not post-clearance audits.
    assert page.locator("#id_kind option").evaluate_all("options => options.map(o => o.value)") == ["inspection"]
    page.locator("form:has(#id_outcome) button[type=submit]").click()
    # The browser itself asks for the outcome before sending (the server refuses too: test_lists).
    assert page.locator("#id_outcome").evaluate("select => select.validity.valueMissing")
    assert not InspectionResult.objects.filter(declaration=declaration).exists()
    screenshot(page, "result-form-desktop-ja")
    assert problems == []


@pytest.mark.parametrize(("language", "viewport"), [("en", None), ("ja", PHONE)])
def test_the_models_page_shows_metrics_as_percentages_and_only_the_supervisors_buttons(
    browser_as, trained_model, supervisor, clearance_officer, language, viewport
):
    newer = services.risk_model_train(system="test")
    page = browser_as(supervisor, language=language, viewport=viewport)
    problems = _watch(page)
    page.goto("/inspection/models/")
    assert page.locator("form[action$='/promote/'] button").count() == 1  # the version not served
    assert page.locator("form[action$='/rollback/'] button").count() == 1
    precision = newer.metrics["holdout"]["precision@5%"]
    assert f"{precision * 100:.1f} %" in page.locator("table").inner_text()
    screenshot(page, f"risk-models-{language}")
    officer = browser_as(clearance_officer, language=language, viewport=viewport)
    officer.goto("/inspection/models/")
    assert officer.locator("table tbody tr").count() == 2
    assert officer.locator("form[action$='/promote/'], form[action$='/rollback/']").count() == 0
    assert problems == []


def test_the_audit_company_page_is_named_after_the_company_and_shows_yen(browser_as, risk_lists, audit_officer):
    company = risk_lists[3].company
    page = browser_as(audit_officer, language="ja")
    problems = _watch(page)
    page.goto(f"/inspection/audit/{company.pk}/")
    assert company.name in page.locator("h1").inner_text() and company.name in page.title()
    assert "¥" in page.locator("table tbody td.num").first.inner_text()
    screenshot(page, "audit-company-ja")
    page.goto(f"/inspection/declarations/{risk_lists[3].pk}/result/")
    assert company.name in page.locator("h1").inner_text()
    screenshot(page, "audit-result-form-ja")
    assert problems == []
