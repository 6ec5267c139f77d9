"""The wording of the notifications payments sends, in the reader's language. Registered
with `customs_portal.notifications` in PaymentsConfig.ready."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def notification_wording(code: str, params: dict[str, Any]) -> tuple[str, str] | None:
    """Subject and body of a payments notification code; None for another app's code."""
    if code == "payment.assessment_created":
        # params: total_jpy (integer yen), number (the declaration's number)
        subject = _("Taxes of ¥%(amount)s are due for declaration %(number)s") % {
            "amount": f"{params['total_jpy']:,}",
            "number": params["number"],
        }
        return subject, ""
    if code == "payment.refunded":
        # params: amount_jpy (integer yen), payment (the payment's reference)
        subject = _("¥%(amount)s refunded on payment %(payment)s") % {
            "amount": f"{params['amount_jpy']:,}",
            "payment": params["payment"],
        }
        return subject, ""
    return None
