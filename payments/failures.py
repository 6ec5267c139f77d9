"""Why a payment failed: the codes the portal stores on a payment and the messages they
stand for, rendered in the reader's language when shown. A gateway decline the portal
does not know is stored as `gateway_declined` with the gateway's own code as a parameter."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

GATEWAY_DECLINED = "gateway_declined"

FAILURE_MESSAGES = {
    "card_declined": _("The card issuer declined the payment. Try another card or another payment method."),
    "insufficient_funds": _("The card has not enough funds or credit left for this payment."),
    "expired_card": _("The card has expired. Try another card."),
    "card_not_supported": _("This card is not accepted here. Try another card or another payment method."),
    GATEWAY_DECLINED: _("The payment gateway declined the payment (code %(gateway_code)s)."),
}


def failure_from_gateway(*, decline_code: str) -> tuple[str, dict[str, Any]]:
    """The code and parameters to store for a gateway's decline code."""
    code = decline_code.strip()
    if code in FAILURE_MESSAGES and code != GATEWAY_DECLINED:
        return code, {}
    return GATEWAY_DECLINED, {"gateway_code": code[:40] or "-"}


def failure_message(*, code: str, params: dict[str, Any] | None) -> str:
    """The message for a stored failure code, in the active language; empty for none.
    A code stored before it was known here reads as an unknown gateway decline."""
    if not code:
        return ""
    if code not in FAILURE_MESSAGES:
        code, params = GATEWAY_DECLINED, {"gateway_code": code}
    if code == GATEWAY_DECLINED:
        return str(FAILURE_MESSAGES[code]) % {"gateway_code": (params or {}).get("gateway_code", "-")}
    return str(FAILURE_MESSAGES[code])
