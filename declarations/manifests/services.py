"""Bulk manifests of e-commerce parcels: upload, validation and import.

`manifest_upload` stores the file (refusing what is not a manifest CSV, is too big or
was uploaded before) and queues `manifest_tasks.manifest_process` through the outbox.
The task calls `manifest_process`, which

1. claims the manifest with a conditional update and a lease that it renews with each
   progress write (a second run finds it taken, and takes it over once the lease has
   expired: the run's worker died);
2. checks every row (columns, tariff code in force, country, value, currency with a
   customs rate, weight, house waybill unique in the file and against the company's
   declarations, the ¥200,000 limit of simplified handling) and rates each parcel with
   the pure duty engine (`tariff.duty_compute`), the tariff terms and exchange rates
   being read once for the whole file;
3. rejects the manifest with every bad row and its reasons when any row is bad (nothing
   is imported), or else creates every declaration, line and status change in one
   transaction, written with PostgreSQL COPY in batches (see `_Copier`); the
   progress is written on a second connection so the status endpoint sees it before
   the transaction commits.

Row numbers are the file's line numbers (the header is line 1). Declarations are
numbered MF-<manifest id>-<line>; the house waybill is their `manifest_reference`,
unique per company, so a parcel can never be declared twice.

Simplifications, by design: the declared parcel value is taken as the customs value
(CIF, as express manifests state it), each parcel is one declaration of one line with
the best rate without a preference claim, and the declarations are created as
submitted (with a status change each).

Screening: the import plans the screening chunks in its transaction and, once it has
committed, queues one `manifest_tasks.manifest_screen_chunk` per chunk (ml queue); see
`declarations.manifests.screening`: lanes decided in bulk, the same status changes,
audit trail and payment handoff as one declaration's screening, and one summary per
manifest (counts per lane) instead of a message per parcel.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customs_portal import bulk
from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import Company, CustomsOffice, User
from customs_portal.notifications import notify_company
from customs_portal.outbox import outbox_enqueue
from customs_portal.state_machine import StateMachine
from declarations.core.models import Declaration, DeclarationLine, DeclarationStatusChange
from declarations.manifests import screening
from declarations.manifests.messages import Message, failure_text, message
from declarations.manifests.models import Manifest, ManifestRowError
from declarations.tariff import interface as tariff

logger = logging.getLogger(__name__)

MAX_ROWS = 100_000
# Simplified handling (少額貨物の簡易通関) covers parcels of ¥200,000 or less.
SIMPLIFIED_LIMIT_JPY = 200_000
# A parcel value above this (in any currency) is a typing error, not a parcel.
ABSURD_VALUE = Decimal(1_000_000_000)
MAX_WEIGHT_KG = Decimal(1_000)
BATCH = 5_000
PROGRESS_EVERY = 5_000
# An uploaded manifest whose task has not started after this long lost its message (a
# whole worker killed before it acknowledged it): beat queues it again.
UPLOADED_STALE_AFTER = timedelta(minutes=5)

MStatus = Manifest.Status
# A claim moves an uploaded manifest to validating; so does the claim of a stale one
# (from validating or importing) whose worker died. The three ends are final: a failed
# file is uploaded again as a new manifest.
MANIFEST_MACHINE = StateMachine(
    statuses=MStatus,
    transitions={
        MStatus.UPLOADED: (MStatus.VALIDATING,),
        MStatus.VALIDATING: (MStatus.VALIDATING, MStatus.IMPORTING, MStatus.REJECTED, MStatus.FAILED),
        MStatus.IMPORTING: (MStatus.VALIDATING, MStatus.DONE, MStatus.FAILED),
    },
    invalid_message=gettext_lazy("A manifest that is %(current)s cannot become %(target)s."),
)

REQUIRED_COLUMNS = ("house_waybill", "consignee", "description", "hs_code", "value", "currency", "weight_kg", "origin")
COLUMN_ALIASES = {
    "hawb": "house_waybill",
    "waybill": "house_waybill",
    "weight": "weight_kg",
    "hs": "hs_code",
    "tariff_code": "hs_code",
    "origin_country": "origin",
}
OPTIONAL_COLUMNS = ("quantity",)
CODE_RE = re.compile(r"^[0-9]{6}([0-9]{3})?\Z")
CURRENCY_RE = re.compile(r"^[A-Z]{3}\Z")


def max_upload_bytes() -> int:
    return getattr(settings, "MANIFEST_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)


def _normalize_column(name: str) -> str:
    name = name.strip().lower().replace(" ", "_").replace("-", "_")
    return COLUMN_ALIASES.get(name, name)


def manifest_decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (a byte-order mark is dropped) or Shift_JIS as
    Windows writes it (cp932). Anything else, or binary data, is refused."""
    if b"\x00" in data[:8192]:
        raise ApplicationError(
            _("The file is not a CSV text file (it holds binary data). Upload the manifest as CSV."),
            code="not_csv",
            fields={"file": [_("Not a CSV text file.")]},
        )
    for encoding, label in (("utf-8-sig", "utf-8"), ("cp932", "shift_jis")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf"):
            label = "utf-8-bom"
        return text, label
    raise ApplicationError(
        _("The file is neither UTF-8 nor Shift_JIS text. Save the manifest as CSV (UTF-8)."),
        code="not_csv",
        fields={"file": [_("Unknown text encoding.")]},
    )


def _header(text: str) -> list[str]:
    first_line = text.split("\n", 1)[0]
    try:
        cells = next(csv.reader([first_line]))
    except (csv.Error, StopIteration):
        cells = []
    return [_normalize_column(cell) for cell in cells]


def manifest_header_check(text: str) -> None:
    header = _header(text)
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ApplicationError(
            _("This is not a parcel manifest: the first line must name the columns %(columns)s; missing: %(missing)s.")
            % {"columns": ", ".join(REQUIRED_COLUMNS), "missing": ", ".join(missing)},
            code="not_manifest",
            fields={"file": [_("Missing columns: %(missing)s.") % {"missing": ", ".join(missing)}]},
        )


def manifest_upload_size_check(*, size: int) -> None:
    if size > max_upload_bytes():
        raise ApplicationError(
            _("The file is %(size)s MB; a manifest may be at most %(limit)s MB. Split it into several files.")
            % {"size": f"{size / 1024 / 1024:.1f}", "limit": f"{max_upload_bytes() / 1024 / 1024:.0f}"},
            code="file_too_large",
            fields={"file": [_("The file is too large.")]},
            status=413,
        )


@dataclass(frozen=True)
class UploadResult:
    manifest: Manifest
    duplicate: bool


def manifest_upload(
    *, company: Company, uploaded_by: User, office: CustomsOffice, data: bytes, file_name: str, request=None
) -> UploadResult:
    """Stores an uploaded manifest and queues its processing. The same file uploaded
    again by the same company is not imported twice: the earlier manifest is returned."""
    from declarations.manifests import tasks as manifest_tasks

    manifest_upload_size_check(size=len(data))
    if not data.strip():
        raise ApplicationError(_("The file is empty."), code="empty_file", fields={"file": [_("The file is empty.")]})
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = Manifest.objects.filter(company=company, sha256=sha256).exclude(status=Manifest.Status.FAILED).first()
    if earlier is not None:
        return UploadResult(manifest=earlier, duplicate=True)
    text, encoding = manifest_decode(data)
    manifest_header_check(text)
    rows = sum(1 for _row in _rows(text))
    if rows > MAX_ROWS:
        raise ApplicationError(
            _("The manifest has %(count)s rows; at most %(limit)s are accepted in one file. Split it.")
            % {"count": f"{rows:,}", "limit": f"{MAX_ROWS:,}"},
            code="too_many_rows",
            fields={"file": [_("Too many rows.")]},
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                manifest = Manifest.objects.create(
                    company=company,
                    uploaded_by=uploaded_by,
                    office=office,
                    file=ContentFile(data, name=f"manifest-{sha256[:16]}.csv"),
                    original_name=file_name[:255],
                    size=len(data),
                    sha256=sha256,
                    encoding=encoding,
                    language=translation.get_language() or settings.LANGUAGE_CODE,
                    declaration_date=timezone.localdate(),
                )
        except IntegrityError:
            # The same file was uploaded at the same moment by another request.
            earlier = Manifest.objects.exclude(status=Manifest.Status.FAILED).get(company=company, sha256=sha256)
            return UploadResult(manifest=earlier, duplicate=True)
        audit_record(
            action="manifest.uploaded",
            actor=uploaded_by,
            obj=manifest,
            company=company,
            after={"file": manifest.original_name, "size": manifest.size, "sha256": sha256, "encoding": encoding},
            request=request,
        )
        outbox_enqueue(manifest_tasks.manifest_process.name, manifest.pk, key=f"manifest_process:{manifest.pk}")
    return UploadResult(manifest=manifest, duplicate=False)


# --- Processing ------------------------------------------------------------------------


@dataclass
class ParcelRow:
    row_number: int
    house_waybill: str
    consignee: str
    description: str
    hs_code: str
    value: Decimal
    currency: str
    weight_kg: Decimal
    origin: str
    quantity: Decimal | None
    errors: list[Message]


def _parse_decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _rows(text: str) -> Iterator[tuple[int, dict[str, str], str]]:
    """Each non-empty row keyed by the normalized header, with the line it starts on
    and the cells beyond the header (joined) if any. A file that the CSV reader cannot
    read on (a cell over its field size limit, a quote never closed) is refused as
    "csv_unreadable", with the line where reading stopped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [_normalize_column(cell) for cell in next(reader, [])]
        line = reader.line_num
        for cells in reader:
            first_line, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            extra = ",".join(cells[len(header) :]).strip(", ")
            yield first_line, {name: cell.strip() for name, cell in zip(header, cells, strict=False)}, extra
    except csv.Error as error:
        raise _csv_unreadable(line=reader.line_num) from error


class ManifestUnreadable(ApplicationError):
    """A refusal of the file that carries its stored reason (`failure`, a code with parameters)."""

    def __init__(self, failure: Message) -> None:
        worded = failure_text(failure)
        super().__init__(worded, code=failure["code"], fields={"file": [worded]})
        self.failure = failure


def _csv_unreadable(*, line: int) -> ManifestUnreadable:
    return ManifestUnreadable(message("csv_unreadable", line=line, limit=csv.field_size_limit()))


def _parse_row(row_number: int, cells: dict[str, str], extra: str) -> ParcelRow:
    errors: list[Message] = []
    waybill = cells.get("house_waybill", "")
    consignee = cells.get("consignee", "")
    description = cells.get("description", "")
    if extra:
        errors.append(message("extra_cells"))
    if not waybill:
        errors.append(message("waybill_missing"))
    elif len(waybill) > 50:
        errors.append(message("waybill_too_long"))
    if not consignee:
        errors.append(message("consignee_missing"))
    elif len(consignee) > 200:
        errors.append(message("consignee_too_long"))
    if not description:
        errors.append(message("description_missing"))
    elif len(description) > 500:
        errors.append(message("description_too_long"))
    hs_code = cells.get("hs_code", "").replace(".", "").replace("-", "").replace(" ", "")
    if not CODE_RE.match(hs_code):
        errors.append(message("hs_code_invalid", code=cells.get("hs_code", "")))
    value = _parse_decimal(cells.get("value", ""))
    if value is None:
        errors.append(message("value_not_number", value=cells.get("value", "")))
    elif value <= 0:
        errors.append(message("value_not_positive"))
    elif value >= ABSURD_VALUE:
        errors.append(message("value_implausible", value=cells.get("value", "")))
    elif value.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.append(message("value_decimals"))
    currency = cells.get("currency", "").upper()
    if not CURRENCY_RE.match(currency):
        errors.append(message("currency_invalid", currency=cells.get("currency", "")))
    weight = _parse_decimal(cells.get("weight_kg", ""))
    if weight is None:
        errors.append(message("weight_not_number", weight=cells.get("weight_kg", "")))
    elif weight <= 0:
        errors.append(message("weight_not_positive"))
    elif weight > MAX_WEIGHT_KG:
        errors.append(message("weight_too_heavy", weight=cells.get("weight_kg", ""), limit=str(MAX_WEIGHT_KG)))
    else:
        weight = weight.quantize(Decimal("0.001"), rounding=ROUND_FLOOR) or Decimal("0.001")
    origin = cells.get("origin", "").upper()
    if not tariff.is_country(origin):
        errors.append(message("origin_invalid", origin=cells.get("origin", "")))
    quantity = None
    if cells.get("quantity"):
        quantity = _parse_decimal(cells["quantity"])
        if quantity is None or quantity <= 0:
            errors.append(message("quantity_invalid"))
            quantity = None
    return ParcelRow(
        row_number=row_number,
        house_waybill=waybill,
        consignee=consignee,
        description=description,
        hs_code=hs_code,
        value=value or Decimal(0),
        currency=currency,
        weight_kg=weight or Decimal(0),
        origin=origin,
        quantity=quantity,
        errors=errors,
    )


def _existing_waybills(company_id: int, waybills: list[str]) -> set[str]:
    """The house waybills the company has declared already. One array parameter instead
    of Django's `__in`, which prepares 100,000 parameters one by one."""
    if not bulk.on_postgresql():
        found: set[str] = set()
        for start in range(0, len(waybills), 500):
            found.update(
                Declaration.objects.filter(
                    company_id=company_id, manifest_reference__in=waybills[start : start + 500]
                ).values_list("manifest_reference", flat=True)
            )
        return found
    table = Declaration._meta.db_table
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            f"SELECT manifest_reference FROM {table} "  # noqa: S608  (the table name is ours)
            "WHERE company_id = %s AND manifest_reference <> '' AND manifest_reference = ANY(%s)",
            [company_id, waybills],
        )
        return {row[0] for row in cursor.fetchall()}


@dataclass(frozen=True)
class RatedParcel:
    row: ParcelRow
    customs_value_jpy: int
    result: tariff.DutyResult


class LeaseLost(Exception):
    """Another run took the manifest over: this one must stop and write nothing."""


def lease() -> timedelta:
    return timedelta(seconds=settings.MANIFEST_LEASE_SECONDS)


class _Progress:
    """Writes rows_done on its own connection, so the progress of the import transaction
    is visible to the status endpoint before the transaction commits. Each write renews
    the run's lease; it raises LeaseLost when another run holds the manifest."""

    def __init__(self, manifest_id: int, token: str) -> None:
        self.manifest_id = manifest_id
        self.token = token
        # SQLite (`make run`) allows one writer at a time: a second connection would wait
        # for the import transaction, so there the progress shows when it commits.
        self.own_connection = bulk.on_postgresql()
        self.connection = (
            connections.create_connection(DEFAULT_DB_ALIAS) if self.own_connection else connections[DEFAULT_DB_ALIAS]
        )

    def __call__(self, rows_done: int, **fields: object) -> None:
        assignments = ", ".join(["rows_done = %s", "heartbeat_at = %s", *(f"{name} = %s" for name in fields)])
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Manifest._meta.db_table} SET {assignments} WHERE id = %s AND claim_token = %s",  # noqa: S608  (names are ours)
                [rows_done, timezone.now(), *fields.values(), self.manifest_id, self.token],
            )
            renewed = cursor.rowcount
        # Zero rows: another run holds the lease, or this connection cannot see the row
        # yet (the claim is uncommitted in the caller's transaction, as in tests).
        if renewed == 0 and not Manifest.objects.filter(pk=self.manifest_id, claim_token=self.token).exists():
            raise LeaseLost(self.manifest_id)

    def close(self) -> None:
        if self.own_connection:
            self.connection.close()


