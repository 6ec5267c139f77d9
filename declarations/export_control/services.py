"""Export control: goods that need a METI export licence and consignees on the end-user
list.

- The controlled-goods list holds tariff code prefixes (4 to 9 digits); an export line
  whose code starts with one needs `export_licence_number`. Submission refuses it
  without one (`export_licences_check`, called by `declaration_submit`).
- The end-user list (METI's Foreign End User List style) is matched by name, fuzzily:
  names are normalised (case, width, punctuation, corporate suffixes such as Co., Ltd.,
  LLC, 株式会社) and compared by difflib similarity of the whole name and of its sorted
  words. A consignee at or above `EXPORT_CONTROL_MATCH_THRESHOLD` sends the declaration
  to document review (`end_user_escalate`, applied after any lane assigner).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_portal.csvfiles import ImportRejected, ImportResult, RowError, csv_rows, decode_csv, import_result_record
from customs_portal.errors import ApplicationError
from customs_portal.models import User
from customs_portal.reasons import reason, reason_text
from declarations.core import reasons
from declarations.core.models import Declaration
from declarations.export_control.models import ControlledGood, EndUser
from declarations.hooks import LaneDecision
from declarations.tariff import interface as tariff

DEFAULT_MATCH_THRESHOLD = 0.88
CONTROLLED_GOODS_COLUMNS = ("hs_prefix", "description_en")
CONTROLLED_GOODS_OPTIONAL = ("description_ja", "control_basis", "note")
END_USER_COLUMNS = ("name", "country")
END_USER_OPTIONAL = ("aliases", "reason", "note")
ALIAS_SEPARATOR = "|"

# Corporate forms that say nothing about who the entity is; dropped before comparing.
CORPORATE_SUFFIXES = frozenset(
    {
        "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "llp", "lp",
        "plc", "pte", "pty", "gmbh", "ag", "sa", "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as", "kk",
        "jsc", "ojsc", "pjsc", "cjsc", "ooo", "fze", "fzco", "group", "holdings", "the",
    }
)  # fmt: skip
JAPANESE_CORPORATE_FORMS = ("株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "(有)", "㈱", "㈲")
_NOT_WORD = re.compile(r"[^\w]+")


# --- Name matching -------------------------------------------------------------------


def name_normalise(name: str) -> str:
    """Lower case, full-width folded, punctuation and corporate forms removed:
    "ACME Trading Co., Ltd." and "Acme Trading Limited" both become "acme trading"."""
    text = unicodedata.normalize("NFKC", name).lower()
    for form in JAPANESE_CORPORATE_FORMS:
        text = text.replace(unicodedata.normalize("NFKC", form).lower(), " ")
    words = [word for word in _NOT_WORD.sub(" ", text.replace("_", " ")).split() if word not in CORPORATE_SUFFIXES]
    return " ".join(words)


def name_similarity(a: str, b: str) -> float:
    """0..1: the better of the normalised names' difflib ratio and the ratio of their
    sorted words (so word order does not matter)."""
    left, right = name_normalise(a), name_normalise(b)
    if not left or not right:
        return 0.0
    if left == right:
        return 1.0
    direct = SequenceMatcher(None, left, right).ratio()
    sorted_words = SequenceMatcher(None, " ".join(sorted(left.split())), " ".join(sorted(right.split()))).ratio()
    return max(direct, sorted_words)


def match_threshold() -> float:
    return float(getattr(settings, "EXPORT_CONTROL_MATCH_THRESHOLD", DEFAULT_MATCH_THRESHOLD))


@dataclass(frozen=True)
class EndUserMatch:
    entity: EndUser
    matched_name: str  # the listed name or alias that matched
    similarity: float

    @property
    def reason_code(self) -> dict:
        """The match as a stored reason: code and parameters, worded when shown."""
        return reason(
            reasons.END_USER_LISTED,
            name=self.entity.name,
            country=self.entity.country,
            similarity=self.similarity,
            concern=self.entity.reason,
        )

    @property
    def reason(self) -> str:
        return reason_text(self.reason_code)


def end_user_matches(*, name: str, threshold: float | None = None) -> list[EndUserMatch]:
    """Listed entities whose name or an alias resembles `name`, best first."""
    threshold = match_threshold() if threshold is None else threshold
    if not name_normalise(name):
        return []
    matches = []
    for entity in EndUser.objects.all():
        best = max(
            ((candidate, name_similarity(name, candidate)) for candidate in [entity.name, *entity.aliases]),
            key=lambda pair: pair[1],
        )
        if best[1] >= threshold:
            matches.append(EndUserMatch(entity=entity, matched_name=best[0], similarity=round(best[1], 4)))
    return sorted(matches, key=lambda match: -match.similarity)


def declaration_end_user_match(*, declaration: Declaration) -> EndUserMatch | None:
    """The best end-user list match of an export declaration's consignee, if any."""
    if declaration.kind != Declaration.Kind.EXPORT or not declaration.consignee_name.strip():
        return None
    matches = end_user_matches(name=declaration.consignee_name)
    return matches[0] if matches else None


