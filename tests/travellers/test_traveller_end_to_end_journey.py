"""One traveller from the phone to the gate, in real headless Chromium: the declaration
filled in on a phone in Japanese, its QR code shown at a kiosk with the passport's MRZ,
the duty paid by card at the kiosk, the gate open with a receipt, and the clearance
officer's console showing the decision and the paid declaration."""

from __future__ import annotations

import pytest

from declarations.travellers.models import KioskDecision, TravellerDeclaration
from payments.models import Assessment
from tests.browser import Journey
from tests.travellers.test_kiosk_browser import LANDSCAPE, MULTILINGUAL, _choose_language, _on_screen, _passport, _scan
from tests.travellers.test_phone_journey import (
    NAMES,
    _answer,
    _estimate_shown,
    _fill_journey,
    _fill_passport,
    _item,
    _next,
    _open,
    _stored_token,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _declare_on_the_phone(browser_as) -> str:
    page = _open(browser_as, "ja", "/travel/declare/")
    journey = Journey(page, name="end-to-end-phone", language="ja", viewport="phone", allowed=NAMES)
    _fill_passport(page)
    _next(page)
    _fill_journey(page)
    _next(page)
    _answer(page, yes={"over_allowance"})
    _next(page)
    _item(page, 0, category="other", description="Handbag", quantity=1, value=150_000)
    page.locator("[data-add-item]").click()
    _item(page, 1, category="other", description="Watch", quantity=1, value=100_000)
    _next(page)
    _estimate_shown(page, journey)
    assert "9,000" in page.locator("[data-estimate] .t-total").inner_text()
    journey.step("review")
    page.locator("[data-confirm]").press("Enter")
    page.wait_for_function("() => document.querySelector('[data-state]').dataset.state === 'sent'")
    page.wait_for_function("() => document.querySelector('section[data-step=done] [data-qr-image]').naturalWidth > 0")
    journey.step("qr")
    journey.assert_no_problems()
    return _stored_token(page)


def _pay_at_the_kiosk(browser_as, kiosk, token: str) -> None:
    page = browser_as(None, language="en", viewport=LANDSCAPE)
    page.context.add_init_script(f"localStorage.setItem('kiosk.token', '{kiosk.raw_token}')")
    journey = Journey(page, name="end-to-end-kiosk", language="en", viewport="1280x1024", allowed=MULTILINGUAL)
    page.goto("/kiosk/")
    _on_screen(page, "language")
    _choose_language(journey, "English")
    _scan(journey, token)
    _passport(journey)
    _on_screen(page, "pay")
    assert page.locator("[data-pay-amount]").inner_text() == "¥9,000"
    journey.step("pay")
    page.locator("[data-action=pay][data-method=card]").click()
    page.wait_for_url("**/sandbox-gateway/pay/**")
    page.locator("#id_card_number").fill("4242 4242 4242 4242")
    page.locator("#id_expiry_month").fill("12")
    page.locator("#id_expiry_year").fill("2099")
    page.locator("#id_cvc").fill("123")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/kiosk/**")
    _on_screen(page, "gate")
    assert page.locator("[data-receipt-amount]").inner_text() == "¥9,000"
    journey.step("gate")
    journey.assert_no_problems()


def test_a_traveller_declares_on_the_phone_pays_at_the_kiosk_and_the_officer_sees_it(
    browser_as, kiosk, clearance_officer
):
    token = _declare_on_the_phone(browser_as)
    declaration = TravellerDeclaration.objects.get()
    assert declaration.language == "ja" and declaration.duty_jpy == 9_000

    _pay_at_the_kiosk(browser_as, kiosk, token)
    declaration.refresh_from_db()
    assert declaration.status == TravellerDeclaration.Status.GATE
    assert Assessment.objects.get(kind="traveller").status == "paid"
    assert KioskDecision.objects.get().declaration == declaration

    page = browser_as(clearance_officer, language="ja")
    # The officer's login, the goods as typed and the audit trail's actors (a system
    # component and the kiosk's service user) are names, not text to translate.
    names = {declaration.reference, "clearance", "Handbag", "Watch", "payments", "kiosk"}
    journey = Journey(page, name="end-to-end-officer", language="ja", viewport="desktop", allowed=names)
    page.goto("/officer/travellers/")
    assert declaration.reference in page.locator("main").inner_text()
    journey.step("console")
    page.locator(f"a:has-text('{declaration.reference}')").first.click()
    page.wait_for_url(f"**/officer/travellers/declarations/{declaration.pk}/")
    text = page.locator("main").inner_text()
    assert "9,000" in text
    journey.step("declaration")
    journey.assert_no_problems()
