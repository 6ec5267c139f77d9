"""A traveller's duty paid at the gate kiosk: the assessment the kiosk's decision
writes, paying it by card or smartphone QR at the sandbox gateway through the kiosk's
API, the gate opening once it is paid, and who may not see or pay it."""

from __future__ import annotations

import uuid

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from customs_portal.models import AuditEvent
from declarations.travellers import services as traveller_services
from declarations.travellers.models import TravellerDeclaration
from payments.models import Assessment, JournalEntry, PaymentIntent
from tests.payments.factories import deliver_and_process, pay_card_at_gateway
from tests.travellers.factories import declaration_file, kiosk_register, passport_mrz

pytestmark = pytest.mark.django_db

Status = TravellerDeclaration.Status
ITEMS = [
    {"category": "other", "description": "handbag", "quantity": 1, "value_jpy": 150_000},
    {"category": "other", "description": "watch", "quantity": 1, "value_jpy": 100_000},
]
DUTY = 9_000  # the watch: ¥100,000 × 0.6 × 15 %


def kiosk_api(registered) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Kiosk {registered.raw_token}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def kiosk(supervisor):
    """The kiosk at Narita T1 (as in tests/travellers/conftest.py); `raw_token` is its token."""
    registered, raw = kiosk_register(by=supervisor)
    registered.raw_token = raw
    return registered


@pytest.fixture
def kiosk_client(kiosk) -> APIClient:
    return kiosk_api(kiosk)


def decided_with_duty(client) -> dict:
    """A traveller owing duty scanned at the kiosk of `client`: the decision's JSON."""
    declaration = declaration_file(answers={"over_allowance": True}, items=ITEMS)
    response = client.post(
        "/api/v1/kiosk/decisions/",
        {"token": declaration.token, "mrz": passport_mrz()},
        format="json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    assert response.status_code == 200, response.content
    assert response.json()["payment_required"] is True
    return response.json()


def start(client, decision: dict, *, method: str = "card", key: str | None = None):
    return client.post(
        "/api/v1/kiosk/payments/",
        {"decision": decision["id"], "method": method},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex,
    )


@pytest.fixture
def other_kiosk(supervisor):
    registered, raw = kiosk_register(by=supervisor, code="HND-T3-02", airport="HND", terminal="T3")
    registered.raw_token = raw
    return registered


def test_the_kiosks_decision_writes_the_travellers_assessment_in_its_transaction(kiosk_client):
    decision = decided_with_duty(kiosk_client)
    declaration = TravellerDeclaration.objects.get(reference=decision["reference"])
    assessment = Assessment.objects.get()
    assert assessment.kind == Assessment.Kind.TRAVELLER
    assert assessment.traveller_declaration == declaration
    assert (assessment.declaration, assessment.company) == (None, None)
    assert (assessment.customs_duty_jpy, assessment.consumption_tax_jpy, assessment.total_jpy) == (DUTY, 0, DUTY)
    assert assessment.reference == f"TRV-{declaration.reference}"
    assert assessment.due_date == timezone.localdate()
    assert JournalEntry.objects.filter(assessment=assessment, kind="assessment").count() == 1
    assert AuditEvent.objects.filter(action="assessment.created", object_id=str(assessment.pk)).exists()


def test_a_kiosk_takes_the_duty_by_card_and_the_gate_opens_with_a_receipt(kiosk, kiosk_client):
    decision = decided_with_duty(kiosk_client)
    response = start(kiosk_client, decision)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount_jpy"] == DUTY and body["status"] == "pending"
    assert body["redirect_url"].startswith("/sandbox-gateway/pay/")
    payment = PaymentIntent.objects.get(pk=body["id"])
    assert payment.created_by == kiosk.user
    charge_return = payment.assessment.payments.get().redirect_url
    assert charge_return == body["redirect_url"]
    from payments.sandbox.models import GatewayCharge

    assert GatewayCharge.objects.get(token=payment.gateway_token).return_url == (
        f"http://testserver/kiosk/?payment={payment.pk}"
    )

    pay_card_at_gateway(payment)
    status = kiosk_client.get(f"/api/v1/kiosk/payments/{payment.pk}/").json()
    assert status["status"] == "succeeded"
    assert status["gate_open"] is True
    assert status["redirect_url"] == ""
    receipt = status["receipt"]
    assert receipt["number"].startswith("R-") and receipt["amount_jpy"] == DUTY and receipt["method"] == "card"
    assert set(receipt) == {"number", "amount_jpy", "method", "paid_at"}
    declaration = TravellerDeclaration.objects.get(reference=decision["reference"])
    assert declaration.status == Status.GATE and declaration.closed_at is not None
    assert Assessment.objects.get().status == Assessment.Status.PAID
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"payment.created", "payment.succeeded", "assessment.paid", "traveller.duty_paid"} <= actions
    # The webhook arriving after the kiosk's own check changes nothing.
    assert set(deliver_and_process(payment)) <= {"ignored"}