def _lease_expired(now: datetime) -> Q:
    return Q(status__in=[MStatus.VALIDATING, MStatus.IMPORTING]) & (
        Q(heartbeat_at__lt=now - lease()) | Q(heartbeat_at__isnull=True, started_at__lt=now - lease())
    )


def _claim(manifest_id: int) -> str | None:
    """Claims an uploaded manifest, or one whose run stopped renewing its lease (a worker
    killed mid-run: the import transaction left nothing behind). Returns the new lease's
    token, or None when the manifest is not claimable."""
    now = timezone.now()
    token = uuid.uuid4().hex
    claimable = Manifest.objects.filter(Q(status=MStatus.UPLOADED) | _lease_expired(now), pk=manifest_id)
    claimed = MANIFEST_MACHINE.claim(
        claimable, to=MStatus.VALIDATING, started_at=now, heartbeat_at=now, claim_token=token, rows_done=0
    )
    return token if claimed else None


def manifest_lease_wait(*, manifest_id: int) -> float | None:
    """Seconds until the lease of the run holding the manifest expires, or None when no
    run holds it (it is finished, or gone)."""
    manifest = Manifest.objects.filter(pk=manifest_id).values("status", "heartbeat_at", "started_at").first()
    if manifest is None or manifest["status"] not in (MStatus.VALIDATING, MStatus.IMPORTING):
        return None
    renewed = manifest["heartbeat_at"] or manifest["started_at"] or timezone.now()
    return max((renewed + lease() - timezone.now()).total_seconds(), 0.0)


