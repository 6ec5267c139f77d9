"""Writes of the tariff engine: importing the tariff schedule and the weekly customs
exchange rates, loading the demo seed of both, and the supervisors' changes to the
travellers' rules."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_portal.audit import audit_record
from customs_portal.csvfiles import (
    ImportRejected,
    ImportResult,
    RowError,
    csv_rows,
    decode_csv,
    import_result_record,
    parse_bool,
    parse_date,
)
from customs_portal.errors import ApplicationError
from customs_portal.models import User
from customs_portal.permissions import SUPERVISOR, user_has_role
from declarations.tariff import trade_data
from declarations.tariff.models import (
    ExchangeRate,
    TariffLine,
    TariffRate,
    TravellerRuleSet,
    TravellerSimplifiedRate,
    week_start_of,
)
from declarations.tariff.rates import Rate, RateSyntaxError, normalize_unit, parse_rate, rate_to_json
from declarations.tariff.travellers import RATE_UNITS, TRAVELLER_ALLOWANCE_FIELDS, TravellerRules

DATA_DIR = Path(__file__).resolve().parent / "data"
TARIFF_SEED = DATA_DIR / "tariff_seed.csv"
EXCHANGE_RATES_SEED = DATA_DIR / "exchange_rates_seed.csv"
TRAVELLER_RULES_SEED = DATA_DIR / "traveller_rules_seed.json"

TARIFF_COLUMNS = (
    "hs_code",
    "description_en",
    "description_ja",
    "unit",
    "general",
    "wto",
    "gsp",
    "ldc",
    "reduced_consumption_tax",
    "small_value_exclusion",
    "valid_from",
)
NON_EPA_RATE_COLUMNS = ("general", "wto", "gsp", "ldc")
# Free-text columns for people (where a figure comes from, whether it is verified).
COMMENT_COLUMNS = ("note", "source")
EXCHANGE_RATE_COLUMNS = ("week_start", "currency", "rate_jpy")
# A database round trip per this many codes keeps the IN lists well inside SQLite's limits.
CHUNK = 2000
# Imports that write at least this many lines refresh the planner's statistics.
ANALYZE_AFTER_ROWS = 1000

T = TypeVar("T")


@dataclass(frozen=True)
class TariffRow:
    line: int
    hs_code: str
    description_en: str
    description_ja: str
    unit: str
    reduced_consumption_tax: bool
    small_value_exclusion: bool
    valid_from: date
    rates: dict[str, Rate] = field(default_factory=dict)

    def rate_texts(self) -> dict[str, str]:
        return {column: str(rate) for column, rate in self.rates.items()}


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _header_errors(header: list[str], *, required: Iterable[str], optional: Iterable[str] = ()) -> list[RowError]:
    errors = []
    missing = [name for name in required if name not in header]
    if missing:
        errors.append(RowError(1, "", _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}))
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        errors.append(RowError(1, "", _("Repeated columns: %(columns)s.") % {"columns": ", ".join(duplicates)}))
    known = {*required, *optional}
    for name in header:
        if name in known:
            continue
        if name.startswith("epa:"):
            agreement = name.removeprefix("epa:")
            if trade_data.agreement_get(agreement) is None:
                errors.append(
                    RowError(
                        1,
                        name,
                        _("Unknown agreement “%(agreement)s”; known agreements: %(known)s.")
                        % {"agreement": agreement, "known": ", ".join(trade_data.agreement_codes())},
                    )
                )
        else:
            errors.append(RowError(1, name, _("Unknown column.")))
    return errors


def _tariff_column(name: str) -> str:
    """Lower-cases the fixed names and upper-cases agreement names (epa:jp-eu → epa:JP-EU)."""
    if name.lower().startswith("epa:"):
        return "epa:" + name[4:].strip().upper()
    return name.lower()


def _tariff_row_parse(
    line: int, row: dict[str, str], rate_columns: list[str]
) -> tuple[TariffRow | None, list[RowError]]:
    errors: list[RowError] = []

    def fail(column: str, message: str) -> None:
        errors.append(RowError(line, column, message))

    if "" in row:
        fail("", _("The row has more cells than the header has columns."))
    hs_code = row.get("hs_code", "").replace(".", "").replace("-", "").replace(" ", "")
    if not (len(hs_code) == 9 and hs_code.isascii() and hs_code.isdigit()):
        fail("hs_code", _("“%(code)s” is not a 9-digit tariff code.") % {"code": row.get("hs_code", "")})
    for column in ("description_en", "description_ja"):
        if not row.get(column):
            fail(column, _("The description is empty."))
    unit = ""
    try:
        unit = normalize_unit(row.get("unit", ""))
    except RateSyntaxError as error:
        fail("unit", str(error))
    rates: dict[str, Rate] = {}
    for column in rate_columns:
        try:
            rate = parse_rate(row.get(column, ""))
        except RateSyntaxError as error:
            fail(column, str(error))
            continue
        if rate is None:
            continue
        foreign_units = rate.units - {unit}
        if unit and foreign_units:
            fail(
                column,
                _("The rate is per %(rate_unit)s but the line's unit is %(unit)s.")
                % {"rate_unit": ", ".join(sorted(foreign_units)), "unit": unit},
            )
            continue
        rates[column] = rate
    if "general" not in rates and not any(error.column == "general" for error in errors):
        fail("general", _("Every tariff line needs a general rate (write “free” for none)."))
    flags = {}
    for column in ("reduced_consumption_tax", "small_value_exclusion"):
        try:
            flags[column] = parse_bool(row.get(column, ""))
        except ValueError as error:
            fail(column, str(error))
    valid_from = None
    try:
        valid_from = parse_date(row.get("valid_from", ""))
    except ValueError as error:
        fail("valid_from", str(error))
    if errors:
        return None, errors
    return (
        TariffRow(
            line=line,
            hs_code=hs_code,
            description_en=row["description_en"],
            description_ja=row["description_ja"],
            unit=unit,
            reduced_consumption_tax=flags["reduced_consumption_tax"],
            small_value_exclusion=flags["small_value_exclusion"],
            valid_from=valid_from,
            rates=rates,
        ),
        [],
    )


def tariff_rows_parse(*, text: str, file_name: str) -> list[TariffRow]:
    """Checks every row of a tariff CSV; raises ImportRejected listing each bad one."""
    header, rows = csv_rows(text, normalize=_tariff_column)
    errors = _header_errors(header, required=TARIFF_COLUMNS, optional=COMMENT_COLUMNS)
    if errors:
        raise ImportRejected(file_name=file_name, errors=errors)
    rate_columns = [*NON_EPA_RATE_COLUMNS, *(name for name in header if name.startswith("epa:"))]
    parsed: list[TariffRow] = []
    first_line: dict[tuple[str, date], int] = {}
    for line, cells in rows:
        row, row_errors = _tariff_row_parse(line, cells, rate_columns)
        errors.extend(row_errors)
        if row is None:
            continue
        key = (row.hs_code, row.valid_from)
        if key in first_line:
            errors.append(
                RowError(
                    line,
                    "hs_code",
                    _("%(code)s from %(date)s is already on line %(line)d.")
                    % {"code": row.hs_code, "date": row.valid_from.isoformat(), "line": first_line[key]},
                )
            )
            continue
        first_line[key] = line
        parsed.append(row)
    if errors:
        raise ImportRejected(file_name=file_name, errors=errors)
    return parsed


def _tariff_line_differs(line: TariffLine, row: TariffRow) -> bool:
    return (
        line.description_en != row.description_en
        or line.description_ja != row.description_ja
        or line.unit != row.unit
        or line.reduced_consumption_tax != row.reduced_consumption_tax
        or line.small_value_exclusion != row.small_value_exclusion
        or {rate.column: rate.expression for rate in line.rates.all()} != row.rate_texts()
    )


def _tariff_rates_build(line: TariffLine, row: TariffRow) -> list[TariffRate]:
    rates = []
    for column, rate in row.rates.items():
        kind, _sep, agreement = column.partition(":")
        rates.append(
            TariffRate(
                tariff_line=line, kind=kind, agreement=agreement, expression=str(rate), parsed=rate_to_json(rate)
            )
        )
    return rates


def _tariff_tables_analyze() -> None:
    """Refreshes PostgreSQL's statistics after a bulk import: until autovacuum gets to
    it, the planner believes the tables are tiny and scans every rate on each estimate."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TariffLine._meta.db_table}, {TariffRate._meta.db_table}")


