"""The one interface between the portal and a payment processor. Each processor has one
implementation, registered in PROVIDERS; PAYMENTS_GATEWAY_PROVIDER names the one new
payments go to. The sandbox gateway (payments.sandbox.provider) is one of them; a real
processor's SDK is wrapped the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from customs_portal.errors import ApplicationError


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

    def event_status(self, *, data: dict[str, Any]) -> GatewayStatus:
        """What the `data` of a verified charge notification says about the charge."""
        ...


# Provider name -> (implementation, the app that must be installed for it to exist here).
PROVIDERS: dict[str, tuple[str, str]] = {
    "sandbox": ("payments.sandbox.provider.SandboxProvider", "payments.sandbox"),
}


def provider_for(name: str) -> PaymentProvider:
    """The implementation of provider `name`. Raises ApplicationError (503) when no such
    provider is installed here, so that no payment is ever taken by a provider that is
    not there (the sandbox, in production)."""
    entry = PROVIDERS.get(name)
    if entry is None or not apps.is_installed(entry[1]):
        raise ApplicationError(
            _("No payment provider is configured, so payments cannot be taken at the moment. Try again later."),
            code="provider_not_configured",
            status=503,
        )
    return import_string(entry[0])()


def provider_configured() -> PaymentProvider:
    """The provider that new payments go to (PAYMENTS_GATEWAY_PROVIDER)."""
    return provider_for(settings.PAYMENTS_GATEWAY_PROVIDER)