def manifests_stalled() -> list[int]:
    """Manifests whose run stopped renewing its lease, and uploaded ones whose task never
    started: the beat task queues them again."""
    now = timezone.now()
    stalled = _lease_expired(now) | Q(status=MStatus.UPLOADED, created_at__lt=now - UPLOADED_STALE_AFTER)
    return list(Manifest.objects.filter(stalled).order_by("pk").values_list("pk", flat=True))


def manifest_validate(
    *, manifest: Manifest, text: str, progress: _Progress | None = None
) -> tuple[list[RatedParcel], list[ParcelRow], int]:
    """Checks and rates every row. Returns the rated parcels, the bad rows (each with
    every reason) and the number of rows."""
    on = manifest.declaration_date
    rows = [_parse_row(number, cells, extra) for number, cells, extra in _rows(text)]
    if len(rows) > MAX_ROWS:
        raise ApplicationError(
            _("The manifest has %(count)d rows; at most %(limit)d are accepted in one file.")
            % {"count": len(rows), "limit": MAX_ROWS},
            code="too_many_rows",
        )
    if progress:
        progress(0, rows_total=len(rows))
    six_digit = tariff.tariff_codes_under_hs6(prefixes={row.hs_code for row in rows if len(row.hs_code) == 6}, on=on)
    for row in rows:
        if len(row.hs_code) == 6 and not row.errors:
            codes = six_digit.get(row.hs_code, [])
            if len(codes) == 1:
                row.hs_code = codes[0]
            elif codes:
                row.errors.append(message("hs6_ambiguous", code=row.hs_code, count=len(codes), lines=sorted(codes)[:5]))
            else:
                row.errors.append(message("hs6_not_in_force", code=row.hs_code, date=on.isoformat()))
    terms_by_code = tariff.tariff_terms_for_codes(
        hs_codes={row.hs_code for row in rows if len(row.hs_code) == 9}, on=on
    )
    rates = tariff.exchange_rates_of_week(currencies={row.currency for row in rows}, on=on)
    seen: dict[str, int] = {}
    existing = _existing_waybills(manifest.company_id, [row.house_waybill for row in rows if row.house_waybill])
    rated: list[RatedParcel] = []
    bad: list[ParcelRow] = []
    for index, row in enumerate(rows, start=1):
        if row.house_waybill:
            if row.house_waybill in seen:
                row.errors.append(message("waybill_repeated", waybill=row.house_waybill, line=seen[row.house_waybill]))
            else:
                seen[row.house_waybill] = row.row_number
            if row.house_waybill in existing:
                row.errors.append(message("waybill_declared", waybill=row.house_waybill))
        parcel = None if row.errors else _rate(row, terms_by_code, rates, on)
        if parcel is None:
            bad.append(row)
        else:
            rated.append(parcel)
        if progress and index % PROGRESS_EVERY == 0:
            progress(index)
    if progress:
        progress(len(rows))
    return rated, bad, len(rows)