def _tariff_versions_chain(*, hs_codes: Sequence[str]) -> int:
    """Ends each version of these codes the day before the next version starts, and
    leaves the latest open. Returns how many versions' end dates changed."""
    changed: list[TariffLine] = []
    for chunk in _chunks(hs_codes):
        versions = (
            TariffLine.objects.filter(hs_code__in=chunk)
            .order_by("hs_code", "valid_from")
            .only("id", "hs_code", "valid_from", "valid_to")
        )
        for _code, group in itertools.groupby(versions, key=lambda version: version.hs_code):
            group = list(group)
            for current, following in itertools.zip_longest(group, group[1:]):
                valid_to = following.valid_from - timedelta(days=1) if following else None
                if current.valid_to != valid_to:
                    current.valid_to = valid_to
                    changed.append(current)
    TariffLine.objects.bulk_update(changed, ["valid_to"], batch_size=1000)
    return len(changed)


@transaction.atomic
def tariff_rows_save(
    *, rows: Sequence[TariffRow], file_name: str, imported_by: User | None, system: str
) -> ImportResult:
    """Creates the versions that are new, rewrites those whose content changed, then
    re-chains the end dates of every code in the file. Rows equal to what is stored
    are left alone, so importing the same file twice changes nothing."""
    hs_codes = sorted({row.hs_code for row in rows})
    existing: dict[tuple[str, date], TariffLine] = {}
    for chunk in _chunks(hs_codes):
        for line in TariffLine.objects.filter(hs_code__in=chunk).prefetch_related("rates"):
            existing[(line.hs_code, line.valid_from)] = line
    new: list[tuple[TariffLine, TariffRow]] = []
    updated: list[tuple[TariffLine, TariffRow]] = []
    now = timezone.now()
    for row in rows:
        line = existing.get((row.hs_code, row.valid_from))
        if line is None:
            line = TariffLine(hs_code=row.hs_code, valid_from=row.valid_from)
            new.append((line, row))
        elif _tariff_line_differs(line, row):
            updated.append((line, row))
        else:
            continue
        line.description_en = row.description_en
        line.description_ja = row.description_ja
        line.unit = row.unit
        line.reduced_consumption_tax = row.reduced_consumption_tax
        line.small_value_exclusion = row.small_value_exclusion
        line.updated_at = now
    TariffLine.objects.bulk_create([line for line, _row in new], batch_size=1000)
    TariffLine.objects.bulk_update(
        [line for line, _row in updated],
        ["description_en", "description_ja", "unit", "reduced_consumption_tax", "small_value_exclusion", "updated_at"],
        batch_size=1000,
    )
    for chunk in _chunks([line.pk for line, _row in updated]):
        TariffRate.objects.filter(tariff_line_id__in=chunk).delete()
    TariffRate.objects.bulk_create(
        [rate for line, row in [*new, *updated] for rate in _tariff_rates_build(line, row)], batch_size=2000
    )
    closed = _tariff_versions_chain(hs_codes=hs_codes) if new else 0
    if len(new) + len(updated) >= ANALYZE_AFTER_ROWS:
        transaction.on_commit(_tariff_tables_analyze)
    result = ImportResult(
        created=len(new), updated=len(updated), unchanged=len(rows) - len(new) - len(updated), closed=closed
    )
    return import_result_record(
        result=result, action="tariff.imported", file_name=file_name, imported_by=imported_by, system=system
    )


