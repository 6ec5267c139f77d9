"""The duty engine, the one place that turns goods into customs duty and consumption
tax. Declarations, the kiosk, postal parcels and tax-free all call it.

- `customs_value_jpy`: the CIF value in yen (goods + freight + insurance, each converted
  at the customs exchange rate of the declaration date's week).
- `duty_estimate`: reads the terms of the tariff lines in force (two queries for any
  number of lines) and calls `duty_compute`.
- `duty_compute`: pure; chooses each line's rate with its legal basis and applies the
  official rounding and the small-value exemption.

Rounding, as in Customs Answer 1111 (reference §2.3/§2.4), per line:

    duty base        = customs value, truncated to ¥1,000
    duty             = rate applied to the base (yen fractions dropped)
    tax base         = customs value + the line's duty truncated to ¥100, truncated to ¥1,000
    consumption tax  = tax base × 7.8 % (6.24 % reduced), yen fractions dropped
    local tax        = the line's consumption tax truncated to ¥100, × 22/78, fractions dropped

and for the declaration: each total is the sum of the lines' amounts *before* their
¥100 truncation, truncated to ¥100.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from customs_portal.errors import ApplicationError
from declarations.tariff import selectors, trade_data
from declarations.tariff.rates import QuantityRequired, Rate
from declarations.tariff.selectors import TariffTerms

BASE_UNIT_JPY = 1_000
TAX_UNIT_JPY = 100

GENERAL = "general"
WTO = "wto"
GSP = "gsp"
LDC = "ldc"
EPA = "epa"


@dataclass(frozen=True)
class TaxRules:
    """The tax rates and thresholds in force from `valid_from`."""

    valid_from: date
    consumption_tax_percent: Decimal
    reduced_consumption_tax_percent: Decimal
    local_tax_numerator: int
    local_tax_denominator: int
    small_value_limit_jpy: int
    small_value_exempts_consumption_tax: bool


# Effective-dated, newest last. Add a row when the law changes instead of editing one:
# the FY2026 reform (reference §2.8) will make low-value mail-order goods subject to
# consumption tax, which is a new row with small_value_exempts_consumption_tax=False.
TAX_RULES: tuple[TaxRules, ...] = (
    # The 10 % / 8 % consumption tax of 2019-10-01 (national 7.8 % / 6.24 %, local
    # 22/78 of the national tax) and the ¥10,000 exemption (関税定率法 14条18号).
    TaxRules(
        valid_from=date(2019, 10, 1),
        consumption_tax_percent=Decimal("7.8"),
        reduced_consumption_tax_percent=Decimal("6.24"),
        local_tax_numerator=22,
        local_tax_denominator=78,
        small_value_limit_jpy=10_000,
        small_value_exempts_consumption_tax=True,
    ),
)


def tax_rules_for(on: date) -> TaxRules:
    for rules in reversed(TAX_RULES):
        if rules.valid_from <= on:
            return rules
    raise ApplicationError(
        _("The duty engine has no tax rules for %(date)s; the earliest date it rates is %(first)s.")
        % {"date": on.isoformat(), "first": TAX_RULES[0].valid_from.isoformat()},
        code="date_out_of_range",
        fields={"date": [_("Too early.")]},
    )


def truncate(amount: int, unit: int) -> int:
    """Drops what is below `unit` (amounts here are never negative)."""
    return amount // unit * unit


def _floor(amount: Decimal) -> int:
    return int(amount.to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class DutyLine:
    """One line to rate. `preference` is "" (the best rate without an EPA claim),
    general, wto, gsp, ldc or an agreement code such as JP-EU; an EPA claim needs an
    `origin_proof` (an OriginProof value)."""

    hs_code: str
    origin: str
    customs_value_jpy: int
    quantity: Decimal | None = None
    preference: str = ""
    origin_proof: str = ""


@dataclass(frozen=True)
class DutyLineResult:
    index: int
    hs_code: str
    description_en: str
    description_ja: str
    origin: str
    customs_value_jpy: int
    quantity: Decimal | None
    unit: str
    rate: str
    basis: str
    agreement: str
    basis_label: str
    note: str
    exempt: bool
    duty_base_jpy: int
    customs_duty_jpy: int
    customs_duty_truncated_jpy: int
    consumption_tax_percent: Decimal
    consumption_tax_base_jpy: int
    consumption_tax_jpy: int
    consumption_tax_truncated_jpy: int
    local_consumption_tax_jpy: int

    @property
    def basis_code(self) -> str:
        """The legal basis as a code to store (the rate column, e.g. wto or epa:JP-EU);
        `basis_label` words it in the reader's language."""
        return f"{self.basis}:{self.agreement}" if self.agreement else self.basis