def end_user_escalate(*, declaration: Declaration, decision: LaneDecision) -> LaneDecision:
    """Whatever decided the lane (the rule or a risk model), a listed consignee means at
    least document review: green becomes yellow, and the reason names the entity."""
    match = declaration_end_user_match(declaration=declaration)
    if match is None:
        return decision
    escalated = list(decision.reasons)
    if match.reason_code not in escalated:
        escalated.insert(0, match.reason_code)
    lane = Declaration.Lane.YELLOW if decision.lane == Declaration.Lane.GREEN else decision.lane
    if lane == decision.lane and escalated == decision.reasons:
        return decision
    return LaneDecision(lane=lane, reasons=escalated, decided_by=decision.decided_by)


# --- Controlled goods ----------------------------------------------------------------


def _prefixes(hs_code: str) -> list[str]:
    return [hs_code[:length] for length in range(4, min(len(hs_code), 9) + 1)]


def controlled_goods_for_codes(hs_codes: Iterable[str]) -> dict[str, ControlledGood]:
    """Each code that is controlled, with the longest listed prefix that covers it."""
    codes = {code for code in hs_codes if code}
    prefixes = {prefix for code in codes for prefix in _prefixes(code)}
    listed = {good.hs_prefix: good for good in ControlledGood.objects.filter(hs_prefix__in=prefixes)}
    result = {}
    for code in codes:
        for prefix in reversed(_prefixes(code)):
            if prefix in listed:
                result[code] = listed[prefix]
                break
    return result


@dataclass(frozen=True)
class LicenceMissing:
    index: int  # position of the line in line_no order, as the duty engine's errors count
    line_no: int
    hs_code: str
    good: ControlledGood

    @property
    def field(self) -> str:
        return f"lines[{self.index}].export_licence_number"

    @property
    def message(self) -> str:
        return _("Line %(line)s (%(code)s, %(goods)s) needs a METI export licence number.") % {
            "line": self.line_no,
            "code": self.hs_code,
            "goods": self.good.description_en,
        }


def export_licences_missing(*, declaration: Declaration) -> list[LicenceMissing]:
    """Export lines whose tariff code is controlled and that give no licence number."""
    if declaration.kind != Declaration.Kind.EXPORT:
        return []
    lines = list(declaration.lines.order_by("line_no"))
    controlled = controlled_goods_for_codes(line.hs_code for line in lines)
    return [
        LicenceMissing(index=index, line_no=line.line_no, hs_code=line.hs_code, good=controlled[line.hs_code])
        for index, line in enumerate(lines)
        if line.hs_code in controlled and not line.export_licence_number.strip()
    ]


def export_licences_check(*, declaration: Declaration) -> None:
    """Raises ApplicationError listing every controlled line without a licence number."""
    missing = export_licences_missing(declaration=declaration)
    if missing:
        raise ApplicationError(
            " ".join(item.message for item in missing),
            code="export_licence_required",
            fields={item.field: [item.message] for item in missing},
        )


# --- Imports of the two lists --------------------------------------------------------


def _strip_comments(text: str) -> tuple[str, int]:
    """Leading lines starting with # are comments (the illustrative-data notice); they
    are dropped and their count returned so that row numbers still match the file."""
    lines = text.splitlines(keepends=True)
    skipped = 0
    while skipped < len(lines) and lines[skipped].lstrip().startswith("#"):
        skipped += 1
    return "".join(lines[skipped:]), skipped


def _header_errors(header: list[str], required: Iterable[str], optional: Iterable[str]) -> list[str]:
    problems = []
    missing = [name for name in required if name not in header]
    if missing:
        problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    unknown = [name for name in header if name not in {*required, *optional}]
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    return problems


@dataclass(frozen=True)
class _ControlledRow:
    hs_prefix: str
    description_en: str
    description_ja: str
    control_basis: str


def controlled_goods_import(
    *, data: bytes, file_name: str, imported_by: User | None = None, system: str = "import_controlled_goods"
) -> ImportResult:
    """Imports the controlled-goods list, all or nothing; the same file again changes
    nothing. Columns: hs_prefix, description_en, [description_ja, control_basis, note]."""
    text, offset = _strip_comments(decode_csv(data, file_name=file_name))
    header, rows = csv_rows(text)
    header_problems = _header_errors(header, CONTROLLED_GOODS_COLUMNS, CONTROLLED_GOODS_OPTIONAL)
    if header_problems:
        raise ImportRejected(file_name=file_name, errors=[RowError(offset + 1, "", p) for p in header_problems])
    errors: list[RowError] = []
    parsed: dict[str, _ControlledRow] = {}
    for line, row in rows:
        line += offset
        prefix = row.get("hs_prefix", "").replace(".", "").replace("-", "")
        if not re.fullmatch(r"[0-9]{4,9}", prefix):
            errors.append(RowError(line, "hs_prefix", _("A prefix has 4 to 9 digits of the tariff code.")))
            continue
        if not row.get("description_en"):
            errors.append(RowError(line, "description_en", _("Describe the goods.")))
            continue
        if prefix in parsed:
            errors.append(RowError(line, "hs_prefix", _("%(prefix)s is listed twice.") % {"prefix": prefix}))
            continue
        parsed[prefix] = _ControlledRow(
            hs_prefix=prefix,
            description_en=row["description_en"][:300],
            description_ja=row.get("description_ja", "")[:300],
            control_basis=row.get("control_basis", "")[:200],
        )
    if errors:
        raise ImportRejected(file_name=file_name, errors=errors)
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {good.hs_prefix: good for good in ControlledGood.objects.filter(hs_prefix__in=parsed)}
        for prefix, row in parsed.items():
            good = existing.get(prefix)
            values = {
                "description_en": row.description_en,
                "description_ja": row.description_ja,
                "control_basis": row.control_basis,
            }
            if good is None:
                ControlledGood.objects.create(hs_prefix=prefix, **values)
                created += 1
            elif any(getattr(good, name) != value for name, value in values.items()):
                ControlledGood.objects.filter(pk=good.pk).update(**values, updated_at=timezone.now())
                updated += 1
            else:
                unchanged += 1
        result = ImportResult(created=created, updated=updated, unchanged=unchanged)
    return import_result_record(
        result=result, action="controlled_goods.imported", file_name=file_name, imported_by=imported_by, system=system
    )