def tariff_import(
    *, data: bytes, file_name: str, imported_by: User | None = None, system: str = "import_tariff"
) -> ImportResult:
    """Imports a tariff CSV, all or nothing.

    1. Decodes it (UTF-8 with or without BOM, or Shift_JIS).
    2. Checks every row; any bad row raises ImportRejected naming each line and column,
       and nothing is written.
    3. Saves the rows (see `tariff_rows_save`) and records one audit event if anything
       changed."""
    text = decode_csv(data, file_name=file_name)
    rows = tariff_rows_parse(text=text, file_name=file_name)
    return tariff_rows_save(rows=rows, file_name=file_name, imported_by=imported_by, system=system)


def tariff_seed_load() -> ImportResult:
    """Loads the demo tariff (declarations/tariff/data/tariff_seed.csv); safe to run every start."""
    return tariff_import(data=TARIFF_SEED.read_bytes(), file_name=TARIFF_SEED.name, system="seed")


# Exchange rates ------------------------------------------------------------------------


@dataclass(frozen=True)
class ExchangeRateRow:
    line: int
    currency: str
    week_start: date
    rate_jpy: Decimal


def _currency_parse(text: str) -> str:
    currency = text.strip().upper()
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        raise ValueError(_("“%(text)s” is not a 3-letter ISO 4217 currency code.") % {"text": text})
    if currency == "JPY":
        raise ValueError(_("Yen needs no exchange rate."))
    return currency