def _rate(row: ParcelRow, terms_by_code, rates: dict[str, Decimal], on) -> RatedParcel | None:
    """Rates one good row; a rule it breaks is added to its errors (and None returned)."""
    if row.hs_code not in terms_by_code:
        row.errors.append(message("hs_code_not_in_force", code=row.hs_code, date=on.isoformat()))
    rate = rates.get(row.currency)
    if rate is None:
        row.errors.append(message("no_exchange_rate", currency=row.currency, date=tariff.week_start_of(on).isoformat()))
    if row.errors:
        return None
    value_jpy = int((row.value * rate).to_integral_value(rounding=ROUND_FLOOR))
    if value_jpy > SIMPLIFIED_LIMIT_JPY:
        row.errors.append(message("over_simplified_limit", value_jpy=value_jpy, limit_jpy=SIMPLIFIED_LIMIT_JPY))
        return None
    terms = terms_by_code[row.hs_code]
    quantity = row.quantity if row.quantity is not None else (row.weight_kg if terms.unit == "KG" else None)
    try:
        result = tariff.duty_compute(
            lines=[
                tariff.DutyLine(hs_code=row.hs_code, origin=row.origin, customs_value_jpy=value_jpy, quantity=quantity)
            ],
            tariff=terms_by_code,
            on=on,
        )
    except ApplicationError as error:
        # The engine keys its errors "lines[0].<field>": the row names the field the same way.
        row.errors.extend(
            message("duty_engine", field=key.rpartition(".")[2], error=error.code) for key in error.fields
        )
        return None
    return RatedParcel(row=row, customs_value_jpy=value_jpy, result=result)