@dataclass(frozen=True)
class _EndUserRow:
    name: str
    aliases: list[str]
    country: str
    reason: str


def end_users_import(
    *, data: bytes, file_name: str, imported_by: User | None = None, system: str = "import_end_users"
) -> ImportResult:
    """Imports the end-user list, all or nothing, keyed by (name, country). Columns:
    name, country, [aliases separated by |, reason, note]."""
    text, offset = _strip_comments(decode_csv(data, file_name=file_name))
    header, rows = csv_rows(text)
    header_problems = _header_errors(header, END_USER_COLUMNS, END_USER_OPTIONAL)
    if header_problems:
        raise ImportRejected(file_name=file_name, errors=[RowError(offset + 1, "", p) for p in header_problems])
    errors: list[RowError] = []
    parsed: dict[tuple[str, str], _EndUserRow] = {}
    for line, row in rows:
        line += offset
        name = row.get("name", "")
        country = row.get("country", "").upper()
        if not name:
            errors.append(RowError(line, "name", _("Give the entity's name.")))
            continue
        if not tariff.is_country(country):
            errors.append(
                RowError(line, "country", _("“%(code)s” is not an ISO 3166 country code.") % {"code": country})
            )
            continue
        if (name, country) in parsed:
            errors.append(RowError(line, "name", _("%(name)s is listed twice.") % {"name": name}))
            continue
        aliases = [alias.strip() for alias in row.get("aliases", "").split(ALIAS_SEPARATOR) if alias.strip()]
        parsed[(name, country)] = _EndUserRow(
            name=name[:300], aliases=aliases, country=country, reason=row.get("reason", "")[:300]
        )
    if errors:
        raise ImportRejected(file_name=file_name, errors=errors)
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {(entity.name, entity.country): entity for entity in EndUser.objects.all()}
        for key, row in parsed.items():
            entity = existing.get(key)
            if entity is None:
                EndUser.objects.create(name=row.name, country=row.country, aliases=row.aliases, reason=row.reason)
                created += 1
            elif entity.aliases != row.aliases or entity.reason != row.reason:
                EndUser.objects.filter(pk=entity.pk).update(
                    aliases=row.aliases, reason=row.reason, updated_at=timezone.now()
                )
                updated += 1
            else:
                unchanged += 1
        result = ImportResult(created=created, updated=updated, unchanged=unchanged)
    return import_result_record(
        result=result, action="end_users.imported", file_name=file_name, imported_by=imported_by, system=system
    )


# --- Export statistics (a read, permission-aware) --------------------------------------


def _month_add(day: date, months: int) -> date:
    """The first of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class ExportSeries:
    months: list[str]  # "2026-03"
    companies: list[tuple[str, list[int]]]  # (company name, count per month)


def export_counts_by_company(*, user: User, months: int = 12, today: date | None = None) -> ExportSeries:
    """Export declarations submitted per company per month, over the last `months`
    months. A trader sees only its own company; officers see every company."""
    today = today or timezone.localdate()
    first = _month_add(today.replace(day=1), -(months - 1))
    labels = [_month_add(first, step).strftime("%Y-%m") for step in range(months)]
    queryset = Declaration.objects.filter(
        kind=Declaration.Kind.EXPORT,
        submitted_at__isnull=False,
        submitted_at__date__gte=first,
    )
    if not user.is_officer:
        queryset = queryset.filter(company_id=user.company_id) if user.is_trader else queryset.none()
    rows = (
        queryset.annotate(month=TruncMonth("submitted_at"))
        .values("company__name", "month")
        .annotate(count=Count("id"))
        .order_by("company__name", "month")
    )
    series: dict[str, list[int]] = {}
    for row in rows:
        label = timezone.localtime(row["month"]).strftime("%Y-%m")
        if label in labels:
            series.setdefault(row["company__name"], [0] * months)[labels.index(label)] = row["count"]
    return ExportSeries(months=labels, companies=sorted(series.items()))
