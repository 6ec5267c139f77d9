"""The sandbox gateway behind the portal's payment provider interface."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from payments.providers import GatewaySession, GatewayStatus, ProviderError
from payments.sandbox import gateway


class SandboxProvider:
    """The sandbox gateway as a payment provider: sessions, statuses, refunds and settlement
    files come straight from its own tables, in this process."""

    name = "sandbox"
    _STATUS = {
        "requires_payment": "pending",
        "processing": "pending",
        "succeeded": "succeeded",
        "failed": "failed",
        "canceled": "canceled",
    }

    def session_create(self, *, reference: str, amount_jpy: int, method: str, return_url: str) -> GatewaySession:
        charge = gateway.charge_create(
            merchant_reference=reference, amount_jpy=amount_jpy, method=method, return_url=return_url
        )
        return GatewaySession(token=charge.token, redirect_url=reverse("sandbox-pay", args=[charge.token]))

    def status_fetch(self, *, token: str) -> GatewayStatus:
        status = gateway.charge_status(token=token)
        return GatewayStatus(
            status=self.map_status(status.status),
            amount_jpy=status.amount_jpy,
            card_last4=status.card_last4,
            decline_code=status.decline_code,
            fee_jpy=status.fee_jpy,
        )

    def refund(self, *, token: str, amount_jpy: int, idempotency_key: str) -> str:
        try:
            return gateway.charge_refund(token=token, amount_jpy=amount_jpy, idempotency_key=idempotency_key).refund_id
        except gateway.GatewayError as error:
            raise ProviderError(error.code, str(error)) from error

    def cancel(self, *, token: str) -> str:
        return self.map_status(gateway.charge_cancel(token=token))

    def settlement_file(self, *, day: date) -> bytes:
        return gateway.settlement_csv(day=day)

    def event_status(self, *, data: dict[str, Any]) -> GatewayStatus:
        return GatewayStatus(
            status=self.map_status(str(data.get("status", ""))),
            amount_jpy=int(data.get("amount_jpy", 0)),
            card_last4=str(data.get("card_last4", ""))[-4:],
            decline_code=str(data.get("decline_code", "")),
            fee_jpy=int(data.get("fee_jpy", 0)),
        )

    @classmethod
    def map_status(cls, gateway_status: str) -> str:
        return cls._STATUS.get(gateway_status, "pending")