def test_the_gateways_webhook_alone_opens_the_gate(kiosk_client):
    decision = decided_with_duty(kiosk_client)
    payment = PaymentIntent.objects.get(pk=start(kiosk_client, decision, method="qr").json()["id"])
    from payments.sandbox import gateway

    gateway.charge_approve(token=payment.gateway_token)
    assert deliver_and_process(payment) == ["succeeded"]
    assert TravellerDeclaration.objects.get(reference=decision["reference"]).status == Status.GATE


def test_a_retry_with_the_same_key_returns_the_same_payment(kiosk_client):
    decision = decided_with_duty(kiosk_client)
    first = start(kiosk_client, decision, key="pay-1")
    again = start(kiosk_client, decision, key="pay-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert PaymentIntent.objects.count() == 1
    other_method = start(kiosk_client, decision, method="qr", key="pay-1")
    assert other_method.status_code == 409


def test_a_declined_card_can_be_paid_again_another_way(kiosk_client):
    decision = decided_with_duty(kiosk_client)
    payment = PaymentIntent.objects.get(pk=start(kiosk_client, decision).json()["id"])
    pay_card_at_gateway(payment, card="4000000000000002")
    status = kiosk_client.get(f"/api/v1/kiosk/payments/{payment.pk}/").json()
    assert status["status"] == "failed" and status["gate_open"] is False
    assert status["failure_message"]
    assert TravellerDeclaration.objects.get(reference=decision["reference"]).status == Status.AWAITING_PAYMENT
    assert start(kiosk_client, decision, method="qr").status_code == 201


def test_another_kiosk_can_neither_pay_nor_see_the_payment(kiosk_client, other_kiosk):
    decision = decided_with_duty(kiosk_client)
    payment_id = start(kiosk_client, decision).json()["id"]
    other = kiosk_api(other_kiosk)
    assert start(other, decision).status_code == 404
    assert other.get(f"/api/v1/kiosk/payments/{payment_id}/").status_code == 404
    assert other.post(f"/api/v1/kiosk/decisions/{decision['id']}/desk/").status_code == 404
    assert PaymentIntent.objects.count() == 1


def test_the_payments_service_refuses_a_kiosk_that_did_not_decide(kiosk_client, other_kiosk):
    from customs_portal.errors import ApplicationError
    from payments import services

    decided_with_duty(kiosk_client)
    with pytest.raises(ApplicationError) as refused:
        services.payment_create(
            assessment=Assessment.objects.get(),
            method="card",
            created_by=other_kiosk.user,
            idempotency_key="x",
            return_url="http://testserver/kiosk/",
        )
    assert refused.value.status == 404


def test_a_trader_never_sees_a_travellers_assessment_an_officer_does(
    kiosk_client, api_for, trader_a, clearance_officer
):
    decision = decided_with_duty(kiosk_client)
    payment_id = start(kiosk_client, decision).json()["id"]
    trader = api_for(trader_a)
    assert trader.get("/api/v1/payments/assessments/").json()["results"] == []
    assert trader.get("/api/v1/payments/").json()["results"] == []
    assert trader.get(f"/api/v1/payments/{payment_id}/").status_code == 404
    officer = api_for(clearance_officer).get("/api/v1/payments/assessments/").json()["results"]
    assert [row["kind"] for row in officer] == ["traveller"]


def test_a_trader_cannot_use_the_kiosks_payment_api(kiosk_client, api_for, trader_a):
    decision = decided_with_duty(kiosk_client)
    response = api_for(trader_a).post(
        "/api/v1/kiosk/payments/", {"decision": decision["id"], "method": "card"}, format="json"
    )
    assert response.status_code in (401, 403)
    assert PaymentIntent.objects.count() == 0


def test_a_revoked_kiosk_cannot_pay(kiosk, kiosk_client, supervisor):
    decision = decided_with_duty(kiosk_client)
    traveller_services.kiosk_revoke(kiosk=kiosk, revoked_by=supervisor)
    assert start(kiosk_client, decision).status_code == 401
    assert PaymentIntent.objects.count() == 0


def test_only_card_and_smartphone_qr_are_taken_at_the_kiosk(kiosk_client):
    decision = decided_with_duty(kiosk_client)
    response = start(kiosk_client, decision, method="payeasy")
    assert response.status_code == 400
    assert "method" in response.json()["error"]["fields"]
    assert start(kiosk_client, decision, method="card").status_code == 201


def test_a_decision_with_nothing_to_pay_is_refused(kiosk_client):
    declaration = declaration_file()
    decision = kiosk_client.post(
        "/api/v1/kiosk/decisions/",
        {"token": declaration.token, "mrz": passport_mrz()},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    ).json()
    response = start(kiosk_client, decision)
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "There is no duty to pay for this decision."
    assert Assessment.objects.count() == 0


def test_paying_at_the_desk_cancels_the_open_payment_and_sends_to_the_desk(kiosk, kiosk_client):
    decision = decided_with_duty(kiosk_client)
    payment_id = start(kiosk_client, decision).json()["id"]
    response = kiosk_client.post(f"/api/v1/kiosk/decisions/{decision['id']}/desk/")
    assert response.status_code == 200
    assert response.json() == {"lane": "desk", "messages": ["Please pay the duty at the officer desk."]}
    assert PaymentIntent.objects.get(pk=payment_id).status == PaymentIntent.Status.CANCELLED
    assert TravellerDeclaration.objects.get(reference=decision["reference"]).status == Status.DESK
    assert AuditEvent.objects.filter(action="traveller.desk_chosen", actor=kiosk.user).exists()
    again = start(kiosk_client, decision)
    assert again.status_code == 409
    assert kiosk_client.post(f"/api/v1/kiosk/decisions/{decision['id']}/desk/").json()["lane"] == "desk"


def test_choosing_the_desk_after_the_gateway_took_the_money_opens_the_gate(kiosk_client):
    decision = decided_with_duty(kiosk_client)
    payment = PaymentIntent.objects.get(pk=start(kiosk_client, decision).json()["id"])
    pay_card_at_gateway(payment)
    response = kiosk_client.post(f"/api/v1/kiosk/decisions/{decision['id']}/desk/").json()
    assert response["lane"] == "gate"
    assert PaymentIntent.objects.get(pk=payment.pk).status == PaymentIntent.Status.SUCCEEDED
    assert TravellerDeclaration.objects.get(reference=decision["reference"]).status == Status.GATE


@override_settings(PAYMENTS_GATEWAY_PROVIDER="")
def test_without_a_payment_provider_the_kiosk_sends_to_the_desk_to_pay(kiosk_client, client):
    decision = decided_with_duty(kiosk_client)
    response = start(kiosk_client, decision)
    assert response.status_code == 503
    assert PaymentIntent.objects.count() == 0
    page = client.get("/kiosk/?step=scan", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-can-pay="false"' in page
    assert 'data-method="card"' not in page
    assert "Please pay the duty at the officer desk." in page


def test_officers_find_the_travellers_payment_and_its_receipt_traders_do_not(
    kiosk_client, client_for, clearance_officer, trader_a
):
    decision = decided_with_duty(kiosk_client)
    payment = PaymentIntent.objects.get(pk=start(kiosk_client, decision).json()["id"])
    pay_card_at_gateway(payment)
    kiosk_client.get(f"/api/v1/kiosk/payments/{payment.pk}/")
    officer = client_for(clearance_officer)
    listing = officer.get("/payments/officer/", {"q": "TRV-"}, HTTP_ACCEPT_LANGUAGE="en")
    assert listing.status_code == 200 and f"TRV-{decision['reference']}" in listing.content.decode()
    assert officer.get(f"/payments/{payment.pk}/").status_code == 200
    receipt = payment.receipt
    assert officer.get(f"/payments/receipts/{receipt.pk}/pdf/?lang=ja").status_code == 200
    trader = client_for(trader_a)
    assert trader.get(f"/payments/{payment.pk}/").status_code == 404
    assert trader.get(f"/payments/receipts/{receipt.pk}/pdf/").status_code == 404
    assert f"TRV-{decision['reference']}" not in trader.get("/payments/").content.decode()


def test_a_retried_decision_after_payment_no_longer_asks_for_payment(kiosk_client):
    declaration = declaration_file(answers={"over_allowance": True}, items=ITEMS)
    body = {"token": declaration.token, "mrz": passport_mrz()}
    first = kiosk_client.post("/api/v1/kiosk/decisions/", body, format="json", HTTP_IDEMPOTENCY_KEY="same").json()
    payment = PaymentIntent.objects.get(pk=start(kiosk_client, first).json()["id"])
    pay_card_at_gateway(payment)
    kiosk_client.get(f"/api/v1/kiosk/payments/{payment.pk}/")
    again = kiosk_client.post("/api/v1/kiosk/decisions/", body, format="json", HTTP_IDEMPOTENCY_KEY="same").json()
    assert again["id"] == first["id"]
    assert (again["lane"], again["payment_required"]) == ("gate", False)
