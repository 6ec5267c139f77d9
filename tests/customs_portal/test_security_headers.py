"""Every response carries the Content-Security-Policy and the Permissions-Policy, and the
pages hold nothing that policy would block: no inline script, event handler or style."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.browser import Journey, charts_drawn
from tests.payments.factories import assessment_for, deliver_and_process, pay_card_at_gateway, start_payment

TEMPLATES = Path(settings.BASE_DIR) / "templates"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


def _assert_headers(response, label: str) -> None:
    assert response["Content-Security-Policy"] == CSP, label
    policy = {item.strip() for item in response["Permissions-Policy"].split(",")}
    assert {"camera=()", "microphone=()", "geolocation=()", "payment=()"} <= policy, label


@pytest.mark.django_db
def test_pages_api_answers_errors_and_static_files_carry_both_policies(client, client_for, trader_a, supervisor):
    anonymous = [reverse("public-home"), reverse("login"), "/no-such-page/", "/static/css/portal.css"]
    for path in anonymous:
        _assert_headers(client.get(path), path)
    trader = client_for(trader_a)
    for path in [reverse("trader-dashboard"), reverse("api-docs"), f"{reverse('api-docs')}?script=", "/api/v1/me/"]:
        response = trader.get(path)
        assert response.status_code == 200, path
        _assert_headers(response, path)
    officer = client_for(supervisor)
    for path in [reverse("officer-dashboard"), reverse("payments-officer"), "/admin/"]:
        _assert_headers(officer.get(path), path)


INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "event handler attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
}
# json_script's output is data, not code: <script id=... type="application/json">.
JSON_DATA = re.compile(r'<script[^>]*type="application/json"', re.IGNORECASE)


def test_no_template_holds_what_the_content_security_policy_blocks():
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = JSON_DATA.sub("", template.read_text(encoding="utf-8"))
        found += [
            f"{template.relative_to(TEMPLATES)}: {what}" for what, pattern in INLINE.items() if pattern.search(text)
        ]
    assert found == []


@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_api_docs_and_the_payments_chart_run_under_the_policy(browser_as, trader_a, supervisor):
    for _ in range(2):
        payment = start_payment(assessment_for(trader_a), trader_a)
        pay_card_at_gateway(payment)
        deliver_and_process(payment)

    page = browser_as(trader_a)
    journey = Journey(page, name="csp", language="en", viewport="desktop")
    page.goto(reverse("api-docs"))
    page.locator(".opblock").first.wait_for()
    journey.step("api-docs")

    page = browser_as(supervisor)
    officer = Journey(page, name="csp", language="en", viewport="desktop")
    page.goto(reverse("payments-officer"))
    officer.step("officer-payments")
    [(values, painted)] = charts_drawn(page, "#daily-totals")
    assert values > 0 and painted > 0

    journey.assert_no_problems()
    officer.assert_no_problems()
