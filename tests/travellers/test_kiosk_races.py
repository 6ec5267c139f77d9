"""Races at the gate on PostgreSQL: threads with their own connections, committed data."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from declarations.travellers import services
from declarations.travellers.models import KioskDecision, TravellerDeclaration
from tests.travellers.factories import declaration_file, kiosk_register, passport_mrz

pytestmark = pytest.mark.django_db(transaction=True)


def _decide(kiosk, token: str, key: str, barrier: threading.Barrier) -> tuple[int, str]:
    try:
        barrier.wait(timeout=10)
        decision = services.kiosk_decide(kiosk=kiosk, token=token, mrz=passport_mrz(), request_key=key)
        return decision.pk, decision.lane
    finally:
        connection.close()


def test_one_qr_code_shown_at_two_kiosks_at_once_opens_one_gate(supervisor):
    declaration = declaration_file()
    kiosks = [kiosk_register(by=supervisor, code=f"NRT-T1-{number:02d}")[0] for number in range(4)]
    barrier = threading.Barrier(len(kiosks))
    with ThreadPoolExecutor(max_workers=len(kiosks)) as pool:
        lanes = [lane for _pk, lane in pool.map(lambda k: _decide(k, declaration.token, "same", barrier), kiosks)]
    assert sorted(lanes) == ["desk", "desk", "desk", "gate"]
    declaration.refresh_from_db()
    assert declaration.status == TravellerDeclaration.Status.GATE


def test_a_kiosk_retrying_one_request_at_once_gets_one_decision(supervisor):
    declaration = declaration_file()
    kiosk, _raw = kiosk_register(by=supervisor)
    barrier = threading.Barrier(5)
    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = list(pool.map(lambda _n: _decide(kiosk, declaration.token, "retry", barrier), range(5)))
    assert {outcome for outcome in outcomes} == {outcomes[0]}
    assert outcomes[0][1] == "gate"
    assert KioskDecision.objects.count() == 1