def _week_start_parse(text: str) -> date:
    week_start = parse_date(text)
    if week_start_of(week_start) != week_start:
        raise ValueError(
            _("%(date)s is a %(weekday)s; customs weeks start on a Sunday.")
            % {"date": week_start.isoformat(), "weekday": week_start.strftime("%A")}
        )
    return week_start


def _rate_jpy_parse(text: str) -> Decimal:
    try:
        rate = Decimal(text.strip().replace(",", ""))
    except InvalidOperation as error:
        raise ValueError(_("“%(text)s” is not a number.") % {"text": text}) from error
    if not rate.is_finite() or rate <= 0:
        raise ValueError(_("An exchange rate must be a positive number of yen."))
    if rate.as_tuple().exponent < -6 or rate >= Decimal(10) ** 12:
        raise ValueError(_("“%(text)s” has more than 6 decimals or is too large.") % {"text": text})
    return rate


def exchange_rate_rows_parse(*, text: str, file_name: str) -> list[ExchangeRateRow]:
    header, rows = csv_rows(text)
    errors = _header_errors(header, required=EXCHANGE_RATE_COLUMNS, optional=COMMENT_COLUMNS)
    if errors:
        raise ImportRejected(file_name=file_name, errors=errors)
    parsed: list[ExchangeRateRow] = []
    first_line: dict[tuple[str, date], int] = {}
    for line, row in rows:
        values = {}
        if "" in row:
            errors.append(RowError(line, "", _("The row has more cells than the header has columns.")))
        for column, parse in (
            ("week_start", _week_start_parse),
            ("currency", _currency_parse),
            ("rate_jpy", _rate_jpy_parse),
        ):
            try:
                values[column] = parse(row.get(column, ""))
            except ValueError as error:
                errors.append(RowError(line, column, str(error)))
        if len(values) < 3 or "" in row:
            continue
        key = (values["currency"], values["week_start"])
        if key in first_line:
            errors.append(
                RowError(
                    line,
                    "currency",
                    _("%(currency)s for the week of %(week)s is already on line %(line)d.")
                    % {"currency": key[0], "week": key[1].isoformat(), "line": first_line[key]},
                )
            )
            continue
        first_line[key] = line
        parsed.append(ExchangeRateRow(line=line, **values))
    if errors:
        raise ImportRejected(file_name=file_name, errors=errors)
    return parsed


@transaction.atomic
def exchange_rate_rows_save(
    *, rows: Sequence[ExchangeRateRow], file_name: str, imported_by: User | None, system: str
) -> ImportResult:
    if not rows:
        return ImportResult()
    existing = {
        (rate.currency, rate.week_start): rate
        for rate in ExchangeRate.objects.filter(
            currency__in={row.currency for row in rows},
            week_start__range=(min(row.week_start for row in rows), max(row.week_start for row in rows)),
        )
    }
    new: list[ExchangeRate] = []
    updated: list[ExchangeRate] = []
    now = timezone.now()
    for row in rows:
        rate = existing.get((row.currency, row.week_start))
        if rate is None:
            new.append(ExchangeRate(currency=row.currency, week_start=row.week_start, rate_jpy=row.rate_jpy))
        elif rate.rate_jpy != row.rate_jpy:
            rate.rate_jpy = row.rate_jpy
            rate.updated_at = now
            updated.append(rate)
    ExchangeRate.objects.bulk_create(new, batch_size=1000)
    ExchangeRate.objects.bulk_update(updated, ["rate_jpy", "updated_at"], batch_size=1000)
    result = ImportResult(created=len(new), updated=len(updated), unchanged=len(rows) - len(new) - len(updated))
    return import_result_record(
        result=result, action="exchange_rates.imported", file_name=file_name, imported_by=imported_by, system=system
    )


def exchange_rates_import(
    *, data: bytes, file_name: str, imported_by: User | None = None, system: str = "import_exchange_rates"
) -> ImportResult:
    """Imports weekly customs rates (week_start, currency, rate_jpy), all or nothing;
    a rate already stored for the same currency and week is replaced, an equal one is
    left alone, so importing the same file twice changes nothing."""
    text = decode_csv(data, file_name=file_name)
    rows = exchange_rate_rows_parse(text=text, file_name=file_name)
    return exchange_rate_rows_save(rows=rows, file_name=file_name, imported_by=imported_by, system=system)


