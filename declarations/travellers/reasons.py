"""Why a kiosk sent a traveller to the gate or the desk, as stored codes worded in the
reader's language. A reason is `{"code", "params", "told"}`: `told` is True for what the
traveller may be told (a bad QR code, an answer that needs an officer); risk rules,
random picks and the watch list are for officers only."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from declarations.travellers.questions import QUESTIONS

# Told to the traveller.
QR_MALFORMED = "qr_malformed"
QR_BAD_SIGNATURE = "qr_bad_signature"
QR_UNKNOWN_KEY = "qr_unknown_key"
QR_EXPIRED = "qr_expired"
QR_NOT_YET_VALID = "qr_not_yet_valid"
QR_UNKNOWN = "qr_unknown"
QR_ALREADY_USED = "qr_already_used"
PASSPORT_MISMATCH = "passport_mismatch"
PASSPORT_EXPIRED = "passport_expired"
MRZ_INVALID = "mrz_invalid"
ANSWER = "answer"
GOODS_FOR_CUSTOMS = "goods_for_customs"
DUTY_DUE = "duty_due"
DUTY_PAID = "duty_paid"
NOTHING_TO_DECLARE = "nothing_to_declare"
# Officers only.
RANDOM_SELECTION = "random_selection"
FLIGHT_FLAGGED = "flight_flagged"
ORIGIN_FLAGGED = "origin_flagged"
WATCH_LIST = "watch_list"

TOLD = frozenset(
    {
        QR_MALFORMED,
        QR_BAD_SIGNATURE,
        QR_UNKNOWN_KEY,
        QR_EXPIRED,
        QR_NOT_YET_VALID,
        QR_UNKNOWN,
        QR_ALREADY_USED,
        PASSPORT_MISMATCH,
        PASSPORT_EXPIRED,
        MRZ_INVALID,
        ANSWER,
        GOODS_FOR_CUSTOMS,
        DUTY_DUE,
        DUTY_PAID,
        NOTHING_TO_DECLARE,
    }
)


def reason(code: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "params": params, "told": code in TOLD}


def reason_text(item: dict[str, Any]) -> str:
    """The reason in the active language."""
    code, params = item["code"], item.get("params", {})
    if code == ANSWER:
        question = QUESTIONS.get(params.get("question", ""))
        label = question.short if question else params.get("question", "")
        return _("You answered “yes” to: %(question)s. An officer will help you at the desk.") % {"question": label}
    texts = {
        QR_MALFORMED: _("This is not a customs declaration QR code."),
        QR_BAD_SIGNATURE: _("This QR code has been altered or was not issued by Japan Customs."),
        QR_UNKNOWN_KEY: _("This QR code was not signed with a key this gate knows."),
        QR_EXPIRED: _("This QR code has expired. Please make a new declaration."),
        QR_NOT_YET_VALID: _("This QR code is not valid yet."),
        QR_UNKNOWN: _("No declaration was found for this QR code."),
        QR_ALREADY_USED: _("This QR code has already been used at a gate."),
        PASSPORT_MISMATCH: _("The passport does not match the QR code."),
        PASSPORT_EXPIRED: _("The passport has expired."),
        MRZ_INVALID: _("The passport could not be read."),
        GOODS_FOR_CUSTOMS: _("Some of your goods must be assessed by a customs officer."),
        DUTY_DUE: _("Duty of ¥%(amount)s is due on the goods over your allowance.")
        % {"amount": f"{params.get('amount_jpy', 0):,}"},
        DUTY_PAID: _("Duty of ¥%(amount)s has been paid.") % {"amount": f"{params.get('amount_jpy', 0):,}"},
        NOTHING_TO_DECLARE: _("Nothing to pay: everything is within your duty-free allowance."),
        RANDOM_SELECTION: _("Selected at random for a check."),
        FLIGHT_FLAGGED: _("Flight %(flight)s is flagged by officers.") % {"flight": params.get("flight", "")},
        ORIGIN_FLAGGED: _("Point of embarkation %(origin)s is flagged by officers.")
        % {"origin": params.get("origin", "")},
        WATCH_LIST: _("The passport is on an officer's watch list."),
    }
    return texts.get(code, code)


def told_texts(reasons: list[dict[str, Any]]) -> list[str]:
    """What the traveller may read, in the active language."""
    return [reason_text(item) for item in reasons if item.get("told")]
