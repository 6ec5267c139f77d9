"""Traveller declarations as the phone sends them, and registered kiosks."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from declarations.travellers import services
from declarations.travellers.api import TravellerDeclarationInput, declaration_input
from declarations.travellers.mrz import mrz_compose

PASSPORT = {
    "number": "TK1234567",
    "nationality": "JPN",
    "birth_date": "1985-04-02",
    "surname": "TANAKA",
    "given_names": "HANAKO",
}
NO_ANSWERS = {
    "prohibited": False,
    "gold": False,
    "over_allowance": False,
    "commercial": False,
    "for_others": False,
    "cash_over_limit": False,
    "unaccompanied": False,
}


def declaration_payload(**overrides: Any) -> dict[str, Any]:
    """The JSON body the phone posts: a traveller alone with nothing to declare."""
    payload: dict[str, Any] = {
        "client_id": str(uuid.uuid4()),
        "language": "en",
        "passport": dict(PASSPORT),
        "flight_number": "NH204",
        "embarkation": "LAX",
        "arrival_airport": "NRT",
        "arrival_date": timezone.localdate().isoformat(),
        "family": {"adults": 0, "minors": 0, "infants": 0},
        "answers": dict(NO_ANSWERS),
        "items": [],
    }
    for key, value in overrides.items():
        if key in ("passport", "answers", "family"):
            payload[key] = {**payload[key], **value}
        else:
            payload[key] = value
    return payload


def declaration_file(**overrides: Any):
    """A declaration filed through the service, as the API would."""
    payload = declaration_payload(**overrides)
    serializer = TravellerDeclarationInput(data=payload)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    return services.traveller_declaration_submit(
        data=declaration_input(data), client_id=data["client_id"], language=data["language"]
    )


def passport_mrz(**overrides: Any) -> str:
    """The MRZ of the passport in PASSPORT (valid for five more years)."""
    fields = {
        "surname": PASSPORT["surname"],
        "given_names": PASSPORT["given_names"],
        "number": PASSPORT["number"],
        "nationality": PASSPORT["nationality"],
        "birth_date": dt.date.fromisoformat(PASSPORT["birth_date"]),
        "sex": "F",
        "expiry_date": timezone.localdate() + dt.timedelta(days=5 * 365),
    }
    fields.update(overrides)
    return mrz_compose(**fields)


def kiosk_register(*, by, code: str = "NRT-T1-01", airport: str = "NRT", terminal: str = "T1"):
    """A registered kiosk and its raw token."""
    return services.kiosk_register(code=code, airport=airport, terminal=terminal, label="", registered_by=by)