def _finish(manifest: Manifest, *, status: str, **fields: object) -> None:
    MANIFEST_MACHINE.transition(manifest, to=status, finished_at=timezone.now(), **fields)


def _reject(manifest: Manifest, *, bad: list[ParcelRow], rows_total: int) -> None:
    with transaction.atomic():
        rows = bulk.Copier(
            ManifestRowError,
            ManifestRowError(manifest_id=manifest.pk),
            varying=["row_number", "house_waybill", "errors"],
        )
        rows.copy(
            [
                {"row_number": row.row_number, "house_waybill": row.house_waybill[:64], "errors": row.errors}
                for row in bad
            ]
        )
        _finish(
            manifest,
            status=Manifest.Status.REJECTED,
            rows_total=rows_total,
            rows_done=rows_total,
            rows_failed=len(bad),
        )
        audit_record(
            action="manifest.rejected",
            system="manifest_import",
            obj=manifest,
            company=manifest.company,
            after={"rows": rows_total, "rows_with_errors": len(bad)},
        )
        notify_company(
            company=manifest.company,
            event="manifest.rejected",
            code="manifest.rejected",
            params={"name": manifest.original_name, "rows": rows_total, "rows_with_errors": len(bad)},
            link=f"/trader/manifests/{manifest.pk}/",
            payload={"manifest_id": manifest.pk, "rows": rows_total, "rows_with_errors": len(bad)},
        )