@dataclass(frozen=True)
class DutyTotals:
    customs_duty_jpy: int
    consumption_tax_jpy: int
    local_consumption_tax_jpy: int

    @property
    def total_jpy(self) -> int:
        return self.customs_duty_jpy + self.consumption_tax_jpy + self.local_consumption_tax_jpy


@dataclass(frozen=True)
class DutyResult:
    on: date
    lines: tuple[DutyLineResult, ...]
    total: DutyTotals
    total_customs_value_jpy: int
    small_value_limit_jpy: int
    small_value_exemption: bool


class _LineError(Exception):
    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message


@dataclass(frozen=True)
class _Choice:
    column: str
    rate: Rate
    amount: int
    note: str = ""

    @property
    def basis(self) -> str:
        return self.column.partition(":")[0]

    @property
    def agreement(self) -> str:
        return self.column.partition(":")[2]


def basis_label(column: str) -> str:
    """The legal basis of a rate, as a person reads it in the active language, from its
    code: the rate column (general, wto, gsp, ldc, epa:JP-EU). Any other text is not a
    code and is returned as it is."""
    labels = {
        GENERAL: _("general rate"),
        WTO: _("WTO bound rate"),
        GSP: _("GSP preferential rate"),
        LDC: _("LDC special preferential rate"),
    }
    if column in labels:
        return labels[column]
    basis, _sep, agreement = column.partition(":")
    if basis == EPA and agreement:
        return _("%(agreement)s EPA preferential rate") % {"agreement": agreement}
    return column


def rate_label(rate: str) -> str:
    """A stored rate as a person reads it: “free” in the active language, any other rate
    (10%, 5% or ¥30/kg...) as written."""
    return _("Free") if rate.strip().lower() == "free" else rate


def _priced(terms: TariffTerms, column: str, *, base: int, quantity: Decimal | None) -> _Choice | None:
    rate = terms.rates.get(column)
    if rate is None:
        return None
    try:
        amount = rate.amount(value_base_jpy=base, quantity=quantity)
    except QuantityRequired as error:
        raise _LineError(
            "quantity",
            "quantity_required",
            _("Tariff line %(code)s has a specific rate per %(unit)s: give the quantity in %(unit)s.")
            % {"code": terms.hs_code, "unit": error.unit},
        ) from error
    return _Choice(column=column, rate=rate, amount=int(amount))


def _lowest(choices: Sequence[_Choice | None]) -> _Choice:
    """The first of the lowest: list the choice the law prefers on a tie first."""
    best: _Choice | None = None
    for choice in choices:
        if choice is not None and (best is None or choice.amount < best.amount):
            best = choice
    if best is None:
        raise _LineError("hs_code", "no_rate", _("The tariff line has no rate."))
    return best


def _mfn(terms: TariffTerms, origin: str, on: date, *, base: int, quantity: Decimal | None) -> _Choice:
    """The general rate, or the WTO rate for a WTO member when it is lower (the law
    applies the WTO rate only where it is lower)."""
    wto = _priced(terms, WTO, base=base, quantity=quantity) if trade_data.is_wto_member(origin, on) else None
    return _lowest([_priced(terms, GENERAL, base=base, quantity=quantity), wto])


def _claimed(terms: TariffTerms, column: str, mfn: _Choice, *, base: int, quantity: Decimal | None) -> _Choice:
    """A preferential rate applies where it is not higher than the rate the goods would
    pay without the claim; otherwise that rate applies, and the line says so."""
    claimed = _priced(terms, column, base=base, quantity=quantity)
    if claimed is not None and claimed.amount <= mfn.amount:
        return claimed
    return _Choice(
        column=mfn.column,
        rate=mfn.rate,
        amount=mfn.amount,
        note=_("The claimed %(claimed)s is higher than the %(applied)s, so the %(applied)s applies.")
        % {"claimed": basis_label(column), "applied": basis_label(mfn.column)},
    )


