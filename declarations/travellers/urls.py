"""The travellers' pages: the phone declaration, the kiosk and the officer console."""

from __future__ import annotations

urlpatterns: list = []
