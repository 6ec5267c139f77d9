"""The tariff engine's public interface: everything the rest of the portal (declarations,
postal parcels, the traveller kiosk, tax-free, the chatbot) imports from the engine, and
nothing else. The engine itself imports nothing from them.

- Reference data: tariff lines in force and their terms, the weekly customs exchange
  rates, countries and trade agreements.
- Customs value: `customs_value_jpy` (one price with freight and insurance) and
  `invoice_customs_values` (an invoice's lines under its Incoterm).
- Duty and consumption tax: `duty_estimate` (reads the tariff in force) and the pure
  `duty_compute` (given the tariff terms), both taking `DutyLine`s.
- Travellers' goods: `traveller_estimate` frees what the duty-free allowances cover,
  per `Traveller`, and taxes the rest of the `TravellerItem`s at the simplified rates
  in force, giving a `TravellerEstimate` (a `TravellerItemResult` per line, or per
  traveller's share of a family line with `traveller=None`, a `TaxTypeTotal` per tax
  type, a `TravellerAllowanceUse` per traveller); `traveller_compute` is the same,
  pure, given the `TravellerRules`; `traveller_rules_in_force(on=)` gives the
  `Allowances` and `SimplifiedRates` in force on a day (for "¥200,000 per person");
  `TRAVELLER_CATEGORIES` names the categories of goods.
- Seed data for the demo and tests: `tariff_seed_load`, `exchange_rates_seed_load`,
  `traveller_rules_seed_load` (the first travellers' rule set, for a database that a
  transactional test emptied).
"""

from __future__ import annotations

from declarations.tariff.customs_value import Money, customs_value_jpy, invoice_customs_values
from declarations.tariff.duty import (
    DutyLine,
    DutyLineResult,
    DutyResult,
    DutyTotals,
    basis_label,
    duty_compute,
    duty_estimate,
    rate_label,
)
from declarations.tariff.models import (
    ExchangeRate,
    OriginProof,
    TariffLine,
    validate_currency_code,
    validate_tariff_code,
    week_start_of,
)
from declarations.tariff.selectors import (
    TariffTerms,
    exchange_rate_for,
    exchange_rates_of_week,
    tariff_codes_in_force,
    tariff_codes_under_hs6,
    tariff_terms_for_codes,
    traveller_estimate,
    traveller_rules_in_force,
)
from declarations.tariff.services import exchange_rates_seed_load, tariff_seed_load, traveller_rules_seed_load
from declarations.tariff.trade_data import agreement_codes, agreement_get, country_name, is_country
from declarations.tariff.travellers import (
    TRAVELLER_CATEGORIES,
    Allowances,
    Basis,
    SimplifiedRate,
    SimplifiedRates,
    TaxTypeTotal,
    Traveller,
    TravellerAllowanceUse,
    TravellerEstimate,
    TravellerItem,
    TravellerItemResult,
    TravellerRules,
    traveller_compute,
)

__all__ = [
    "TRAVELLER_CATEGORIES",
    "Allowances",
    "Basis",
    "SimplifiedRate",
    "SimplifiedRates",
    "TravellerRules",
    "DutyLine",
    "DutyLineResult",
    "DutyResult",
    "DutyTotals",
    "ExchangeRate",
    "Money",
    "OriginProof",
    "TariffLine",
    "TariffTerms",
    "TaxTypeTotal",
    "Traveller",
    "TravellerAllowanceUse",
    "TravellerEstimate",
    "TravellerItem",
    "TravellerItemResult",
    "agreement_codes",
    "basis_label",
    "agreement_get",
    "country_name",
    "customs_value_jpy",
    "duty_compute",
    "duty_estimate",
    "exchange_rate_for",
    "exchange_rates_of_week",
    "exchange_rates_seed_load",
    "invoice_customs_values",
    "is_country",
    "rate_label",
    "tariff_codes_in_force",
    "tariff_codes_under_hs6",
    "tariff_seed_load",
    "tariff_terms_for_codes",
    "traveller_compute",
    "traveller_estimate",
    "traveller_rules_in_force",
    "traveller_rules_seed_load",
    "validate_currency_code",
    "validate_tariff_code",
    "week_start_of",
]
