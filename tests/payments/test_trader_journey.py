"""A trader's whole journey in a real browser, in Japanese and English, on a desktop and
a phone: log in, draft an import declaration while the duty estimate follows the typing,
attach the invoice, run the pre-check, submit, get a green lane after screening and an
assessment, pay it by card at the sandbox gateway and read the receipt. Any JavaScript
error, console error, HTTP 5xx or (in Japanese) English left on a page fails it."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from declarations.core.services import submission
from declarations.models import Declaration
from payments.models import Assessment, PaymentIntent, Receipt
from tests.browser import PHONE, Journey
from tests.customs_portal.factories import PASSWORD
from tests.declarations import declaration_payloads as p
from tests.payments.factories import deliver_and_process

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = {"desktop": None, "phone": PHONE}
# The fixture's names, typed into the declaration, which a Japanese page shows as they are.
NAMES = {"Company A", "trader_a", "Maison Dupont", "Cotton T-shirts", "invoice.pdf"}
# A one-page PDF, small enough to type out: the attachment check reads its signature.
INVOICE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _log_in(journey: Journey, username: str) -> None:
    page = journey.page
    page.goto("/accounts/login/")
    journey.step("login")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/trader/")
    journey.step("dashboard")


def _estimate_shows(page, amount: str) -> None:
    """Waits for the estimate panel to show `amount` (yen, with separators)."""
    try:
        page.wait_for_function(
            "amount => document.querySelector('#estimate-body').innerText.includes(amount)", arg=amount
        )
    except Exception as error:
        raise AssertionError(f"the estimate shows {page.locator('#estimate-body').inner_text()!r}") from error


def _draft(journey: Journey, office) -> Declaration:
    """Fills the new import form the way a person types, and watches the estimate."""
    page = journey.page
    page.locator("a[href$='/declarations/']").first.click()
    page.wait_for_url("**/declarations/")
    journey.step("declaration-list")
    page.locator("a[href$='/declarations/new/import/']").click()
    page.wait_for_url("**/declarations/new/import/")
    page.locator("#id_office").select_option(str(office.pk))
    page.locator("#id_declaration_date").fill(timezone.localdate().isoformat())
    page.locator("#id_party_name").fill("Company A")
    page.locator("#id_consignee_name").fill("Maison Dupont")
    page.locator("#id_consignee_country").fill("FR")
    page.locator("#id_invoice_currency").fill("JPY")
    line = page.locator("[data-line]").first
    line.locator("[name$='-hs_code']").press_sequentially(p.TSHIRT)
    line.locator("[name$='-description']").fill("Cotton T-shirts")
    line.locator("[name$='-origin_country']").press_sequentially("US")
    line.locator("[name$='-quantity']").fill("100")
    line.locator("[name$='-unit']").fill("NO")
    line.locator("[name$='-net_weight_kg']").fill("20")
    line.locator("[name$='-invoice_value']").press_sequentially("200000")
    # The WTO rate for US goods, 7.4 % of ¥200,000; the panel follows the last keystroke.
    _estimate_shows(page, "14,800")
    line.locator("[name$='-invoice_value']").press("Backspace")
    _estimate_shows(page, "1,480")
    line.locator("[name$='-invoice_value']").press_sequentially("0")
    _estimate_shows(page, "14,800")
    journey.step("draft-form-estimate")
    page.locator("#declaration-form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/declarations/\d+/$"))
    journey.step("draft-saved")
    return Declaration.objects.get(company__name="Company A")


def _attach_invoice_and_precheck(journey: Journey, declaration: Declaration) -> None:
    page = journey.page
    upload = page.locator("form[action$='/attachments/']")
    upload.locator("[name=kind]").select_option("invoice")
    upload.locator("input[type=file]").set_input_files(
        {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": INVOICE_PDF}
    )
    upload.locator("button[type=submit]").click()
    page.wait_for_url(f"**/declarations/{declaration.pk}/")
    assert "invoice.pdf" in page.locator("body").inner_text()
    journey.step("invoice-attached")
    assert declaration.attachments.get().original_name == "invoice.pdf"
    page.goto(f"/declarations/{declaration.pk}/precheck/")
    assert page.locator(".precheck").count() == 1
    assert page.locator(".precheck__item--error").count() == 0
    journey.step("precheck")
    page.goto(f"/declarations/{declaration.pk}/")


def _submit_control(page):
    """The Submit button of the declaration page, or of a confirmation step (a page under
    /submit/ whose form posts to itself)."""
    if "/submit/" in page.url:
        return page.locator("main form[method=post]:not([action]) button[type=submit]").first
    return page.locator("main form[action*='/submit/'] button[type=submit], main a[href*='/submit/']").first


def _submit(journey: Journey, declaration: Declaration) -> None:
    """Presses Submit, and again on any confirmation step, until the declaration is submitted."""
    page = journey.page
    for _attempt in range(3):
        with page.expect_navigation():
            _submit_control(page).click()
        declaration.refresh_from_db()
        if declaration.status != Declaration.Status.DRAFT:
            break
        journey.step("submit-confirmation")
    assert declaration.status == Declaration.Status.SUBMITTED
    page.goto(f"/declarations/{declaration.pk}/")
    assert page.locator(".status-submitted").count() == 1
    journey.step("submitted")


def _pay_by_card(journey: Journey, declaration: Declaration) -> Receipt:
    page = journey.page
    assessment = Assessment.objects.get(declaration=declaration)
    page.locator("a[href$='/payments/']").first.click()
    page.wait_for_url("**/payments/")
    journey.step("payments")
    page.locator(f"a[href$='/payments/assessments/{assessment.pk}/pay/']").click()
    page.locator("input[name=method][value=card]").check()
    journey.step("pay")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/sandbox-gateway/pay/**")
    journey.step("gateway")
    page.locator("[name=card_number]").fill("4242 4242 4242 4242")
    page.locator("[name=expiry_month]").fill("12")
    page.locator("[name=expiry_year]").fill("2099")
    page.locator("[name=cvc]").fill("123")
    page.locator("main form button[type=submit]").first.click()
    payment = PaymentIntent.objects.get(assessment=assessment)
    page.wait_for_url(f"**/payments/{payment.pk}/return/")
    journey.step("payment-pending")
    # What the Celery workers do: the gateway's webhook reaches the portal, which processes it.
    deliver_and_process(payment)
    page.goto(f"/payments/{payment.pk}/return/")
    receipt = Receipt.objects.get(payment=payment)
    page.locator(f"a[href$='/payments/receipts/{receipt.pk}/']").click()
    page.wait_for_url(f"**/payments/receipts/{receipt.pk}/")
    body = page.locator("body").inner_text()
    assert receipt.number in body and f"{assessment.total_jpy:,}" in body
    journey.step("receipt")
    return receipt


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_trader_drafts_submits_and_pays_an_import_declaration(browser_as, trader_a, language, viewport):
    office = p.reference_data()["office"]
    journey = Journey(
        browser_as(None, language=language, viewport=VIEWPORTS[viewport]),
        name="trader",
        language=language,
        viewport=viewport,
        allowed=NAMES | {trader_a.company.name, trader_a.display_name},
    )
    _log_in(journey, trader_a.username)
    declaration = _draft(journey, office)
    _attach_invoice_and_precheck(journey, declaration)
    _submit(journey, declaration)

    # What the screening task does once the submission is committed.
    assert submission.declaration_screen(declaration_id=declaration.pk) == Declaration.Lane.GREEN
    journey.page.reload()
    declaration.refresh_from_db()
    assert declaration.status == Declaration.Status.AWAITING_PAYMENT
    assert journey.page.locator(".status-awaiting_payment").count() == 1
    journey.step("green-lane")
    receipt = _pay_by_card(journey, declaration)

    declaration.refresh_from_db()
    assert declaration.status == Declaration.Status.PERMITTED
    assert receipt.payment.amount_jpy == declaration.total_tax_jpy
    journey.page.goto(f"/declarations/{declaration.pk}/")
    journey.step("permitted")
    journey.assert_no_problems()
