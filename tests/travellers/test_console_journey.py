"""The officer console in a real browser, in Japanese and English, on a desktop and a
phone: the live list gets a kiosk's new decision without a reload, an officer decides the
red-lane declaration and looks up a passport; a supervisor registers and revokes a kiosk,
adds a gate rule (after a refused one) and a watch-list entry. Any JavaScript error,
console error, HTTP 5xx, sideways scrolling or (in Japanese) English left on a page fails it."""

from __future__ import annotations

import re
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from declarations.travellers import services
from declarations.travellers.models import GateRiskRule, Kiosk, TravellerDeclaration, WatchListEntry
from tests.browser import PHONE, Journey, charts_drawn
from tests.travellers.factories import declaration_file, kiosk_register, passport_mrz

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = {"desktop": None, "phone": PHONE}
# The fixtures' user names, which a Japanese page shows as they are.
NAMES = {"clearance", "supervisor"}
# Five bottles of whisky: two over the allowance, ¥1,100 at the simplified rate.
WHISKY = {"category": "whisky_brandy", "quantity": 5, "value_jpy": 5000, "volume_ml": 700}


def _decide(kiosk, declaration) -> None:
    services.kiosk_decide(kiosk=kiosk, token=declaration.token, mrz=passport_mrz(), request_key=uuid.uuid4().hex)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_an_officer_sees_a_new_kiosk_decision_live_and_decides_it_at_the_desk(
    browser_as, clearance_officer, supervisor, language, viewport
):
    kiosk, _raw = kiosk_register(by=supervisor)
    through = declaration_file()
    _decide(kiosk, through)
    page = browser_as(clearance_officer, language=language, viewport=VIEWPORTS[viewport])
    # References are random capitals and digits: one without a digit reads like a word.
    journey = Journey(page, name="console", language=language, viewport=viewport, allowed=NAMES | {through.reference})

    page.goto("/officer/travellers/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("#live-rows tr").count() == 1
    journey.step("live-list")
    page.evaluate("window.stillTheSamePage = true")

    # Meanwhile a supervisor flags a flight and a traveller off it scans at the kiosk.
    services.gate_rule_create(kind="flight", value="JL61", valid_from=timezone.now(), created_by=supervisor)
    red = declaration_file(flight_number="JL61", answers={"over_allowance": True}, items=[WHISKY])
    _decide(kiosk, red)
    journey.allowed = journey.allowed | {red.reference}
    page.locator("#live-rows tr").first.locator(f"a:text-is('{red.reference}')").wait_for(timeout=10_000)
    assert page.evaluate("window.stillTheSamePage === true"), "the page was reloaded"
    assert page.locator("#live-rows tr").count() == 2
    assert page.locator("#live-rows tr").first.locator(".tlane--desk").count() == 1
    expect(page.locator("[data-count=desk]")).to_have_text("1")
    assert charts_drawn(page, "#lane-counts")[0][0] == 2
    journey.step("live-list-updated")

    link = page.locator("#live-rows tr").first.locator("a")
    assert link.get_attribute("href") == f"/officer/travellers/declarations/{red.pk}/"

    page.locator(".traveller-nav a[href$='/desk/']").click()
    page.wait_for_url("**/officer/travellers/desk/")
    assert page.locator(".desk-terminal").count() == 1
    journey.step("desk-queue")
    page.locator(f".desk-terminal a:text-is('{red.reference}')").click()
    page.wait_for_url(f"**/officer/travellers/declarations/{red.pk}/")
    assert "¥1,100" in page.locator("main").inner_text()
    journey.step("declaration")
    page.locator("#decide input[value=duty_collected]").check()
    page.locator("#id_duty_jpy").fill("1100")
    page.locator("#id_note").fill("ウイスキー2本")
    page.locator("#decide button[type=submit]").click()
    page.wait_for_url(f"**/officer/travellers/declarations/{red.pk}/")
    assert page.locator(".message--success").count() == 1
    red.refresh_from_db()
    assert red.status == TravellerDeclaration.Status.CLEARED
    assert red.officer_decisions.get().duty_jpy == 1100
    journey.step("decided")

    page.locator(".traveller-nav a[href$='/desk/']").click()
    page.wait_for_url("**/officer/travellers/desk/")
    assert red.reference not in page.locator("main").inner_text()
    journey.step("desk-queue-empty")

    page.locator(".traveller-nav a[href$='/passport/']").click()
    page.wait_for_url("**/officer/travellers/passport/")
    page.locator("#id_passport").fill("TK1234567")
    page.locator("main form button[type=submit]").click()
    page.locator(f"main table a:text-is('{through.reference}')").wait_for()
    assert "TK1234567" not in page.url and "TK1234567" not in page.content()
    journey.step("passport-found")
    journey.assert_no_problems()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_supervisor_registers_and_revokes_a_kiosk_and_adds_gate_rules(browser_as, supervisor, language, viewport):
    page = browser_as(supervisor, language=language, viewport=VIEWPORTS[viewport])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    journey = Journey(page, name="gate-admin", language=language, viewport=viewport, allowed=NAMES)

    page.goto("/officer/travellers/kiosks/")
    journey.step("kiosks")
    page.locator("#id_code").fill("HND-T3-05")
    page.locator("#id_airport").select_option("HND")
    page.locator("#id_terminal").fill("T3")
    page.locator("#kiosk-register button[type=submit]").click()
    page.locator("#kiosk-token").wait_for()
    token = page.locator("#kiosk-token").inner_text().strip()
    # The token and its last four characters are random letters, not words to translate.
    journey.allowed = journey.allowed | {token, token[-4:]}
    page.locator("button[data-copy=kiosk-token]").click()
    expect(page.locator("#kiosk-token-copied")).not_to_have_text("")
    assert page.evaluate("navigator.clipboard.readText()") == token
    journey.step("kiosk-registered")

    kiosk = Kiosk.objects.get(code="HND-T3-05")
    page.goto("/officer/travellers/kiosks/")
    assert token not in page.content()
    page.locator(f"a[href$='/kiosks/{kiosk.pk}/revoke/']").click()
    page.wait_for_url(f"**/kiosks/{kiosk.pk}/revoke/")
    journey.step("kiosk-revoke-confirm")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/officer/travellers/kiosks/")
    kiosk.refresh_from_db()
    assert not kiosk.is_active
    journey.step("kiosk-revoked")

    page.locator(".traveller-nav a[href$='/rules/']").click()
    page.wait_for_url("**/officer/travellers/rules/")
    rules_before = GateRiskRule.objects.count()
    # A flagged flight without its number: the service refuses it on the field.
    page.locator("#id_kind").select_option("flight")
    page.locator("#rule-form button[type=submit]").click()
    page.locator("#id_value_error").wait_for()
    assert GateRiskRule.objects.count() == rules_before
    journey.step("rule-refused")
    # The refused form answers 400 on purpose, which Chromium reports as a console error.
    journey.problems = [problem for problem in journey.problems if "status of 400" not in problem]
    page.locator("#id_value").fill("NH204")
    page.locator("#rule-form button[type=submit]").click()
    page.wait_for_url("**/officer/travellers/rules/")
    page.locator(".message--success").wait_for()
    assert GateRiskRule.objects.get(kind="flight").value == "NH204"
    journey.step("rule-added")

    page.locator(".traveller-nav a[href$='/watch-list/']").click()
    page.wait_for_url("**/officer/travellers/watch-list/")
    page.locator("#id_passport_number").fill("ZZ7654321")
    page.locator("#watch-form button[type=submit]").click()
    page.locator(".message--success").wait_for()
    assert WatchListEntry.objects.count() == 1
    assert "ZZ7654321" not in page.content()
    journey.step("watch-list")
    journey.assert_no_problems()


_SET_HIDDEN = """hidden => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_the_live_list_pauses_in_a_hidden_tab_and_says_when_the_server_cannot_be_reached(
    browser_as, clearance_officer, supervisor
):
    kiosk, _raw = kiosk_register(by=supervisor)
    page = browser_as(clearance_officer, language="en")
    journey = Journey(page, name="console-live", language="en", viewport="desktop", allowed=NAMES)
    feed = re.compile(r"/officer/travellers/feed/")
    polls: list[str] = []
    page.on("request", lambda request: feed.search(request.url) and polls.append(request.url))
    with page.expect_request(feed, timeout=10_000):
        page.goto("/officer/travellers/")

    page.evaluate(_SET_HIDDEN, True)
    page.wait_for_timeout(500)  # a poll already under way may still finish
    asked = len(polls)
    page.wait_for_timeout(7_000)
    assert len(polls) == asked, "the list kept polling in a hidden tab"
    arrived = declaration_file()
    _decide(kiosk, arrived)
    with page.expect_request(feed, timeout=2_000):
        page.evaluate(_SET_HIDDEN, False)
    page.locator(f"#live-rows a:text-is('{arrived.reference}')").wait_for(timeout=5_000)

    page.route(feed, lambda route: route.abort())
    page.locator(".console-status--lost").wait_for(timeout=10_000)
    assert page.locator("#live-status").inner_text() == "Connection lost: trying again."
    journey.step("connection-lost")
    page.unroute(feed)
    expect(page.locator("#live-status")).to_have_text("", timeout=10_000)
    # The aborted requests are the point of the test; Chromium reports each as a console error.
    journey.problems = [problem for problem in journey.problems if "net::ERR_FAILED" not in problem]
    journey.assert_no_problems()