def _declaration(manifest: Manifest, parcel: RatedParcel, now) -> dict[str, object]:
    """The columns of one parcel's declaration that differ from parcel to parcel."""
    row, total = parcel.row, parcel.result.total
    return {
        "number": f"MF-{manifest.pk}-{row.row_number}",
        "party_name": row.consignee,
        "transport_document": row.house_waybill,
        "invoice_currency": row.currency,
        "manifest_reference": row.house_waybill,
        "customs_value_jpy": parcel.customs_value_jpy,
        "customs_duty_jpy": total.customs_duty_jpy,
        "consumption_tax_jpy": total.consumption_tax_jpy,
        "local_consumption_tax_jpy": total.local_consumption_tax_jpy,
        "total_tax_jpy": total.total_jpy,
    }


def _line(declaration_id: int, parcel: RatedParcel) -> dict[str, object]:
    row, computed = parcel.row, parcel.result.lines[0]
    return {
        "declaration_id": declaration_id,
        "hs_code": row.hs_code,
        "description": row.description,
        "origin_country": row.origin,
        "quantity": row.quantity if row.quantity is not None else row.weight_kg,
        "unit": computed.unit if row.quantity is not None else "KG",
        "net_weight_kg": row.weight_kg,
        "invoice_value": row.value,
        "customs_value_jpy": computed.customs_value_jpy,
        "customs_duty_jpy": computed.customs_duty_jpy,
        "rate_applied": computed.rate[:100],
        "rate_basis": computed.basis_code[:100],
    }


