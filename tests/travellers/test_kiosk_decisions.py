"""The kiosk's decision through the API: QR token and MRZ in, gate or desk out."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from declarations.travellers import tokens
from declarations.travellers.models import KioskDecision, TravellerDeclaration
from tests.travellers.factories import declaration_file, declaration_payload, passport_mrz

pytestmark = pytest.mark.django_db

URL = "/api/v1/kiosk/decisions/"


def decide(client, token: str, mrz: str | None = None, key: str | None = None):
    return client.post(
        URL,
        {"token": token, "mrz": mrz or passport_mrz()},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex,
    )


def test_a_traveller_with_nothing_to_declare_goes_through_the_gate(kiosk_client):
    declaration = declaration_file()
    response = decide(kiosk_client, declaration.token)
    assert response.status_code == 200, response.content
    assert response.json()["lane"] == "gate"
    assert response.json()["payment_required"] is False
    declaration.refresh_from_db()
    assert declaration.status == TravellerDeclaration.Status.GATE


def test_the_phone_gets_a_token_that_holds_no_personal_data(client):
    response = client.post("/api/v1/traveller-declarations/", declaration_payload(), content_type="application/json")
    assert response.status_code == 201, response.content
    token = response.json()["token"]
    payload = base64.urlsafe_b64decode(token.split(".")[1] + "==").decode()
    assert "TK1234567" not in payload and "TANAKA" not in payload and "1985" not in payload
    assert set(json.loads(payload)) == {"v", "kid", "ref", "iat", "exp", "pb"}
    stored = TravellerDeclaration.objects.get()
    assert "TK1234567" not in json.dumps(
        {field.name: str(getattr(stored, field.name)) for field in stored._meta.concrete_fields}
    )


def test_sending_the_same_declaration_again_files_it_once(client):
    payload = declaration_payload()
    first = client.post("/api/v1/traveller-declarations/", payload, content_type="application/json")
    again = client.post("/api/v1/traveller-declarations/", payload, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["token"] == again.json()["token"]
    assert TravellerDeclaration.objects.count() == 1
    changed = {**payload, "flight_number": "JL1"}
    refused = client.post(
        "/api/v1/traveller-declarations/", changed, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 409
    assert "already sent" in refused.json()["error"]["message"]


def test_a_retry_with_the_same_key_gets_the_same_decision(kiosk_client):
    declaration = declaration_file()
    first = decide(kiosk_client, declaration.token, key="retry-1")
    second = decide(kiosk_client, declaration.token, key="retry-1")
    assert first.json() == second.json()
    assert KioskDecision.objects.count() == 1


def test_a_qr_code_used_once_is_refused_the_second_time(kiosk_client):
    declaration = declaration_file()
    assert decide(kiosk_client, declaration.token).json()["lane"] == "gate"
    replay = decide(kiosk_client, declaration.token).json()
    assert replay["lane"] == "desk"
    assert replay["messages"] == ["This QR code has already been used at a gate."]


def test_a_tampered_qr_code_goes_to_the_desk(kiosk_client):
    declaration = declaration_file()
    prefix, body, signature = declaration.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["exp"] += 86400 * 30
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    response = decide(kiosk_client, f"{prefix}.{forged}.{signature}").json()
    assert response["lane"] == "desk"
    assert "altered" in response["messages"][0]
    declaration.refresh_from_db()
    assert declaration.status == TravellerDeclaration.Status.SUBMITTED


def test_a_qr_code_signed_with_another_key_goes_to_the_desk(kiosk_client):
    declaration = declaration_file()
    with override_settings(TRAVELLER_TOKEN_SIGNING_KEY=base64.b64encode(b"\x01" * 32).decode()):
        tokens.keys_reset()
        other = tokens.token_issue(
            reference=declaration.reference,
            binding="0" * 32,
            expires_at=declaration.token_expires_at,
            issued_at=timezone.now(),
        )
    tokens.keys_reset()
    assert decide(kiosk_client, other).json()["lane"] == "desk"


def test_an_expired_qr_code_goes_to_the_desk(kiosk_client):
    declaration = declaration_file()
    expired = tokens.token_issue(
        reference=declaration.reference,
        binding="0" * 32,
        expires_at=timezone.now() - timezone.timedelta(seconds=1),
        issued_at=timezone.now() - timezone.timedelta(days=2),
    )
    response = decide(kiosk_client, expired).json()
    assert response["lane"] == "desk"
    assert "expired" in response["messages"][0]


def test_a_passport_that_does_not_match_the_qr_code_goes_to_the_desk(kiosk_client):
    declaration = declaration_file()
    response = decide(kiosk_client, declaration.token, passport_mrz(number="XY9876543")).json()
    assert response["lane"] == "desk"
    assert response["messages"] == ["The passport does not match the QR code."]
    declaration.refresh_from_db()
    assert declaration.status == TravellerDeclaration.Status.SUBMITTED


def test_an_mrz_with_a_wrong_check_digit_is_refused_and_nothing_is_saved(kiosk_client):
    declaration = declaration_file()
    lines = passport_mrz().splitlines()
    wrong = lines[1][:9] + str((int(lines[1][9]) + 1) % 10) + lines[1][10:]
    response = decide(kiosk_client, declaration.token, f"{lines[0]}\n{wrong}")
    assert response.status_code == 400
    assert "check digit" in response.json()["error"]["message"]
    assert KioskDecision.objects.count() == 0


def test_a_yes_to_a_desk_question_sends_to_the_desk_with_the_reason(kiosk_client):
    declaration = declaration_file(answers={"commercial": True}, language="en")
    response = decide(kiosk_client, declaration.token).json()
    assert response["lane"] == "desk"
    assert "commercial goods or samples" in response["messages"][0]


def test_watch_list_and_flagged_flights_are_not_told_to_the_traveller(kiosk_client, supervisor):
    from declarations.travellers import services

    services.watch_list_add(passport_number="TK1234567", note="", valid_until=None, added_by=supervisor)
    services.gate_rule_create(kind="flight", value="NH204", valid_from=timezone.now(), created_by=supervisor)
    response = decide(kiosk_client, declaration_file().token).json()
    assert response["lane"] == "desk"
    assert response["messages"] == []
    decision = KioskDecision.objects.get()
    assert {reason["code"] for reason in decision.reasons} == {"watch_list", "flight_flagged"}


def test_duty_over_the_allowance_is_paid_at_the_kiosk(kiosk_client):
    declaration = declaration_file(
        answers={"over_allowance": True},
        items=[
            {"category": "other", "description": "handbag", "quantity": 1, "value_jpy": 150_000},
            {"category": "other", "description": "watch", "quantity": 1, "value_jpy": 100_000},
        ],
    )
    assert declaration.duty_jpy == 9_000  # the watch: ¥100,000 × 0.6 × 15 %
    response = decide(kiosk_client, declaration.token).json()
    assert response["lane"] == "gate"
    assert response["payment_required"] is True
    assert response["duty_jpy"] == 9_000


def test_a_revoked_kiosk_is_refused(kiosk, kiosk_client, supervisor):
    from declarations.travellers import services

    services.kiosk_revoke(kiosk=kiosk, revoked_by=supervisor)
    response = decide(kiosk_client, declaration_file().token)
    assert response.status_code == 401


def test_without_a_kiosk_token_nothing_is_decided():
    response = decide(APIClient(), declaration_file().token)
    assert response.status_code in (401, 403)
    assert KioskDecision.objects.count() == 0
