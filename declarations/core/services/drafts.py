"""Drafts of declarations: validating the trader's data, numbering, creating and
updating a draft."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import CustomsOffice, User
from declarations.core.labels import field_label
from declarations.core.models import Declaration, DeclarationLine, Preference
from declarations.core.services.actions import Action, declaration_action_check
from declarations.tariff import interface as tariff

Status = Declaration.Status


HEADER_FIELDS = (
    "office",
    "party_name",
    "party_corporate_number",
    "consignee_name",
    "consignee_country",
    "transport_mode",
    "vessel_or_flight",
    "transport_document",
    "invoice_number",
    "invoice_currency",
    "incoterm",
    "freight",
    "insurance",
    "declaration_date",
)


LINE_FIELDS = (
    "hs_code",
    "description",
    "origin_country",
    "quantity",
    "unit",
    "net_weight_kg",
    "invoice_value",
    "preference",
    "epa_agreement",
    "origin_proof",
    "origin_proof_reference",
    "export_licence_number",
)


# No declaration line comes near 10 billion in any currency; a bigger figure is a typing error.
MAX_AMOUNT = Decimal("10000000000")


MAX_QUANTITY = Decimal("1000000000")


MAX_LINES = 999


NUMBER_PREFIX = {Declaration.Kind.IMPORT: "IM", Declaration.Kind.EXPORT: "EX"}


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.fields.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            problems = "; ".join(f"{field_label(key) or key}: {messages[0]}" for key, messages in self.fields.items())
            raise ApplicationError(
                _("The declaration is invalid: %(problems)s") % {"problems": problems},
                code="validation_error",
                fields=self.fields,
            )


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _date_too_far_ahead(day: date) -> str | None:
    """Why `day` is refused as a declaration date, when it is more than
    DECLARATION_DATE_MAX_DAYS_AHEAD days after today (the limit the pre-submission check
    applies too); None when it is not."""
    latest = timezone.localdate() + timedelta(days=settings.DECLARATION_DATE_MAX_DAYS_AHEAD)
    if day <= latest:
        return None
    too_far = _("The declaration date %(date)s is more than %(days)s days after today.") % {
        "date": day.isoformat(),
        "days": settings.DECLARATION_DATE_MAX_DAYS_AHEAD,
    }
    return f"{too_far} " + _("Enter the date the declaration is filed, %(latest)s at the latest.") % {
        "latest": latest.isoformat()
    }


def _header_clean(*, kind: str, data: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    clean: dict[str, Any] = {name: _text(data.get(name)) for name in HEADER_FIELDS}
    office = data.get("office")
    if not isinstance(office, CustomsOffice):
        office = CustomsOffice.objects.filter(pk=office).first() if str(office or "").isdigit() else None
        office = office or CustomsOffice.objects.filter(code=_text(data.get("office"))).first()
    if office is None:
        errors.add("office", _("Choose the customs office the declaration is filed at."))
    clean["office"] = office
    if not clean["party_name"]:
        errors.add("party_name", _("Name the importer or exporter."))
    number = clean["party_corporate_number"]
    if number and not (len(number) == 13 and number.isdigit()):
        errors.add("party_corporate_number", _("A corporate number has 13 digits."))
    country = clean["consignee_country"].upper()
    clean["consignee_country"] = country
    if country and not tariff.is_country(country):
        errors.add("consignee_country", _("“%(code)s” is not an ISO 3166 country code.") % {"code": country})
    if clean["transport_mode"] not in Declaration.TransportMode.values:
        errors.add("transport_mode", _("Choose a transport mode."))
    if clean["incoterm"] not in Declaration.Incoterm.values:
        errors.add("incoterm", _("Choose an Incoterm."))
    day = data.get("declaration_date")
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            day = None
    if not isinstance(day, date):
        errors.add("declaration_date", _("Give the declaration date as YYYY-MM-DD."))
        day = None
    elif (far := _date_too_far_ahead(day)) is not None:
        errors.add("declaration_date", far)
        day = None
    clean["declaration_date"] = day
    currency = clean["invoice_currency"].upper() or "JPY"
    clean["invoice_currency"] = currency
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        errors.add("invoice_currency", _("A currency is its 3-letter ISO 4217 code, e.g. USD."))
    elif day is not None:
        try:
            tariff.exchange_rate_for(currency=currency, on=day)
        except ApplicationError as error:
            errors.add("invoice_currency", error.message)
    for name in ("freight", "insurance"):
        amount = _decimal(data.get(name) if data.get(name) not in (None, "") else 0)
        if amount is None:
            errors.add(name, _("Enter an amount, e.g. 1200.50."))
        elif amount < 0:
            errors.add(name, _("The amount cannot be negative."))
        elif amount > MAX_AMOUNT:
            errors.add(name, _("The amount is implausibly large; check the figure."))
        clean[name] = amount if amount is not None else Decimal(0)
    clean["kind"] = kind
    return clean


def _line_clean(*, kind: str, index: int, line: dict[str, Any], on: date | None, errors: _Errors) -> dict[str, Any]:
    key = f"lines[{index}]"
    clean: dict[str, Any] = {name: _text(line.get(name)) for name in LINE_FIELDS}
    code = clean["hs_code"].replace(".", "").replace("-", "").replace(" ", "")
    clean["hs_code"] = code
    if not (len(code) == 9 and code.isascii() and code.isdigit()):
        errors.add(f"{key}.hs_code", _("A tariff code has 9 digits, e.g. 220421020."))
    if not clean["description"]:
        errors.add(f"{key}.description", _("Describe the goods."))
    origin = clean["origin_country"].upper()
    clean["origin_country"] = origin
    if not tariff.is_country(origin):
        errors.add(f"{key}.origin_country", _("“%(code)s” is not an ISO 3166 country code.") % {"code": origin})
    for name, minimum_message in (
        ("quantity", _("The quantity must be more than zero.")),
        ("net_weight_kg", _("The net weight cannot be negative.")),
        ("invoice_value", _("The invoice value cannot be negative.")),
    ):
        amount = _decimal(line.get(name))
        if amount is None:
            errors.add(f"{key}.{name}", _("Enter a number."))
        elif (name == "quantity" and amount <= 0) or amount < 0:
            errors.add(f"{key}.{name}", minimum_message)
        elif amount > (MAX_QUANTITY if name != "invoice_value" else MAX_AMOUNT):
            errors.add(f"{key}.{name}", _("The figure is implausibly large; check it."))
        clean[name] = amount
    if not clean["unit"]:
        errors.add(f"{key}.unit", _("Give the unit of the quantity, e.g. KG or L."))
    clean["unit"] = clean["unit"].upper()
    preference = clean["preference"]
    if preference not in Preference.values:
        errors.add(f"{key}.preference", _("Choose a preference from the list."))
    if preference == Preference.EPA:
        agreement = tariff.agreement_get(clean["epa_agreement"].upper())
        clean["epa_agreement"] = clean["epa_agreement"].upper()
        if agreement is None:
            errors.add(
                f"{key}.epa_agreement",
                _("Name the agreement claimed: one of %(codes)s.") % {"codes": ", ".join(tariff.agreement_codes())},
            )
        elif on is not None and tariff.is_country(origin) and not agreement.covers(origin, on):
            errors.add(
                f"{key}.epa_agreement",
                _("%(agreement)s does not cover goods originating in %(country)s on %(date)s.")
                % {"agreement": agreement.code, "country": origin, "date": on.isoformat()},
            )
        if clean["origin_proof"] not in tariff.OriginProof.values:
            errors.add(f"{key}.origin_proof", _("An EPA claim needs the type of origin proof."))
        if not clean["origin_proof_reference"]:
            errors.add(f"{key}.origin_proof_reference", _("An EPA claim needs the reference of its origin proof."))
    else:
        clean["epa_agreement"] = ""
        if clean["origin_proof"] and clean["origin_proof"] not in tariff.OriginProof.values:
            errors.add(f"{key}.origin_proof", _("Choose an origin proof from the list."))
    return clean


def declaration_data_validate(
    *, kind: str, data: dict[str, Any], lines: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Checks a whole declaration at once and returns it cleaned; every problem is
    reported together in one ApplicationError keyed by field (`lines[2].origin_country`)."""
    errors = _Errors()
    if kind not in Declaration.Kind.values:
        errors.add("kind", _("A declaration is an import or an export."))
    header = _header_clean(kind=kind, data=data, errors=errors)
    if not lines:
        errors.add("lines", _("A declaration needs at least one line."))
    elif len(lines) > MAX_LINES:
        errors.add("lines", _("A declaration has at most %(max)s lines.") % {"max": MAX_LINES})
    on = header["declaration_date"]
    clean_lines = [_line_clean(kind=kind, index=i, line=line, on=on, errors=errors) for i, line in enumerate(lines)]
    if kind == Declaration.Kind.IMPORT and on is not None:
        codes = {line["hs_code"] for line in clean_lines}
        known = tariff.tariff_terms_for_codes(hs_codes=codes, on=on)
        for index, line in enumerate(clean_lines):
            code = line["hs_code"]
            if len(code) == 9 and code.isdigit() and code not in known:
                errors.add(
                    f"lines[{index}].hs_code",
                    _("No tariff line %(code)s is in force on %(date)s.") % {"code": code, "date": on.isoformat()},
                )
            elif code in known and line["preference"] == Preference.EPA and line["epa_agreement"]:
                if f"epa:{line['epa_agreement']}" not in known[code].rates:
                    errors.add(
                        f"lines[{index}].epa_agreement",
                        _("Tariff line %(code)s has no %(agreement)s rate.")
                        % {"code": code, "agreement": line["epa_agreement"]},
                    )
    errors.raise_if_any()
    return header, clean_lines