@transaction.atomic(durable=True)
def _import(
    manifest: Manifest,
    *,
    parcels: list[RatedParcel],
    rows_total: int,
    progress: _Progress | None,
    token: str | None = None,
) -> None:
    now = timezone.now()
    declarations = bulk.Copier(
        Declaration,
        Declaration(
            number="", kind=Declaration.Kind.IMPORT, company_id=manifest.company_id,
            declarant_id=manifest.uploaded_by_id, office_id=manifest.office_id,
            transport_mode=Declaration.TransportMode.EXPRESS, incoterm=Declaration.Incoterm.CIF,
            declaration_date=manifest.declaration_date, source=Declaration.Source.MANIFEST,
            status=Declaration.Status.SUBMITTED, submitted_at=now, created_at=now, updated_at=now,
        ),
        varying=["id", *_declaration(manifest, parcels[0], now)],
        with_pk=True,
    )  # fmt: skip
    lines = bulk.Copier(DeclarationLine, DeclarationLine(line_no=1), varying=list(_line(0, parcels[0])))
    changes = bulk.Copier(
        DeclarationStatusChange,
        DeclarationStatusChange(
            from_status=Declaration.Status.DRAFT, to_status=Declaration.Status.SUBMITTED,
            actor_id=manifest.uploaded_by_id, actor_label=manifest.uploaded_by.get_username(),
            note_code=DeclarationStatusChange.Note.IMPORTED_FROM_MANIFEST, note_params={"name": manifest.original_name},
        ),
        varying=["declaration_id"],
    )  # fmt: skip
    done, all_ids = 0, []
    for start in range(0, len(parcels), BATCH):
        batch = parcels[start : start + BATCH]
        ids = bulk.ids_take(Declaration, len(batch))
        all_ids += ids
        declarations.copy(
            [{"id": pk, **_declaration(manifest, parcel, now)} for pk, parcel in zip(ids, batch, strict=True)]
        )
        lines.copy([_line(pk, parcel) for pk, parcel in zip(ids, batch, strict=True)])
        changes.copy([{"declaration_id": pk} for pk in ids])
        done += len(batch)
        if progress:
            progress(done)
    totals = {
        name: sum(getattr(parcel.result.total, name) for parcel in parcels)
        for name in ("customs_duty_jpy", "consumption_tax_jpy", "local_consumption_tax_jpy")
    }
    # Locks the manifest row until this transaction ends, so a run that takes over now
    # waits and then finds it done; a run that took over already makes this one roll back.
    if token is not None and not Manifest.objects.filter(pk=manifest.pk, claim_token=token).update(
        heartbeat_at=timezone.now()
    ):
        raise LeaseLost(manifest.pk)
    _finish(
        manifest,
        status=Manifest.Status.DONE,
        rows_total=rows_total,
        rows_done=rows_total,
        rows_failed=0,
        declarations_created=len(parcels),
        failure={},
    )
    audit_record(
        action="manifest.imported",
        system="manifest_import",
        obj=manifest,
        company=manifest.company,
        after={"rows": rows_total, "declarations": len(parcels), **totals},
    )
    notify_company(
        company=manifest.company,
        event="manifest.imported",
        code="manifest.imported",
        params={"name": manifest.original_name, "declarations": len(parcels)},
        link=f"/trader/manifests/{manifest.pk}/",
        payload={"manifest_id": manifest.pk, "declarations": len(parcels), **totals},
    )
    from declarations.manifests import tasks as manifest_tasks

    # The parcels wait in "submitted" until their chunks are screened (on the ml queue).
    chunk_ids = [chunk.pk for chunk in screening.manifest_screening_plan(manifest=manifest, declaration_ids=all_ids)]
    for chunk_id in chunk_ids:
        outbox_enqueue(manifest_tasks.manifest_screen_chunk.name, chunk_id, key=f"manifest_screen_chunk:{chunk_id}")


