"""The sandbox gateway's behaviour, as a real processor would behave.

Card test numbers (any future expiry, any 3-digit CVC):
    4242 4242 4242 4242  succeeds
    4000 0000 0000 0002  declined: card_declined
    4000 0000 0000 9995  declined: insufficient_funds
    4000 0000 0000 0069  declined: expired_card
    4000 0000 0000 0119  times out: the charge stays "processing", no webhook is sent,
                         and it settles as succeeded when queried after
                         SANDBOX_GATEWAY_TIMEOUT_SETTLE_SECONDS
Any other number that passes the Luhn check is refused with card_not_supported (this is
a test gateway); one that fails it with invalid_number.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass

import requests
from django.conf import settings
from django.db import transaction
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_portal.audit import audit_record
from customs_portal.outbox import outbox_enqueue
from payments.sandbox.models import GatewayCharge, GatewayNotification, GatewayRefund

logger = logging.getLogger(__name__)
SYSTEM = "sandbox-gateway"
SIGNATURE_HEADER = "X-Gateway-Signature"
Status = GatewayCharge.Status

TEST_CARDS = {
    "4242424242424242": "",
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired_card",
    "4000000000000119": "processing_timeout",
}
# The sandbox charges a flat 1.5 % fee on card and QR payments (rounded down to the yen).
FEE_PER_MILLE = {"card": 15, "qr": 15, "payeasy": 0, "direct_debit": 0}


class GatewayError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, digit in enumerate(reversed(number)):
        value = int(digit)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def charge_create(*, merchant_reference: str, amount_jpy: int, method: str, return_url: str) -> GatewayCharge:
    charge = GatewayCharge.objects.create(
        token=f"gw_{secrets.token_hex(12)}",
        merchant_reference=merchant_reference,
        amount_jpy=amount_jpy,
        method=method,
        return_url=return_url,
        payeasy_number=f"{secrets.randbelow(10**16):016d}" if method == "payeasy" else "",
    )
    return charge


def _settle(charge: GatewayCharge, *, status: str, decline_code: str = "") -> None:
    charge.status = status
    charge.decline_code = decline_code
    fields = ["status", "decline_code", "updated_at"]
    if status == Status.SUCCEEDED:
        charge.settled_at = timezone.now()
        charge.fee_jpy = charge.amount_jpy * FEE_PER_MILLE.get(charge.method, 0) // 1000
        fields += ["settled_at", "fee_jpy"]
    charge.save(update_fields=fields)
    audit_record(action=f"gateway.charge.{status}", system=SYSTEM, obj=charge, after={"decline": decline_code})
    if status in (Status.SUCCEEDED, Status.FAILED):
        notification_emit(charge=charge, event_type=f"charge.{status}")


def _locked_open_charge(token: str) -> GatewayCharge:
    charge = GatewayCharge.objects.select_for_update().get(token=token)
    if charge.status != Status.REQUIRES_PAYMENT:
        raise GatewayError("charge_not_open", _("This payment has already been completed or cancelled."))
    return charge


@transaction.atomic
def charge_pay_card(*, token: str, card_number: str, expiry_month: int, expiry_year: int) -> GatewayCharge:
    number = "".join(card_number.split())
    charge = _locked_open_charge(token)
    if not luhn_valid(number):
        raise GatewayError("invalid_number", _("The card number is not valid."))
    today = timezone.localdate()
    if (expiry_year, expiry_month) < (today.year, today.month):
        raise GatewayError("invalid_expiry", _("The card's expiry date is in the past."))
    charge.card_last4 = number[-4:]
    charge.save(update_fields=["card_last4", "updated_at"])
    outcome = TEST_CARDS.get(number, "card_not_supported")
    if outcome == "":
        _settle(charge, status=Status.SUCCEEDED)
    elif outcome == "processing_timeout":
        charge.status = Status.PROCESSING
        charge.save(update_fields=["status", "updated_at"])
    else:
        _settle(charge, status=Status.FAILED, decline_code=outcome)
    return charge


@transaction.atomic
def charge_approve(*, token: str, bank_account: str = "") -> GatewayCharge:
    """The payer approved in the QR app, paid the Pay-easy number at a bank, or
    authorised the direct debit from a registered account."""
    charge = _locked_open_charge(token)
    if charge.method == "direct_debit":
        if not bank_account.strip():
            raise GatewayError("account_required", _("Choose the account to debit."))
        charge.bank_account_last4 = bank_account.strip()[-4:]
        charge.save(update_fields=["bank_account_last4", "updated_at"])
    _settle(charge, status=Status.SUCCEEDED)
    return charge


@dataclass(frozen=True)
class ChargeStatus:
    status: str
    amount_jpy: int
    card_last4: str
    decline_code: str
    fee_jpy: int


@transaction.atomic
def charge_status(*, token: str) -> ChargeStatus:
    """The status API. A charge that timed out settles once it has waited long enough."""
    charge = GatewayCharge.objects.select_for_update().get(token=token)
    if charge.status == Status.PROCESSING:
        waited = (timezone.now() - charge.updated_at).total_seconds()
        if waited >= settings.SANDBOX_GATEWAY_TIMEOUT_SETTLE_SECONDS:
            _settle(charge, status=Status.SUCCEEDED)
    return ChargeStatus(charge.status, charge.amount_jpy, charge.card_last4, charge.decline_code, charge.fee_jpy)


@transaction.atomic
def charge_cancel(*, token: str) -> str:
    charge = GatewayCharge.objects.select_for_update().get(token=token)
    if charge.status in (Status.REQUIRES_PAYMENT, Status.PROCESSING):
        charge.status = Status.CANCELED
        charge.save(update_fields=["status", "updated_at"])
        audit_record(action="gateway.charge.canceled", system=SYSTEM, obj=charge)
    return charge.status


@transaction.atomic
def charge_refund(*, token: str, amount_jpy: int, idempotency_key: str) -> GatewayRefund:
    existing = GatewayRefund.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    charge = GatewayCharge.objects.select_for_update().get(token=token)
    if charge.status != Status.SUCCEEDED:
        raise GatewayError("charge_not_captured", _("Only a captured charge can be refunded."))
    if amount_jpy <= 0 or amount_jpy > charge.amount_jpy - charge.refunded_jpy:
        raise GatewayError("amount_too_large", _("The refund is larger than what remains on the charge."))
    charge.refunded_jpy += amount_jpy
    charge.save(update_fields=["refunded_jpy", "updated_at"])
    refund = GatewayRefund.objects.create(
        charge=charge, refund_id=f"re_{secrets.token_hex(10)}", idempotency_key=idempotency_key, amount_jpy=amount_jpy
    )
    audit_record(action="gateway.charge.refunded", system=SYSTEM, obj=charge, after={"amount_jpy": amount_jpy})
    notification_emit(charge=charge, event_type="charge.refunded")
    return refund


# --- Webhooks ----------------------------------------------------------------------


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def notification_emit(*, charge: GatewayCharge, event_type: str) -> GatewayNotification:
    from payments.sandbox import tasks

    event_id = f"evt_{secrets.token_hex(12)}"
    notification = GatewayNotification.objects.create(
        event_id=event_id,
        charge=charge,
        event_type=event_type,
        payload={
            "id": event_id,
            "type": event_type,
            "created": int(time.time()),
            "data": {
                "token": charge.token,
                "merchant_reference": charge.merchant_reference,
                "status": charge.status,
                "amount_jpy": charge.amount_jpy,
                "refunded_jpy": charge.refunded_jpy,
                "card_last4": charge.card_last4,
                "decline_code": charge.decline_code,
                "fee_jpy": charge.fee_jpy,
            },
        },
    )
    outbox_enqueue(
        tasks.gateway_notification_deliver.name, notification.pk, key=f"gateway_notification:{notification.pk}"
    )
    if settings.SANDBOX_GATEWAY_DELIVERY_CHAOS:
        # Like a real processor on a bad day: every event is sent a second time, after a
        # random delay, so duplicates and out-of-order arrivals happen.
        outbox_enqueue(
            tasks.gateway_notification_deliver.name,
            notification.pk,
            key=f"gateway_notification:{notification.pk}:again",
            countdown=secrets.randbelow(6),
        )
    return notification


def notification_body(notification: GatewayNotification) -> bytes:
    return json.dumps(notification.payload, sort_keys=True, separators=(",", ":")).encode()


def notification_deliver(*, notification_id: int) -> int:
    """Posts the notification, signed, to the portal. Returns the HTTP status. Sending
    again is harmless: the portal recognises the event id."""
    notification = GatewayNotification.objects.get(pk=notification_id)
    body = notification_body(notification)
    header = signature(secret=settings.PAYMENTS_GATEWAY_WEBHOOK_SECRET, timestamp=int(time.time()), body=body)
    status_code = post_to_portal(body=body, signature_header=header)
    GatewayNotification.objects.filter(pk=notification_id).update(
        attempts=notification.attempts + 1,
        last_status_code=status_code,
        delivered_at=timezone.now() if 200 <= status_code < 300 else None,
    )
    return status_code


def post_to_portal(*, body: bytes, signature_header: str) -> int:
    """HTTP when SANDBOX_GATEWAY_WEBHOOK_URL is set; otherwise straight into the
    portal's webhook view in this process (the view itself, with its checks)."""
    if settings.SANDBOX_GATEWAY_WEBHOOK_URL:
        response = requests.post(
            settings.SANDBOX_GATEWAY_WEBHOOK_URL,
            data=body,
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature_header},
            timeout=10,
        )
        return response.status_code
    path = reverse("payments-gateway-webhook")
    request = RequestFactory().post(
        path, data=body, content_type="application/json", HTTP_X_GATEWAY_SIGNATURE=signature_header
    )
    match = resolve(path)
    return match.func(request, *match.args, **match.kwargs).status_code


