"""The tariff engine's part of /api/v1/ (included by declarations/api_urls.py)."""

from __future__ import annotations

urlpatterns: list = []
