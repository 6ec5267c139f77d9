"""Writes on declarations before and around submission: drafts (create, update),
numbering, attachments, withdrawal and amendments, and the diff between two frozen
versions. Status changes still go through `declarations.workflow`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import CustomsOffice, User
from declarations import documents, selectors, submission, trade_data, workflow
from declarations.models import (
    Declaration,
    DeclarationAttachment,
    DeclarationLine,
    OriginProof,
    Preference,
)

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
# Statuses in which the trader may send a new version. SUBMITTED has no transition back
# to itself: the screening still to come simply screens the new version.
AMENDABLE = (Status.SUBMITTED, Status.SCREENING, Status.DOCUMENT_REVIEW, Status.INSPECTION, Status.AWAITING_PAYMENT)
ATTACHABLE = (Status.DRAFT, *AMENDABLE)


# --- validation -----------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.fields.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            problems = "; ".join(f"{key}: {messages[0]}" for key, messages in self.fields.items())
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
    if country and not trade_data.is_country(country):
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
    clean["declaration_date"] = day
    currency = clean["invoice_currency"].upper() or "JPY"
    clean["invoice_currency"] = currency
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        errors.add("invoice_currency", _("A currency is its 3-letter ISO 4217 code, e.g. USD."))
    elif day is not None:
        try:
            selectors.exchange_rate_for(currency=currency, on=day)
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
    if not trade_data.is_country(origin):
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
        agreement = trade_data.agreement_get(clean["epa_agreement"].upper())
        clean["epa_agreement"] = clean["epa_agreement"].upper()
        if agreement is None:
            errors.add(
                f"{key}.epa_agreement",
                _("Name the agreement claimed: one of %(codes)s.") % {"codes": ", ".join(trade_data.agreement_codes())},
            )
        elif on is not None and trade_data.is_country(origin) and not agreement.covers(origin, on):
            errors.add(
                f"{key}.epa_agreement",
                _("%(agreement)s does not cover goods originating in %(country)s on %(date)s.")
                % {"agreement": agreement.code, "country": origin, "date": on.isoformat()},
            )
        if clean["origin_proof"] not in OriginProof.values:
            errors.add(f"{key}.origin_proof", _("An EPA claim needs the type of origin proof."))
        if not clean["origin_proof_reference"]:
            errors.add(f"{key}.origin_proof_reference", _("An EPA claim needs the reference of its origin proof."))
    else:
        clean["epa_agreement"] = ""
        if clean["origin_proof"] and clean["origin_proof"] not in OriginProof.values:
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
        known = selectors.tariff_terms_for_codes(hs_codes=codes, on=on)
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


# --- drafts ---------------------------------------------------------------------------


def declaration_number_for(*, kind: str, year: int, pk: int) -> str:
    """IM-2026-00000123: the kind, the year of filing and the row's id, so unique."""
    return f"{NUMBER_PREFIX[kind]}-{year}-{pk:08d}"


def _lines_replace(declaration: Declaration, lines: list[dict[str, Any]]) -> None:
    declaration.lines.all().delete()
    DeclarationLine.objects.bulk_create(
        DeclarationLine(declaration=declaration, line_no=index + 1, **line) for index, line in enumerate(lines)
    )


def _check_company(declaration: Declaration, user: User) -> None:
    if not user.is_trader or user.company_id != declaration.company_id:
        raise ApplicationError(_("This declaration belongs to another company."), code="not_found", status=404)


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
    _lines_replace(declaration, clean_lines)
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
    _check_company(declaration, updated_by)
    locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if locked.status != Status.DRAFT:
        raise ApplicationError(
            _("Only a draft can be edited; send an amendment instead."), code="not_a_draft", status=409
        )
    header, clean_lines = declaration_data_validate(kind=locked.kind, data=data, lines=lines)
    for name, value in header.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*HEADER_FIELDS, "updated_at"])
    _lines_replace(locked, clean_lines)
    audit_record(
        action="declaration.draft_updated",
        actor=updated_by,
        obj=locked,
        after={"lines": len(clean_lines)},
        request=request,
    )
    declaration.refresh_from_db()
    return declaration


def declaration_withdraw(
    *, declaration: Declaration, withdrawn_by: User, reason: str = "", request=None
) -> Declaration:
    """The trader takes the declaration back before it is permitted."""
    _check_company(declaration, withdrawn_by)
    return workflow.declaration_transition(
        declaration=declaration, to=Status.WITHDRAWN, actor=withdrawn_by, reason=reason, request=request
    )


