from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TariffConfig(AppConfig):
    """The shared tariff engine: the schedule, exchange rates, duty and travellers'
    allowances, used by declarations, postal parcels, the kiosk, tax-free and the chatbot."""

    name = "declarations.tariff"
    label = "tariff"
    verbose_name = _("Tariff")
