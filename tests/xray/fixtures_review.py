"""Fixtures of the officers' X-ray tests (import them into a test module)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

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
    """Until the model part's TIP lands, a projection that draws a dark bar: the officer's
    side needs an image of the same size, not a convincing threat. Records the calls."""
    calls = []

    def project(*, base: Image.Image, kind: str, seed: int) -> Image.Image:
        calls.append({"kind": kind, "seed": seed, "size": base.size})
        projected = base.convert("RGB").copy()
        ImageDraw.Draw(projected).rectangle([2, 2, base.size[0] // 3, base.size[1] // 5], fill=(5, 5, 5))
        return projected

    try:
        tip.tip_image_for_officer(base=Image.new("RGB", (8, 8)), kind="gun", seed=1)
    except NotImplementedError:
        monkeypatch.setattr(tip, "tip_image_for_officer", project)
    return calls


@pytest.fixture
def duty_assessed(monkeypatch):
    """The parcels whose duty the review asked intake to assess."""
    from xray.review import services

    assessed = []
    monkeypatch.setattr(services, "_duty_assess", lambda parcel: assessed.append(parcel.item_number))
    return assessed