# --- attachments ----------------------------------------------------------------------


@transaction.atomic
def declaration_attachment_add(
    *, declaration: Declaration, uploaded_by: User, kind: str, file: UploadedFile, request=None
) -> DeclarationAttachment:
    """Stores a PDF, JPEG or PNG of at most 10 MB, recognised by its content; the name's
    extension must agree with it."""
    _check_company(declaration, uploaded_by)
    if declaration.status not in ATTACHABLE:
        raise ApplicationError(
            _("Documents can no longer be added to a declaration that is %(status)s.")
            % {"status": Status(declaration.status).label},
            code="not_attachable",
            status=409,
        )
    if kind not in DeclarationAttachment.Kind.values:
        raise ApplicationError(_("Choose the kind of document."), code="invalid", fields={"kind": [_("Choose one.")]})
    document = documents.document_check(file=file, default_name="document")
    attachment = DeclarationAttachment(
        declaration=declaration,
        kind=kind,
        original_name=document.name,
        content_type=document.content_type,
        size=len(document.content),
        sha256=document.sha256,
        uploaded_by=uploaded_by,
    )
    attachment.file.save(f"{uuid.uuid4().hex}{document.storage_suffix}", ContentFile(document.content), save=False)
    attachment.save()
    audit_record(
        action="declaration.attachment_added",
        actor=uploaded_by,
        obj=declaration,
        after={"attachment": attachment.pk, "name": document.name, "sha256": attachment.sha256, "kind": kind},
        request=request,
    )
    return attachment


# --- versions, diff and amendments ----------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class LineChange:
    line_no: int
    change: str  # "added", "removed" or "changed"
    fields: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class SnapshotDiff:
    header: list[FieldChange]
    lines: list[LineChange]

    @property
    def is_empty(self) -> bool:
        return not self.header and not self.lines


def snapshot_diff(*, old: dict[str, Any], new: dict[str, Any]) -> SnapshotDiff:
    """Field by field what changed between two snapshots (`submission.declaration_snapshot`);
    lines are matched by their line number."""
    old_header, new_header = old.get("header", {}), new.get("header", {})
    header = [
        FieldChange(name, old_header.get(name), new_header.get(name))
        for name in dict.fromkeys([*old_header, *new_header])
        if old_header.get(name) != new_header.get(name)
    ]
    old_lines = {line["line_no"]: line for line in old.get("lines", [])}
    new_lines = {line["line_no"]: line for line in new.get("lines", [])}
    lines = []
    for line_no in sorted(old_lines.keys() | new_lines.keys()):
        before, after = old_lines.get(line_no), new_lines.get(line_no)
        if before is None:
            lines.append(LineChange(line_no, "added", [FieldChange(k, None, v) for k, v in after.items()]))
        elif after is None:
            lines.append(LineChange(line_no, "removed", [FieldChange(k, v, None) for k, v in before.items()]))
        else:
            changed = [FieldChange(k, before.get(k), after.get(k)) for k in after if before.get(k) != after.get(k)]
            if changed:
                lines.append(LineChange(line_no, "changed", changed))
    return SnapshotDiff(header=header, lines=lines)


TAX_KEYS = ("customs_duty_jpy", "consumption_tax_jpy", "local_consumption_tax_jpy", "total_tax_jpy")


@dataclass(frozen=True)
class AmendmentPreview:
    diff: SnapshotDiff
    taxes_before: dict[str, int]
    taxes_after: dict[str, int]

    @property
    def tax_difference(self) -> dict[str, int]:
        return {key: self.taxes_after[key] - self.taxes_before[key] for key in TAX_KEYS}


class _Rollback(Exception):
    pass


def _current_snapshot(declaration: Declaration) -> dict[str, Any]:
    version = declaration.versions.filter(version=declaration.version).first()
    return version.snapshot if version else submission.declaration_snapshot(declaration)


def _taxes(snapshot: dict[str, Any]) -> dict[str, int]:
    return {key: int(snapshot["header"].get(key) or 0) for key in TAX_KEYS}


def _amendment_apply(locked: Declaration, *, header: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    for name, value in header.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*HEADER_FIELDS, "updated_at"])
    _lines_replace(locked, lines)
    submission.declaration_taxes_compute(declaration=locked)
    return submission.declaration_snapshot(locked)


