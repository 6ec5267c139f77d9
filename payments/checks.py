"""System checks of the payments app."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def sandbox_gateway_absent(app_configs, **kwargs) -> list[Error]:
    """`check --deploy` fails wherever the sandbox gateway could take payments: it marks
    them paid with no money moved. (Production settings refuse it even earlier.)"""
    if apps.is_installed("payments.sandbox") or settings.PAYMENTS_GATEWAY_PROVIDER == "sandbox":
        return [
            Error(
                "The sandbox payment gateway is enabled in a deployment.",
                hint="Unset PAYMENTS_SANDBOX_ENABLED and set PAYMENTS_GATEWAY_PROVIDER to a real payment provider.",
                id="payments.E001",
            )
        ]
    return []
