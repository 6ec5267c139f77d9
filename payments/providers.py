"""The one interface between the portal and a payment processor. The sandbox gateway
implements it; a real processor's SDK would be wrapped the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from django.urls import reverse


@dataclass(frozen=True)
class GatewaySession:
    token: str
    redirect_url: str


@dataclass(frozen=True)
class GatewayStatus:
    """What the processor says about a charge. status: pending, succeeded, failed, canceled."""

    status: str
    amount_jpy: int
    card_last4: str = ""
    decline_code: str = ""
    fee_jpy: int = 0


class ProviderError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class PaymentProvider(Protocol):
    name: str

    def session_create(self, *, reference: str, amount_jpy: int, method: str, return_url: str) -> GatewaySession: ...

    def status_fetch(self, *, token: str) -> GatewayStatus: ...

    def refund(self, *, token: str, amount_jpy: int, idempotency_key: str) -> str: ...

    def cancel(self, *, token: str) -> str: ...

    def settlement_file(self, *, day: date) -> bytes: ...


class SandboxProvider:
    name = "sandbox"
    _STATUS = {
        "requires_payment": "pending",
        "processing": "pending",
        "succeeded": "succeeded",
        "failed": "failed",
        "canceled": "canceled",
    }

    def session_create(self, *, reference: str, amount_jpy: int, method: str, return_url: str) -> GatewaySession:
        from payments.sandbox import gateway

        charge = gateway.charge_create(
            merchant_reference=reference, amount_jpy=amount_jpy, method=method, return_url=return_url
        )
        return GatewaySession(token=charge.token, redirect_url=reverse("sandbox-pay", args=[charge.token]))

    def status_fetch(self, *, token: str) -> GatewayStatus:
        from payments.sandbox import gateway

        status = gateway.charge_status(token=token)
        return GatewayStatus(
            status=self.map_status(status.status),
            amount_jpy=status.amount_jpy,
            card_last4=status.card_last4,
            decline_code=status.decline_code,
            fee_jpy=status.fee_jpy,
        )

    def refund(self, *, token: str, amount_jpy: int, idempotency_key: str) -> str:
        from payments.sandbox import gateway

        try:
            return gateway.charge_refund(token=token, amount_jpy=amount_jpy, idempotency_key=idempotency_key).refund_id
        except gateway.GatewayError as error:
            raise ProviderError(error.code, str(error)) from error

    def cancel(self, *, token: str) -> str:
        from payments.sandbox import gateway

        return self.map_status(gateway.charge_cancel(token=token))

    def settlement_file(self, *, day: date) -> bytes:
        from payments.sandbox import gateway

        return gateway.settlement_csv(day=day)

    @classmethod
    def map_status(cls, gateway_status: str) -> str:
        return cls._STATUS.get(gateway_status, "pending")


def provider_for(name: str = "sandbox") -> PaymentProvider:
    if name == "sandbox":
        return SandboxProvider()
    raise LookupError(f"No payment provider {name!r}")
