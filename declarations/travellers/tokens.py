"""The QR code of a traveller declaration: a signed, expiring token that names the
declaration and binds it to a passport without carrying personal data in clear.

    CJ1.<payload>.<signature>      both base64url without padding

The payload is compact JSON: `v` (format), `kid` (signing key), `ref` (the declaration's
public reference, random), `iat` and `exp` (Unix seconds) and `pb`, the passport binding:
SHA-256 of the reference, the passport number and the date of birth (YYMMDD, as the
MRZ prints it), cut to 16 bytes. A kiosk that reads the passport's MRZ recomputes `pb`
and so checks, with the public key alone and no server, that the QR belongs to that
passport. The signature is Ed25519 over the payload's bytes."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

from customs_portal.personal_data import passport_number_normalise

PREFIX = "CJ1"
MAX_TOKEN_LENGTH = 400


class TokenError(Exception):
    """Why a token was refused: `code` is one of malformed, unknown_key, bad_signature,
    expired, not_yet_valid."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class TokenClaims:
    reference: str
    key_id: str
    issued_at: int
    expires_at: int
    passport_binding: str


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@cache
def _signing_key() -> Ed25519PrivateKey:
    seed = settings.TRAVELLER_TOKEN_SIGNING_KEY
    raw = _b64decode(seed) if seed else hashlib.sha256(f"traveller-token:{settings.SECRET_KEY}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(raw)


def _public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@cache
def public_keys() -> dict[str, str]:
    """Key id -> base64url of the raw 32-byte Ed25519 public key, for the kiosks: the
    signing key's and the older ones still accepted."""
    keys = {settings.TRAVELLER_TOKEN_KEY_ID: _b64encode(_public_raw(_signing_key().public_key()))}
    for entry in settings.TRAVELLER_TOKEN_OLD_PUBLIC_KEYS:
        kid, _, value = entry.partition(":")
        keys.setdefault(kid.strip(), value.strip())
    return keys


def keys_reset() -> None:
    """Forgets the cached keys (tests that change the settings call it)."""
    _signing_key.cache_clear()
    public_keys.cache_clear()


def passport_binding(*, reference: str, passport_number: str, birth_date: date) -> str:
    """The `pb` claim: what a kiosk recomputes from the MRZ (hex of 16 bytes)."""
    material = f"{reference}|{passport_number_normalise(passport_number)}|{birth_date:%y%m%d}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def token_issue(*, reference: str, binding: str, expires_at: datetime, issued_at: datetime) -> str:
    """A signed token for the declaration `reference`."""
    payload = {
        "v": 1,
        "kid": settings.TRAVELLER_TOKEN_KEY_ID,
        "ref": reference,
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
        "pb": binding,
    }
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return f"{PREFIX}.{_b64encode(body)}.{_b64encode(_signing_key().sign(body))}"


def token_verify(token: str, *, now: float | None = None) -> TokenClaims:
    """The claims of a token whose signature and dates hold; raises TokenError."""
    token = (token or "").strip()
    parts = token.split(".")
    if len(token) > MAX_TOKEN_LENGTH or len(parts) != 3 or parts[0] != PREFIX:
        raise TokenError("malformed")
    try:
        body, signature = _b64decode(parts[1]), _b64decode(parts[2])
        payload = json.loads(body)
        claims = TokenClaims(
            reference=str(payload["ref"]),
            key_id=str(payload["kid"]),
            issued_at=int(payload["iat"]),
            expires_at=int(payload["exp"]),
            passport_binding=str(payload["pb"]),
        )
    except (ValueError, KeyError, TypeError):
        raise TokenError("malformed") from None
    key = public_keys().get(claims.key_id)
    if key is None:
        raise TokenError("unknown_key")
    try:
        Ed25519PublicKey.from_public_bytes(_b64decode(key)).verify(signature, body)
    except (InvalidSignature, ValueError):
        raise TokenError("bad_signature") from None
    now = time.time() if now is None else now
    if now > claims.expires_at:
        raise TokenError("expired")
    if now < claims.issued_at - 300:
        raise TokenError("not_yet_valid")
    return claims
