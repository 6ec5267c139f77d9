"""The payment pages in a real browser: a pending payment is continued or cancelled,
a declined card reads as a sentence, amounts carry thousands separators."""

from __future__ import annotations

import pytest

from payments.models import PaymentIntent
from tests.browser import PHONE, screenshot
from tests.payments.factories import assessment_for, deliver_and_process, pay_card_at_gateway, start_payment

pytestmark = pytest.mark.django_db(transaction=True)


def _failing_on_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: errors.append(response.url) if response.status >= 500 else None)
    return errors


def test_a_trader_cancels_a_pending_payment_on_a_phone_and_pays_again(browser_as, trader_a):
    assessment = assessment_for(trader_a, duty=100_000, consumption=376_000, local=100_000)
    payment = start_payment(assessment, trader_a)
    page = browser_as(trader_a, language="en", viewport=PHONE)
    errors = _failing_on_errors(page)

    page.goto(f"/payments/{payment.pk}/return/")
    continue_link = page.get_by_role("button", name="Continue to the payment page")
    assert continue_link.get_attribute("href") == payment.redirect_url
    screenshot(page, "payment-pending-phone-en")
    page.get_by_role("button", name="Cancel this payment").click()

    page.wait_for_url(f"**/payments/assessments/{assessment.pk}/pay/")
    assert "is cancelled. You can pay again." in page.locator(".messages").inner_text()
    assert "¥576,000" in page.locator("table").inner_text()
    assert page.get_by_role("button", name="Continue to the payment gateway").is_visible()
    assert page.get_by_role("button", name="Cancel this payment").count() == 0
    screenshot(page, "payment-cancelled-pay-again-phone-en")
    payment.refresh_from_db()
    assert payment.status == PaymentIntent.Status.CANCELLED
    assert errors == []


def test_a_declined_card_reads_as_a_sentence_and_the_trader_continues_a_new_payment(browser_as, trader_a):
    assessment = assessment_for(trader_a)
    declined = start_payment(assessment, trader_a)
    pay_card_at_gateway(declined, "4000000000000002")
    deliver_and_process(declined)
    page = browser_as(trader_a, language="en")
    errors = _failing_on_errors(page)

    page.goto(f"/payments/{declined.pk}/return/")
    assert "The card issuer declined the payment." in page.locator(".payment-failure").inner_text()
    assert "card_declined" not in page.content()
    page.get_by_role("link", name="Try again").click()
    assert "failed:" in page.locator(".payment-failure").inner_text()
    screenshot(page, "payment-declined-pay-page-desktop-en")
    page.get_by_role("button", name="Continue to the payment gateway").click()
    page.wait_for_url("**/sandbox-gateway/pay/**")
    assert errors == []


def test_opening_the_cancel_address_directly_shows_the_405_page_on_a_phone(browser_as, trader_a):
    payment = start_payment(assessment_for(trader_a), trader_a)
    page = browser_as(trader_a, language="en", viewport=PHONE)
    errors = _failing_on_errors(page)
    response = page.goto(f"/payments/{payment.pk}/cancel/")
    assert response.status == 405
    assert page.get_by_role("heading", name="This page cannot be opened directly").is_visible()
    assert page.get_by_role("button", name="Go to your dashboard").is_visible()
    screenshot(page, "payment-cancel-get-405-phone-en")
    payment.refresh_from_db()
    assert payment.status == PaymentIntent.Status.PENDING
    assert errors == []