def exchange_rates_seed_load() -> ImportResult:
    """Loads the demo exchange rates (declarations/tariff/data/exchange_rates_seed.csv)."""
    return exchange_rates_import(
        data=EXCHANGE_RATES_SEED.read_bytes(), file_name=EXCHANGE_RATES_SEED.name, system="seed"
    )


@transaction.atomic
def exchange_rate_set(*, currency: str, week_start: date, rate_jpy: Decimal, set_by: User) -> ExchangeRate:
    """Sets one week's rate by hand (the admin); the audit trail keeps the old value."""
    try:
        currency = _currency_parse(currency)
        week_start = _week_start_parse(week_start.isoformat())
        rate_jpy = _rate_jpy_parse(str(rate_jpy))
    except ValueError as error:
        raise ApplicationError(str(error), code="exchange_rate_invalid") from error
    rate = ExchangeRate.objects.select_for_update().filter(currency=currency, week_start=week_start).first()
    before = {"rate_jpy": str(rate.rate_jpy)} if rate else None
    if rate is None:
        rate = ExchangeRate.objects.create(currency=currency, week_start=week_start, rate_jpy=rate_jpy)
    elif rate.rate_jpy != rate_jpy:
        rate.rate_jpy = rate_jpy
        rate.save(update_fields=["rate_jpy", "updated_at"])
    else:
        return rate
    audit_record(
        action="exchange_rate.set", actor=set_by, obj=rate, before=before, after={"rate_jpy": str(rate.rate_jpy)}
    )
    return rate


# Travellers' rules ------------------------------------------------------------------


def _traveller_rules_editor(user: User) -> None:
    if not user_has_role(user, SUPERVISOR):
        raise ApplicationError(
            _("Only supervisors may change the travellers' rules."), code="permission_denied", status=403
        )


def _traveller_rules_check(rules: TravellerRules) -> None:
    """Refuses a set that does not start after today or whose figures contradict."""
    errors: dict[str, list[str]] = {}
    if rules.valid_from <= timezone.localdate():
        errors["valid_from"] = [_("A new rule set starts after today: rule sets in force are never changed.")]
    if rules.allowances.child_age > rules.allowances.adult_age:
        errors["child_age"] = [_("The child age cannot be above the adult age.")]
    if not 0 < rules.rates.taxable_ratio <= 1:
        errors["taxable_ratio"] = [_("The taxable ratio is above 0 and at most 1.")]
    for category, rate in rules.rates.rates.items():
        if category not in RATE_UNITS or rate.unit != RATE_UNITS[category]:
            errors[f"rate_{category}"] = [_("Unknown category or unit.")]
        elif rate.amount < 0:
            errors[f"rate_{category}"] = [_("A rate cannot be negative.")]
    if errors:
        raise ApplicationError(
            "; ".join(message for messages in errors.values() for message in messages),
            code="traveller_rules_invalid",
            fields=errors,
        )


def _traveller_rules_snapshot(rule_set: TravellerRuleSet) -> dict:
    return {
        "valid_from": rule_set.valid_from.isoformat(),
        **{name: getattr(rule_set, name) for name in TRAVELLER_ALLOWANCE_FIELDS},
        "taxable_ratio": str(rule_set.taxable_ratio),
        "article_limit_jpy": rule_set.article_limit_jpy,
        "source": rule_set.source,
        "rates": {rate.category: f"{rate.amount} {rate.unit}" for rate in rule_set.rates.all()},
    }


_RULE_SET_FIELDS = ("valid_from", *TRAVELLER_ALLOWANCE_FIELDS, "taxable_ratio", "article_limit_jpy", "source")


def _traveller_rules_write(rule_set: TravellerRuleSet, rules: TravellerRules, source: str) -> None:
    """Saves the set's figures and replaces its rates."""
    rule_set.valid_from = rules.valid_from
    for name in TRAVELLER_ALLOWANCE_FIELDS:
        setattr(rule_set, name, getattr(rules.allowances, name))
    rule_set.taxable_ratio = rules.rates.taxable_ratio
    rule_set.article_limit_jpy = rules.rates.article_limit_jpy
    rule_set.source = source.strip()[:500]
    try:
        with transaction.atomic():
            if rule_set.pk is None:
                rule_set.save()
            else:
                rule_set.save(update_fields=[*_RULE_SET_FIELDS, "updated_at"])
    except IntegrityError as error:  # a set from that day exists, or one was added meanwhile
        raise ApplicationError(
            _("A rule set starting on %(date)s already exists.") % {"date": rules.valid_from.isoformat()},
            code="traveller_rules_duplicate_date",
            fields={"valid_from": [_("Another rule set starts on this day.")]},
        ) from error
    TravellerSimplifiedRate.objects.filter(rule_set=rule_set).delete()
    TravellerSimplifiedRate.objects.bulk_create(
        TravellerSimplifiedRate(rule_set=rule_set, category=category, amount=rate.amount, unit=rate.unit)
        for category, rate in rules.rates.rates.items()
    )