def _claim_column(line: DutyLine, origin: str, on: date) -> tuple[str, str]:
    """Checks the preference claimed before anything is priced, so a wrong claim is
    reported as such. Returns the rate column claimed ("" for none) and its name."""
    preference = line.preference.strip()
    country = f"{origin} ({trade_data.country_name(origin)})"
    if preference == "" or preference.lower() == GENERAL:
        return "", ""
    if preference.lower() == WTO:
        if not trade_data.is_wto_member(origin, on):
            raise _LineError(
                "preference",
                "not_wto_member",
                _("%(country)s is not a WTO member on %(date)s, so no WTO rate can be claimed.")
                % {"country": country, "date": on.isoformat()},
            )
        return "", ""
    if preference.lower() in (GSP, LDC):
        scheme = preference.lower()
        beneficiary = trade_data.is_gsp_beneficiary if scheme == GSP else trade_data.is_ldc_beneficiary
        if not beneficiary(origin, on):
            raise _LineError(
                "preference",
                f"not_{scheme}_beneficiary",
                _("%(country)s is not a %(scheme)s beneficiary on %(date)s.")
                % {"country": country, "scheme": scheme.upper(), "date": on.isoformat()},
            )
        return scheme, scheme.upper()
    agreement = trade_data.agreement_get(preference.upper())
    if agreement is None:
        raise _LineError(
            "preference",
            "unknown_preference",
            _("Unknown preference “%(preference)s”: use general, wto, gsp, ldc or an agreement (%(agreements)s).")
            % {"preference": preference, "agreements": ", ".join(trade_data.agreement_codes())},
        )
    if not agreement.covers(origin, on):
        raise _LineError(
            "preference",
            "epa_not_applicable",
            _("%(agreement)s does not cover goods originating in %(country)s on %(date)s.")
            % {"agreement": agreement.code, "country": country, "date": on.isoformat()},
        )
    if not line.origin_proof:
        raise _LineError(
            "origin_proof",
            "origin_proof_required",
            _("A %(agreement)s claim needs a proof of origin (a self-declaration or a certificate).")
            % {"agreement": agreement.code},
        )
    return f"{EPA}:{agreement.code}", agreement.code


def _choose(line: DutyLine, terms: TariffTerms, origin: str, on: date, *, base: int) -> _Choice:
    """The rate that applies to the line. Without a claim: the lowest of the general
    rate, the WTO rate (WTO members) and the GSP/LDC rates (beneficiaries), the law's
    preference winning a tie. With a claim: the claimed rate (see `_claimed`)."""
    column, scheme = _claim_column(line, origin, on)
    quantity = line.quantity
    if column and column not in terms.rates:
        raise _LineError(
            "preference",
            "no_preferential_rate",
            _("Tariff line %(code)s has no %(scheme)s rate.") % {"code": terms.hs_code, "scheme": scheme},
        )
    mfn = _mfn(terms, origin, on, base=base, quantity=quantity)
    if column:
        return _claimed(terms, column, mfn, base=base, quantity=quantity)
    if line.preference.strip():
        return mfn
    gsp = _priced(terms, GSP, base=base, quantity=quantity) if trade_data.is_gsp_beneficiary(origin, on) else None
    ldc = _priced(terms, LDC, base=base, quantity=quantity) if trade_data.is_ldc_beneficiary(origin, on) else None
    return _lowest([mfn, gsp, ldc])


def _check_line(line: DutyLine, tariff: Mapping[str, TariffTerms], on: date) -> tuple[TariffTerms, str]:
    origin = line.origin.strip().upper()
    if not trade_data.is_country(origin):
        raise _LineError(
            "origin", "unknown_country", _("“%(origin)s” is not an ISO 3166 country code.") % {"origin": line.origin}
        )
    if line.customs_value_jpy < 0:
        raise _LineError("customs_value_jpy", "negative_value", _("The customs value cannot be negative."))
    if line.quantity is not None and line.quantity < 0:
        raise _LineError("quantity", "negative_quantity", _("The quantity cannot be negative."))
    terms = tariff.get(line.hs_code)
    if terms is None:
        raise _LineError(
            "hs_code",
            "unknown_tariff_code",
            _("No tariff line %(code)s is in force on %(date)s.") % {"code": line.hs_code, "date": on.isoformat()},
        )
    return terms, origin