def declaration_number_for(*, kind: str, year: int, pk: int) -> str:
    """IM-2026-00000123: the kind, the year of filing and the row's id, so unique."""
    return f"{NUMBER_PREFIX[kind]}-{year}-{pk:08d}"


def declaration_lines_replace(declaration: Declaration, lines: list[dict[str, Any]]) -> None:
    declaration.lines.all().delete()
    DeclarationLine.objects.bulk_create(
        DeclarationLine(declaration=declaration, line_no=index + 1, **line) for index, line in enumerate(lines)
    )


@transaction.atomic
def declaration_draft_create(
    *,
    company,
    declarant: User,
    kind: str,
    data: dict[str, Any],
    lines: list[dict[str, Any]],
    source: str = Declaration.Source.PORTAL,
    request=None,
) -> Declaration:
    """A new draft with its lines, numbered IM-/EX-<year>-<id>. Nothing is saved unless
    the whole declaration is valid."""
    if not declarant.is_trader or declarant.company_id != company.pk:
        raise ApplicationError(
            _("Only the company's own traders may file for it."), code="permission_denied", status=403
        )
    header, clean_lines = declaration_data_validate(kind=kind, data=data, lines=lines)
    declaration = Declaration.objects.create(
        number=f"T-{uuid.uuid4().hex[:18]}", company=company, declarant=declarant, source=source, **header
    )
    declaration.number = declaration_number_for(kind=kind, year=header["declaration_date"].year, pk=declaration.pk)
    declaration.save(update_fields=["number"])
    declaration_lines_replace(declaration, clean_lines)
    audit_record(
        action="declaration.draft_created",
        actor=declarant,
        obj=declaration,
        after={"number": declaration.number, "lines": len(clean_lines)},
        request=request,
    )
    return declaration


@transaction.atomic
def declaration_draft_update(
    *, declaration: Declaration, updated_by: User, data: dict[str, Any], lines: list[dict[str, Any]], request=None
) -> Declaration:
    """Replaces a draft's header and lines (all or nothing); only drafts change in place."""
    declaration_action_check(declaration=declaration, user=updated_by, action=Action.EDIT)
    locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
    declaration_action_check(declaration=locked, user=updated_by, action=Action.EDIT)
    header, clean_lines = declaration_data_validate(kind=locked.kind, data=data, lines=lines)
    for name, value in header.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*HEADER_FIELDS, "updated_at"])
    declaration_lines_replace(locked, clean_lines)
    audit_record(
        action="declaration.draft_updated",
        actor=updated_by,
        obj=locked,
        after={"lines": len(clean_lines)},
        request=request,
    )
    declaration.refresh_from_db()
    return declaration
