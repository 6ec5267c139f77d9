"""The portal user's own settings."""

from __future__ import annotations

from django.conf import settings

from customs_portal.models import User


def user_language_set(*, user: User, language: str) -> bool:
    """Remembers the language a user chose, for what the portal writes to them outside a
    page (e-mail). An unknown language changes nothing."""
    if language not in dict(settings.PORTAL_LANGUAGES) or user.language == language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    return True
