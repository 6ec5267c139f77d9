"""Fixtures of the officers' X-ray tests (import them into a test module)."""

from __future__ import annotations

import pytest
from PIL import Image

from customs_portal.models import Role
from tests.customs_portal.factories import UserFactory
from xray.screening import tip


@pytest.fixture
def scanner_user():
    return UserFactory(role=Role.SCANNER, username="scanner-device")


@pytest.fixture
def kiosk_user():
    return UserFactory(role=Role.KIOSK, username="kiosk-device")


@pytest.fixture
def projected_threat(monkeypatch):
    """The model part's real projection, with each call recorded (kind, seed, base size)."""
    calls = []
    project = tip.tip_image_for_officer

    def recorded(*, base: Image.Image, kind: str, seed: int) -> Image.Image:
        calls.append({"kind": kind, "seed": seed, "size": base.size})
        return project(base=base, kind=kind, seed=seed)

    monkeypatch.setattr(tip, "tip_image_for_officer", recorded)
    return calls


@pytest.fixture
def duty_assessed(monkeypatch):
    """The parcels whose duty the review asked intake to assess."""
    from xray.review import services

    assessed = []
    monkeypatch.setattr(services, "_duty_assess", lambda parcel: assessed.append(parcel.item_number))
    return assessed