# --- Settlement ----------------------------------------------------------------------

SETTLEMENT_COLUMNS = ["record_type", "gateway_reference", "merchant_reference", "method", "amount_jpy", "fee_jpy", "at"]


def settlement_csv(*, day) -> bytes:
    """The daily settlement file: every charge settled and every refund made that day
    (Japan time), as a processor sends it to its merchants."""
    import csv
    import io
    from datetime import datetime, timedelta
    from datetime import time as dtime

    start = timezone.make_aware(datetime.combine(day, dtime.min))
    end = start + timedelta(days=1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SETTLEMENT_COLUMNS)
    for charge in GatewayCharge.objects.filter(
        status=Status.SUCCEEDED, settled_at__gte=start, settled_at__lt=end
    ).order_by("settled_at", "pk"):
        writer.writerow(
            ["charge", charge.token, charge.merchant_reference, charge.method, charge.amount_jpy, charge.fee_jpy,
             charge.settled_at.isoformat()]
        )  # fmt: skip
    for refund in GatewayRefund.objects.filter(created_at__gte=start, created_at__lt=end).select_related("charge"):
        writer.writerow(
            ["refund", refund.refund_id, refund.charge.merchant_reference, refund.charge.method, -refund.amount_jpy, 0,
             refund.created_at.isoformat()]
        )  # fmt: skip
    return out.getvalue().encode()