def duty_compute(*, lines: Sequence[DutyLine], tariff: Mapping[str, TariffTerms], on: date) -> DutyResult:
    """Rates the lines of one declaration (or one parcel) against `tariff`, the terms of
    the lines in force on `on` by code. Every bad line is reported at once in one
    ApplicationError whose fields are keyed `lines[<index>].<field>`."""
    rules = tax_rules_for(on)
    total_value = sum(line.customs_value_jpy for line in lines)
    small_value = 0 <= total_value <= rules.small_value_limit_jpy
    errors: list[tuple[str, _LineError]] = []
    results: list[DutyLineResult] = []
    sums = {"duty": 0, "tax": 0, "local": 0}
    for index, line in enumerate(lines):
        try:
            terms, origin = _check_line(line, tariff, on)
            base = truncate(line.customs_value_jpy, BASE_UNIT_JPY)
            choice = _choose(line, terms, origin, on, base=base)
        except _LineError as error:
            errors.append((f"lines[{index}].{error.field}", error))
            continue
        exempt = small_value and not terms.small_value_exclusion
        percent = (
            rules.reduced_consumption_tax_percent if terms.reduced_consumption_tax else rules.consumption_tax_percent
        )
        duty = 0 if exempt else choice.amount
        duty_truncated = truncate(duty, TAX_UNIT_JPY)
        tax_base = truncate(line.customs_value_jpy + duty_truncated, BASE_UNIT_JPY)
        tax = 0 if exempt and rules.small_value_exempts_consumption_tax else _floor(Decimal(tax_base) * percent / 100)
        tax_truncated = truncate(tax, TAX_UNIT_JPY)
        local = tax_truncated * rules.local_tax_numerator // rules.local_tax_denominator
        sums["duty"] += duty
        sums["tax"] += tax
        sums["local"] += local
        results.append(
            DutyLineResult(
                index=index,
                hs_code=terms.hs_code,
                description_en=terms.description_en,
                description_ja=terms.description_ja,
                origin=origin,
                customs_value_jpy=line.customs_value_jpy,
                quantity=line.quantity,
                unit=terms.unit,
                rate=str(choice.rate),
                basis=choice.basis,
                agreement=choice.agreement,
                basis_label=basis_label(choice.column),
                note=choice.note,
                exempt=exempt,
                duty_base_jpy=base,
                customs_duty_jpy=duty,
                customs_duty_truncated_jpy=duty_truncated,
                consumption_tax_percent=percent,
                consumption_tax_base_jpy=tax_base,
                consumption_tax_jpy=tax,
                consumption_tax_truncated_jpy=tax_truncated,
                local_consumption_tax_jpy=local,
            )
        )
    if errors:
        raise ApplicationError(
            "; ".join(f"{key}: {error.message}" for key, error in errors),
            code=errors[0][1].code,
            fields={key: [error.message] for key, error in errors},
        )
    return DutyResult(
        on=on,
        lines=tuple(results),
        total=DutyTotals(
            customs_duty_jpy=truncate(sums["duty"], TAX_UNIT_JPY),
            consumption_tax_jpy=truncate(sums["tax"], TAX_UNIT_JPY),
            local_consumption_tax_jpy=truncate(sums["local"], TAX_UNIT_JPY),
        ),
        total_customs_value_jpy=total_value,
        small_value_limit_jpy=rules.small_value_limit_jpy,
        small_value_exemption=small_value,
    )


def duty_estimate(*, lines: Sequence[DutyLine], on: date | None = None) -> DutyResult:
    """Rates the lines against the tariff in force on `on` (today by default)."""
    on = on or timezone.localdate()
    tariff = selectors.tariff_terms_for_codes(hs_codes=(line.hs_code for line in lines), on=on)
    return duty_compute(lines=lines, tariff=tariff, on=on)
