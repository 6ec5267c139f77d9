"""Personal data kept so that it can be found but not read: a keyed hash (HMAC-SHA256)
for look-ups by passport number, and an encrypted copy (Fernet: AES-128 with an HMAC)
that only officers with the right role open. Keys come from the environment
(PERSONAL_DATA_HASH_KEY, PERSONAL_DATA_ENCRYPTION_KEYS); in local and test settings they
are derived from SECRET_KEY instead, which production refuses.

Shared by the traveller declarations and the tax-free records, so that one passport has
one hash across the portal."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import unicodedata
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()


@cache
def _hash_key() -> bytes:
    key = settings.PERSONAL_DATA_HASH_KEY
    return key.encode() if key else _derived("personal-data-hash")


@cache
def _fernet() -> MultiFernet:
    keys = list(settings.PERSONAL_DATA_ENCRYPTION_KEYS) or [
        base64.urlsafe_b64encode(_derived("personal-data-encryption")).decode()
    ]
    return MultiFernet([Fernet(key) for key in keys])


def passport_number_normalise(number: str) -> str:
    """The number as the passport's machine-readable zone prints it: upper case, no
    spaces, full-width characters folded, MRZ filler `<` dropped."""
    folded = unicodedata.normalize("NFKC", number or "")
    return "".join(folded.split()).upper().replace("<", "")


def passport_hash(number: str) -> str:
    """The keyed hash of a passport number (hex), for looking it up without storing it."""
    normalised = passport_number_normalise(number)
    return hmac.new(_hash_key(), f"passport:{normalised}".encode(), hashlib.sha256).hexdigest()


def personal_encrypt(data: dict[str, Any]) -> str:
    """An encrypted copy of a small JSON-able dict."""
    return _fernet().encrypt(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).decode()


def personal_decrypt(token: str) -> dict[str, Any]:
    """The dict back; an empty dict for a purged (empty) copy. Raises ValueError when the
    copy was not made with any of the keys."""
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as error:
        raise ValueError("The personal data cannot be decrypted with the configured keys.") from error


def keys_reset() -> None:
    """Forgets the cached keys (tests that change the settings call it)."""
    _hash_key.cache_clear()
    _fernet.cache_clear()