def manifest_fail(*, manifest_id: int, failure: Message) -> None:
    """Records a permanent failure (the file could not be read, an unexpected error): a
    message code of `declarations.manifests.messages`."""
    manifest = Manifest.objects.filter(pk=manifest_id).first()
    if manifest is None or not MANIFEST_MACHINE.can(manifest.status, MStatus.FAILED):
        return
    with transaction.atomic():
        _finish(manifest, status=Manifest.Status.FAILED, failure=failure)
        audit_record(
            action="manifest.failed",
            system="manifest_import",
            obj=manifest,
            company=manifest.company,
            after={"error": failure["code"]},
        )
        notify_company(
            company=manifest.company,
            event="manifest.failed",
            code="manifest.failed",
            params={"name": manifest.original_name, "failure": failure},
            link=f"/trader/manifests/{manifest.pk}/",
            payload={"manifest_id": manifest.pk},
        )


def _failure_of(error: ApplicationError) -> Message:
    """The stored reason for a refusal of the file while it is processed."""
    if error.code == "not_manifest":
        return message("not_manifest", columns=list(REQUIRED_COLUMNS))
    if error.code == "too_many_rows":
        return message("too_many_rows", limit=MAX_ROWS)
    if error.code == "not_csv":
        return message("not_csv")
    if isinstance(error, ManifestUnreadable):
        return error.failure
    return message("processing_error")


def manifest_process(*, manifest_id: int) -> str:
    """Validates and imports a manifest it claims; "skipped" when another run holds its
    lease or it is finished (the task retries while the lease lasts)."""
    token = _claim(manifest_id)
    if token is None:
        return "skipped"
    manifest = Manifest.objects.select_related("company", "uploaded_by").get(pk=manifest_id)
    progress = _Progress(manifest_id, token)
    started = time.monotonic()
    try:
        with translation.override(manifest.language):
            try:
                with manifest.file.open("rb") as handle:
                    text, _encoding = manifest_decode(handle.read())
                parcels, bad, rows_total = manifest_validate(manifest=manifest, text=text, progress=progress)
            except ApplicationError as error:
                manifest_fail(manifest_id=manifest_id, failure=_failure_of(error))
                return Manifest.Status.FAILED
            if bad or not parcels:
                if not bad:
                    manifest_fail(manifest_id=manifest_id, failure=message("no_rows"))
                    return Manifest.Status.FAILED
                _reject(manifest, bad=bad, rows_total=rows_total)
                return Manifest.Status.REJECTED
            MANIFEST_MACHINE.transition(manifest, to=MStatus.IMPORTING, rows_done=0, heartbeat_at=timezone.now())
            logger.info(
                "Manifest %s: %d rows validated in %.1f s.", manifest_id, rows_total, time.monotonic() - started
            )
            started = time.monotonic()
            try:
                _import(manifest, parcels=parcels, rows_total=rows_total, progress=progress, token=token)
                logger.info("Manifest %s: imported in %.1f s.", manifest_id, time.monotonic() - started)
            except IntegrityError:
                # Another manifest declared one of these house waybills after our check.
                manifest_fail(manifest_id=manifest_id, failure=message("waybill_race"))
                return Manifest.Status.FAILED
            return Manifest.Status.DONE
    except LeaseLost:
        logger.warning("Manifest %s was taken over by another run; this one stopped.", manifest_id)
        return "skipped"
    except Exception:
        # Recorded on the manifest so that the trader sees it and may upload the file again.
        logger.exception("Manifest %s failed.", manifest_id)
        manifest_fail(manifest_id=manifest_id, failure=message("processing_error"))
        return Manifest.Status.FAILED
    finally:
        progress.close()
