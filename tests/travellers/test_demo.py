"""`make run`'s demo data of the travellers' pages."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from customs_portal.demo import seed_demo
from declarations.demo import travellers
from declarations.travellers.models import KioskDecision, TravellerDeclaration

pytestmark = pytest.mark.django_db


def test_the_demo_prints_a_working_kiosk_token_and_a_passport_that_opens_the_gate():
    seed_demo(password="demo-password-1")
    lines = travellers.seed()
    assert KioskDecision.objects.filter(lane="desk").exists()
    assert KioskDecision.objects.filter(lane="gate").exists()
    token = next(line.rsplit(" ", 1)[1] for line in lines if "token" in line)
    mrz = "\n".join(lines[-2:])
    waiting = TravellerDeclaration.objects.get(status=TravellerDeclaration.Status.SUBMITTED)
    client = APIClient(HTTP_AUTHORIZATION=f"Kiosk {token}")
    response = client.post(
        "/api/v1/kiosk/decisions/", {"token": waiting.token, "mrz": mrz}, format="json", HTTP_IDEMPOTENCY_KEY="d1"
    )
    assert response.status_code == 200, response.content
    assert response.json()["lane"] in ("gate", "desk")  # the demo's 2 % random share may pick it

    again = travellers.seed()  # idempotent: a new token, nothing filed twice
    assert TravellerDeclaration.objects.count() == len(travellers.ARRIVALS)
    assert APIClient(HTTP_AUTHORIZATION=f"Kiosk {token}").get("/api/v1/kiosk/me/").status_code == 401
    new_token = next(line.rsplit(" ", 1)[1] for line in again if "token" in line)
    assert APIClient(HTTP_AUTHORIZATION=f"Kiosk {new_token}").get("/api/v1/kiosk/me/").status_code == 200
