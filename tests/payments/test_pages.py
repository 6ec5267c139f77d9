"""The trader's and the officers' pages, and the API schema."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from customs_portal.models import Role
from declarations.models import Declaration
from payments.models import Assessment, PaymentIntent, Receipt
from payments.sandbox.models import GatewayCharge
from tests.customs_portal.factories import UserFactory
from tests.payments.factories import assessment_for, deliver_and_process, pay_card_at_gateway, start_payment

pytestmark = pytest.mark.django_db


def test_trader_pays_by_card_through_the_hosted_page_and_gets_a_receipt(
    assessment_a, trader_a, client_for, django_capture_on_commit_callbacks
):
    client = client_for(trader_a)
    home = client.get("/payments/", HTTP_ACCEPT_LANGUAGE="en")
    assert assessment_a.reference in home.content.decode()
    page = client.get(f"/payments/assessments/{assessment_a.pk}/pay/", HTTP_ACCEPT_LANGUAGE="en")
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page.content.decode()).group(1)
    # A tampered amount in the form has no field to land in: the server decides.
    response = client.post(
        f"/payments/assessments/{assessment_a.pk}/pay/", {"method": "card", "idempotency_key": key, "amount_jpy": 1}
    )
    charge = GatewayCharge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/sandbox-gateway/pay/{charge.token}/"
    assert charge.amount_jpy == 30_800

    gateway_page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "4242 4242 4242 4242" in gateway_page.content.decode()
    paid = client.post(
        response["Location"],
        {"card_number": "4242 4242 4242 4242", "expiry_month": 12, "expiry_year": 2099, "cvc": "123"},
    )
    payment = PaymentIntent.objects.get()
    assert paid["Location"] == f"http://testserver/payments/{payment.pk}/return/"
    pending = client.get(f"/payments/{payment.pk}/return/", HTTP_ACCEPT_LANGUAGE="en")
    assert b"Pending" in pending.content and b'http-equiv="refresh"' in pending.content

    with django_capture_on_commit_callbacks(execute=True):
        deliver_and_process(payment)
    done = client.get(f"/payments/{payment.pk}/return/", HTTP_ACCEPT_LANGUAGE="en")
    receipt = Receipt.objects.get()
    assert b"Paid" in done.content and receipt.number.encode() in done.content
    assert Declaration.objects.get().status == Declaration.Status.PERMITTED
    receipt_page = client.get(f"/payments/receipts/{receipt.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert b"30,800" in receipt_page.content
    assert f"<h1>Receipt {receipt.number}</h1>" in receipt_page.content.decode()
    for language in ("ja", "en"):
        pdf = client.get(f"/payments/receipts/{receipt.pk}/pdf/?lang={language}")
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
        # The Japanese font travels inside the PDF; none is left for the reader's machine.
        assert re.search(rb"/BaseFont /[A-Z]{6}\+IPAexGothic", pdf.content) and b"/FontFile2" in pdf.content
        assert b"HeiseiKakuGo" not in pdf.content


def test_a_declined_card_shows_the_decline_and_offers_another_try(assessment_a, trader_a, client_for):
    client = client_for(trader_a)
    payment = start_payment(assessment_a, trader_a)
    pay_card_at_gateway(payment, "4000000000000002")
    deliver_and_process(payment)
    page = client.get(f"/payments/{payment.pk}/return/", HTTP_ACCEPT_LANGUAGE="en")
    assert b"The card issuer declined the payment." in page.content and b"Try again" in page.content
    assert b"card_declined" not in page.content


def test_a_bad_card_number_is_shown_on_the_gateway_page(assessment_a, trader_a, client_for):
    payment = start_payment(assessment_a, trader_a)
    response = client_for(trader_a).post(
        payment.redirect_url,
        {"card_number": "1234 5678", "expiry_month": 1, "expiry_year": 2099, "cvc": "123"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "The card number is not valid." in response.content.decode() and b"invalid_number" not in response.content
    payment.refresh_from_db()
    assert payment.status == PaymentIntent.Status.PENDING
    japanese = client_for(trader_a).post(
        payment.redirect_url,
        {"card_number": "1234 5678", "expiry_month": 1, "expiry_year": 2099, "cvc": "123"},
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert "カード番号が正しくありません。" in japanese.content.decode()


def test_traders_see_only_their_own_company(assessment_a, trader_a, trader_b, client_for, api_for):
    payment = start_payment(assessment_a, trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    receipt = Receipt.objects.get()
    other = client_for(trader_b)
    assert other.get(f"/payments/{payment.pk}/").status_code == 404
    assert other.get(f"/payments/{payment.pk}/return/").status_code == 404
    assert other.get(f"/payments/receipts/{receipt.pk}/").status_code == 404
    assert other.get(f"/payments/receipts/{receipt.pk}/pdf/").status_code == 404
    assert other.get(f"/payments/assessments/{assessment_a.pk}/pay/").status_code == 404
    assert assessment_a.reference not in other.get("/payments/").content.decode()
    assert api_for(trader_b).get("/api/v1/payments/").json()["results"] == []
    assert api_for(trader_b).get(f"/api/v1/payments/{payment.pk}/").status_code == 404
    assert len(api_for(trader_a).get("/api/v1/payments/").json()["results"]) == 1
    assert client_for(trader_a).get(f"/payments/receipts/{receipt.pk}/").status_code == 200


def test_officer_pages_are_for_officers_only(trader_a, clearance_officer, supervisor, client_for):
    assert client_for(trader_a).get("/payments/officer/").status_code == 403
    assert client_for(trader_a).get("/payments/officer/refunds/").status_code == 403
    assert client_for(clearance_officer).get("/payments/officer/refunds/").status_code == 403
    assert client_for(clearance_officer).get("/payments/").status_code == 403
    assert client_for(supervisor).get("/payments/officer/refunds/").status_code == 200


def test_officer_payment_search_pins_its_queries_and_charts_daily_totals(
    trader_a, clearance_officer, client_for, django_assert_max_num_queries
):
    for _ in range(5):
        payment = start_payment(assessment_for(trader_a), trader_a)
        pay_card_at_gateway(payment)
        deliver_and_process(payment)
    client = client_for(clearance_officer)
    with django_assert_max_num_queries(12):
        response = client.get("/payments/officer/", {"method": "card"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.content.count(b"PAY-") == 5
    assert b"daily-totals-data" in response.content and b"chart.umd.min.js" in response.content
    assert response.context["chart"]["series"]["card"][-1] == 5 * 30_800


def test_trader_home_pins_its_queries(trader_a, client_for, django_assert_max_num_queries):
    for _ in range(4):
        payment = start_payment(assessment_for(trader_a), trader_a)
        pay_card_at_gateway(payment)
        deliver_and_process(payment)
    assessment_for(trader_a)
    client = client_for(trader_a)
    with django_assert_max_num_queries(12):
        response = client.get("/payments/")
    assert response.status_code == 200
    assert Assessment.objects.filter(status="open").count() == 1


def test_officer_refunds_from_the_payment_page(assessment_a, trader_a, clearance_officer, client_for):
    payment = start_payment(assessment_a, trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    client = client_for(clearance_officer)
    too_much = client.post(
        f"/payments/{payment.pk}/refund/", {"amount_jpy": 50_000, "reason": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert too_much.status_code == 400
    assert "more than the ¥30,800 that remains refundable" in too_much.content.decode()
    done = client.post(f"/payments/{payment.pk}/refund/", {"amount_jpy": 800, "reason": "Overcharged"})
    assert done.status_code == 302
    payment.refresh_from_db()
    assert payment.refunded_jpy == 800


def test_payments_endpoints_are_in_the_openapi_schema(client_for):
    admin = UserFactory(role=Role.ADMIN, username="schema-admin")
    schema = client_for(admin).get(reverse("api-schema")).content.decode()
    for path in (
        "/api/v1/payments/create/",
        "/api/v1/payments/assessments/",
        "/api/v1/payments/{payment_id}/refunds/",
        "/api/v1/payments/refunds/{refund_id}/decide/",
        "/api/v1/payments/ledger/balances/",
        "/api/v1/payments/assessments/{assessment_id}/defer/",
        "/api/v1/payments/receipts/{receipt_id}/",
        "/api/v1/payments/reconciliation/",
        "/api/v1/payments/daily-totals/",
    ):
        assert path in schema


def test_receipt_and_reconciliation_api(assessment_a, trader_a, trader_b, clearance_officer, api_for):
    payment = start_payment(assessment_a, trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    receipt = Receipt.objects.get()
    body = api_for(trader_a).get(f"/api/v1/payments/receipts/{receipt.pk}/").json()
    assert body["number"] == receipt.number and body["pdf_en"].endswith("?lang=en")
    assert api_for(trader_b).get(f"/api/v1/payments/receipts/{receipt.pk}/").status_code == 404
    assert api_for(trader_a).get("/api/v1/payments/reconciliation/").status_code == 403
    assert api_for(clearance_officer).get("/api/v1/payments/reconciliation/").json()["open_counts"]["duplicate"] == 0
    totals = api_for(clearance_officer).get("/api/v1/payments/daily-totals/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert totals["series"]["card"][-1] == 30_800
    assert totals["names"] == {"card": "Credit card"}


def test_the_payments_pages_show_yen_with_thousands_separators(
    trader_a, clearance_officer, supervisor, client_for, settings
):
    assessment = assessment_for(trader_a, duty=100_000, consumption=376_000, local=100_000)
    trader = client_for(trader_a)
    assert "¥576,000" in trader.get("/payments/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    pay_page = trader.get(f"/payments/assessments/{assessment.pk}/pay/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "¥576,000" in pay_page and "¥376,000" in pay_page
    payment = start_payment(assessment, trader_a)
    pay_card_at_gateway(payment)
    deliver_and_process(payment)
    settings.PAYMENTS_REFUND_APPROVAL_THRESHOLD_JPY = 100_000
    from payments.services import refund_request

    refund_request(payment=payment, amount_jpy=250_000, reason="Error", requested_by=clearance_officer)
    detail = client_for(clearance_officer).get(f"/payments/{payment.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "¥576,000" in detail and "¥250,000" in detail
    officer_list = client_for(clearance_officer).get("/payments/officer/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "¥576,000" in officer_list
    approvals = client_for(supervisor).get("/payments/officer/refunds/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "¥250,000" in approvals


def test_the_deferred_payment_heading_is_english_on_english_pages(assessment_a, trader_a, supervisor, client_for):
    from payments.deferral import deferral_approve

    deferral_approve(company=trader_a.company, security_jpy=1_500_000, approved_by=supervisor)
    page = client_for(trader_a).get(f"/payments/assessments/{assessment_a.pk}/pay/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "<h2>Deferred payment</h2>" in text and "納期限延長" not in text
    assert "Unused security: ¥1,500,000." in text


def test_the_daily_totals_chart_names_methods_in_the_readers_language_or_says_there_is_nothing(
    clearance_officer, client_for
):
    client = client_for(clearance_officer)
    empty = client.get("/payments/officer/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No payment was captured in the last 30 days." in empty and 'id="daily-totals"' not in empty