def _amendable(declaration: Declaration, user: User) -> None:
    _check_company(declaration, user)
    if declaration.status not in AMENDABLE:
        raise ApplicationError(
            _("A declaration that is %(status)s cannot be amended.") % {"status": Status(declaration.status).label},
            code="not_amendable",
            status=409,
        )


def declaration_amendment_preview(
    *, declaration: Declaration, amended_by: User, data: dict[str, Any], lines: list[dict[str, Any]]
) -> AmendmentPreview:
    """What an amendment would change, field by field, and its tax difference. The edit
    and the duty engine run on the real rows inside a transaction that is rolled back,
    so the preview uses exactly the computation the amendment will."""
    _amendable(declaration, amended_by)
    header, clean_lines = declaration_data_validate(kind=declaration.kind, data=data, lines=lines)
    before = _current_snapshot(declaration)
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
            result["after"] = _amendment_apply(locked, header=header, lines=clean_lines)
            raise _Rollback
    except _Rollback:
        pass
    after = result["after"]
    return AmendmentPreview(
        diff=snapshot_diff(old=before, new=after), taxes_before=_taxes(before), taxes_after=_taxes(after)
    )


@transaction.atomic
def declaration_amend(
    *,
    declaration: Declaration,
    amended_by: User,
    data: dict[str, Any],
    lines: list[dict[str, Any]],
    reason: str,
    request=None,
) -> Declaration:
    """Sends a new version: the old versions stay frozen, the version number goes up, and
    the declaration goes back to submitted and through screening again."""
    from declarations import tasks

    _amendable(declaration, amended_by)
    if not reason.strip():
        message = _("Say why the declaration is amended.")
        raise ApplicationError(message, code="reason_required", fields={"reason": [message]})
    header, clean_lines = declaration_data_validate(kind=declaration.kind, data=data, lines=lines)
    locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
    _amendable(locked, amended_by)
    before = _current_snapshot(locked)
    after = _amendment_apply(locked, header=header, lines=clean_lines)
    diff = snapshot_diff(old=before, new=after)
    if diff.is_empty:
        raise ApplicationError(_("The amendment changes nothing."), code="nothing_changed")
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    submission.declaration_version_freeze(declaration=locked, by=amended_by, reason=reason.strip())
    audit_record(
        action="declaration.amended",
        actor=amended_by,
        obj=locked,
        before={"version": locked.version - 1, **_taxes(before)},
        after={"version": locked.version, **_taxes(after), "reason": reason.strip()},
        request=request,
    )
    if locked.status != Status.SUBMITTED:
        workflow.declaration_transition(
            declaration=locked, to=Status.SUBMITTED, actor=amended_by, reason=reason.strip(), request=request
        )
    transaction.on_commit(lambda: tasks.declaration_screen.delay(locked.pk))
    declaration.refresh_from_db()
    return declaration


# --- officer decisions ----------------------------------------------------------------


class Decision:
    CLEAR = "clear"
    REJECT = "reject"
    ESCALATE = "escalate"
    CHOICES = (CLEAR, REJECT, ESCALATE)


def declaration_decide(
    *, declaration: Declaration, officer: User, decision: str, reason: str, request=None
) -> Declaration:
    """An officer's decision with its mandatory reason: clear (permitted, or awaiting
    payment when tax is owed), reject, or escalate a document review to inspection.
    The state machine checks the role; the audit trail records it."""
    reason = reason.strip()
    if not reason:
        message = _("A decision needs a reason.")
        raise ApplicationError(message, code="reason_required", fields={"reason": [message]})
    if decision == Decision.CLEAR:
        if declaration.status not in workflow.OFFICER_DECISION_FROM:
            raise ApplicationError(
                _("Only a declaration under review or inspection can be cleared."),
                code="transition_not_allowed",
                status=409,
            )
        return workflow.declaration_clear(declaration=declaration, officer=officer, reason=reason, request=request)
    targets = {Decision.REJECT: Status.REJECTED, Decision.ESCALATE: Status.INSPECTION}
    if decision not in targets:
        raise ApplicationError(
            _("Decide clear, reject or escalate."), code="invalid", fields={"decision": [_("Choose one.")]}
        )
    return workflow.declaration_transition(
        declaration=declaration, to=targets[decision], actor=officer, reason=reason, request=request
    )