@transaction.atomic
def traveller_rule_set_create(
    *, rules: TravellerRules, source: str, created_by: User, request: HttpRequest | None = None
) -> TravellerRuleSet:
    """Adds the travellers' rules that apply from `rules.valid_from`, a day after
    today, until a later set starts."""
    _traveller_rules_editor(created_by)
    _traveller_rules_check(rules)
    rule_set = TravellerRuleSet(created_by=created_by)
    _traveller_rules_write(rule_set, rules, source)
    audit_record(
        action="traveller_rules.created",
        actor=created_by,
        obj=rule_set,
        after=_traveller_rules_snapshot(rule_set),
        request=request,
    )
    return rule_set


def _traveller_rule_set_lock(rule_set: TravellerRuleSet) -> TravellerRuleSet:
    """The row locked, refused once it has started: estimates were made with it."""
    locked = TravellerRuleSet.objects.select_for_update().filter(pk=rule_set.pk).first()
    if locked is None:
        raise ApplicationError(_("This rule set no longer exists."), code="not_found", status=404)
    if locked.valid_from <= timezone.localdate():
        raise ApplicationError(
            _("The rule set of %(date)s is or has been in force: it cannot be changed or deleted.")
            % {"date": locked.valid_from.isoformat()},
            code="traveller_rules_started",
            status=409,
        )
    return locked


@transaction.atomic
def traveller_rule_set_update(
    *,
    rule_set: TravellerRuleSet,
    rules: TravellerRules,
    source: str,
    updated_by: User,
    request: HttpRequest | None = None,
) -> TravellerRuleSet:
    """Changes a rule set that has not started yet (its start date too, to a day after
    today)."""
    _traveller_rules_editor(updated_by)
    locked = _traveller_rule_set_lock(rule_set)
    _traveller_rules_check(rules)
    before = _traveller_rules_snapshot(locked)
    _traveller_rules_write(locked, rules, source)
    after = _traveller_rules_snapshot(locked)
    if after != before:
        audit_record(
            action="traveller_rules.changed", actor=updated_by, obj=locked, before=before, after=after, request=request
        )
    return locked


@transaction.atomic
def traveller_rule_set_delete(
    *, rule_set: TravellerRuleSet, deleted_by: User, request: HttpRequest | None = None
) -> None:
    """Deletes a rule set that has not started yet; the audit trail keeps its figures."""
    _traveller_rules_editor(deleted_by)
    locked = _traveller_rule_set_lock(rule_set)
    before = _traveller_rules_snapshot(locked)
    audit_record(action="traveller_rules.deleted", actor=deleted_by, obj=locked, before=before, request=request)
    locked.delete()


@transaction.atomic
def traveller_rules_seed_load() -> TravellerRuleSet:
    """Stores the first travellers' rule set (declarations/tariff/data/
    traveller_rules_seed.json, which the migration stores too) unless a set from its
    day exists; for databases that tests emptied. Safe to run every start."""
    data = json.loads(TRAVELLER_RULES_SEED.read_text(encoding="utf-8"))
    start = date.fromisoformat(data["valid_from"])
    rule_set, created = TravellerRuleSet.objects.get_or_create(
        valid_from=start,
        defaults={
            "taxable_ratio": Decimal(data["taxable_ratio"]),
            "article_limit_jpy": data["article_limit_jpy"],
            "source": data["source"],
            **data["allowances"],
        },
    )
    if created:
        TravellerSimplifiedRate.objects.bulk_create(
            TravellerSimplifiedRate(rule_set=rule_set, category=category, amount=Decimal(amount), unit=unit)
            for category, (amount, unit) in data["rates"].items()
        )
        audit_record(action="traveller_rules.seeded", system="seed", obj=rule_set)
    return rule_set
