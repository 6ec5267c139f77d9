from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SandboxGatewayConfig(AppConfig):
    """A payment processor in a box: it holds card numbers in its own tables, serves its
    own hosted payment page, and notifies the portal by signed webhooks, so the whole
    payment flow runs with no outside service."""

    name = "payments.sandbox"
    label = "sandbox_gateway"
    verbose_name = _("Sandbox payment gateway")
    default_auto_field = "django.db.models.BigAutoField"
