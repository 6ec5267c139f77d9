"""A supervisor's journey through the travellers' rules in a real browser, in Japanese
and English, on a desktop and a phone: open the rules from the navigation, add a set
from a future day prefilled with the rules in force, change it, then delete it. Any
JavaScript error, HTTP 5xx, page wider than the phone or (in Japanese) English left on
a page fails it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from declarations.tariff.models import TravellerRuleSet
from tests.browser import PHONE, Journey

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = {"desktop": None, "phone": PHONE}
# The stored source of the seeded set and the fixture's names, shown as they are.
NAMES = {
    "Customs Answer",
    "and",
    "allowances",
    "simplified rates",
    "taxable value",
    "the overseas value",
    "general rate over",
    "supervisor",
    "customs.go.jp/kaigairyoko/zeigaku.htm",
}


def _japanese_compiled() -> bool:
    with translation.override("ja"):
        return translation.gettext("Travellers' rules") != "Travellers' rules"


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_supervisor_adds_changes_and_deletes_a_future_rule_set(browser_as, supervisor, language, viewport):
    if language == "ja" and not _japanese_compiled():
        pytest.skip("the Japanese of /work/i18n/engine.json is not compiled into locale/ yet")
    page = browser_as(supervisor, language=language, viewport=VIEWPORTS[viewport])
    journey = Journey(page, name="traveller-rules", language=language, viewport=viewport, allowed=NAMES)
    start = timezone.localdate() + dt.timedelta(days=60)

    page.goto("/tariff/")
    page.locator("a[href='/tariff/traveller-rules/']").first.click()
    page.wait_for_url("**/tariff/traveller-rules/")
    assert page.locator("main table tbody tr").count() == 1
    journey.step("list")

    page.locator("a[href='/tariff/traveller-rules/new/']").click()
    assert page.locator("#id_other_goods_jpy").input_value() == "200000"
    page.locator("#id_valid_from").fill(start.isoformat())
    page.locator("#id_cigarettes").fill("100")
    journey.step("new")
    page.locator("main form:not([action$='/delete/']) button[type=submit]").click()
    page.wait_for_url("**/tariff/traveller-rules/")
    assert page.locator("main table tbody tr").count() == 2
    journey.step("added")
    rule_set = TravellerRuleSet.objects.get(valid_from=start)
    assert rule_set.cigarettes == 100

    page.locator(f"a[href='/tariff/traveller-rules/{rule_set.pk}/']").click()
    page.locator("#id_other_goods_jpy").fill("300000")
    page.locator("main form:not([action$='/delete/']) button[type=submit]").click()
    page.wait_for_url("**/tariff/traveller-rules/")
    rule_set.refresh_from_db()
    assert rule_set.other_goods_jpy == 300_000
    journey.step("changed")

    page.locator(f"a[href='/tariff/traveller-rules/{rule_set.pk}/']").click()
    page.locator(f"form[action='/tariff/traveller-rules/{rule_set.pk}/delete/'] button").click()
    page.wait_for_url("**/tariff/traveller-rules/")
    assert not TravellerRuleSet.objects.filter(pk=rule_set.pk).exists()
    journey.step("deleted")
    journey.assert_no_problems()
