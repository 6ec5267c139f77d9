"""The pre-submission check: a dry run of every validation and
screening rule a declaration will meet, telling the trader what would be rejected, what
will be reviewed and how to fix it. It only reads: nothing is saved, no task is queued.

Rules checked, each a `Finding`:
- the declaration has lines and is dated at most DECLARATION_DATE_MAX_DAYS_AHEAD days
  ahead; the lines' codes and countries are valid;
- documents: an invoice is attached; an origin document is attached when a line claims
  a preference (EPA, GSP, LDC);
- the duty engine accepts every line (rates, EPA coverage of the origin, origin proof,
  exchange rate of the declaration's week);
- export control: a licence number on controlled lines, the consignee against the
  end-user list;
- screening: the lane the rule would assign now;
- unit value (yen per kg) far outside what past lines of the same tariff code declared
  (median ± PRECHECK_UNIT_VALUE_IQR_FACTOR × IQR, once PRECHECK_UNIT_VALUE_MIN_SAMPLES
  past lines exist).
"""

from __future__ import annotations

import copy
import statistics
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customs_portal.errors import ApplicationError
from declarations import hooks
from declarations.core.labels import field_label
from declarations.core.models import Declaration, DeclarationAttachment, DeclarationLine, Preference
from declarations.core.screening import PREFERENTIAL, interim_rule_lane
from declarations.export_control import services as export_control
from declarations.tariff import interface as tariff

# Past lines older than this say little about today's prices.
UNIT_VALUE_HISTORY = timedelta(days=365)


class Severity:
    REJECT = "reject"
    REVIEW = "review"
    NOTE = "note"

    @staticmethod
    def label(severity: str) -> str:
        return {
            Severity.REJECT: _("Would be rejected"),
            Severity.REVIEW: _("Will be reviewed"),
            Severity.NOTE: _("Note"),
        }[severity]


SEVERITY_ORDER = {Severity.REJECT: 0, Severity.REVIEW: 1, Severity.NOTE: 2}


@dataclass(frozen=True)
class Finding:
    severity: str  # a Severity value
    code: str
    field: str  # "attachments", "consignee_name", "lines[0].export_licence_number"...
    message: str
    fix: str

    @property
    def severity_label(self) -> str:
        return Severity.label(self.severity)

    @property
    def field_label(self) -> str:
        return field_label(self.field)

    def as_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "severity_label": str(self.severity_label),
            "code": self.code,
            "field": self.field,
            "field_label": self.field_label,
            "message": self.message,
            "fix": self.fix,
        }


# Advice per duty engine error code; the engine's own message says what is wrong.
DUTY_FIXES = {
    "unknown_tariff_code": gettext_lazy("Look the goods up in the tariff search and enter the 9-digit code in force."),
    "unknown_country": gettext_lazy("Enter the origin as a 2-letter ISO 3166 code, e.g. CN or DE."),
    "epa_not_applicable": gettext_lazy("Claim an agreement that covers the origin country, or claim no preference."),
    "origin_proof_required": gettext_lazy(
        "Choose the origin proof type and give its reference, or claim no preference."
    ),
    "not_wto_member": gettext_lazy("Claim the general rate for this origin."),
    "not_gsp_beneficiary": gettext_lazy("Claim no preference: this country does not benefit from the GSP."),
    "not_ldc_beneficiary": gettext_lazy("Claim no preference: this country does not benefit from LDC treatment."),
    "unknown_preference": gettext_lazy("Choose one of the offered preferences."),
    "exchange_rate_missing": gettext_lazy(
        "Check the declaration date and the invoice currency; customs publishes weekly rates."
    ),
}


@dataclass(frozen=True)
class Taxes:
    """What submission stores: each line's customs value and, for an import, the duty
    engine's result (None for an export, which owes no tax)."""

    customs_values: list[int]
    duty: tariff.DutyResult | None

    @property
    def customs_value_jpy(self) -> int:
        return self.duty.total_customs_value_jpy if self.duty else sum(self.customs_values)

    @property
    def customs_duty_jpy(self) -> int:
        return self.duty.total.customs_duty_jpy if self.duty else 0

    @property
    def consumption_tax_jpy(self) -> int:
        return self.duty.total.consumption_tax_jpy if self.duty else 0

    @property
    def local_consumption_tax_jpy(self) -> int:
        return self.duty.total.local_consumption_tax_jpy if self.duty else 0

    @property
    def total_tax_jpy(self) -> int:
        return self.customs_duty_jpy + self.consumption_tax_jpy + self.local_consumption_tax_jpy


@dataclass(frozen=True)
class Precheck:
    """The findings, most serious first, and the taxes when they could be computed."""

    findings: list[Finding]
    taxes: Taxes | None

    @property
    def rejections(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == Severity.REJECT]


def declaration_customs_values(*, declaration: Declaration, lines: list[DeclarationLine]) -> list[int]:
    """Each line's customs value in yen, as the tariff engine computes it from the
    declaration's invoice, Incoterm, freight and insurance."""
    return tariff.invoice_customs_values(
        line_values=[line.invoice_value for line in lines],
        currency=declaration.invoice_currency,
        incoterm=declaration.incoterm,
        freight=declaration.freight,
        insurance=declaration.insurance,
        on=declaration.declaration_date,
    )


def duty_lines(lines: list[DeclarationLine], values: list[int]) -> list[tariff.DutyLine]:
    """The declaration's lines as the duty engine rates them, with their customs values."""
    return [
        tariff.DutyLine(
            hs_code=line.hs_code,
            origin=line.origin_country,
            customs_value_jpy=value,
            quantity=line.quantity,
            preference=line.duty_preference,
            origin_proof=line.origin_proof,
        )
        for line, value in zip(lines, values, strict=True)
    ]


def declaration_taxes(*, declaration: Declaration, lines: list[DeclarationLine], values: list[int]) -> Taxes:
    """The taxes of the lines with their customs values; raises the duty engine's
    ApplicationError when it cannot rate a line."""
    if declaration.kind == Declaration.Kind.EXPORT:
        return Taxes(customs_values=values, duty=None)
    duty = tariff.duty_estimate(lines=duty_lines(lines, values), on=declaration.declaration_date)
    return Taxes(customs_values=values, duty=duty)


def declaration_precheck(*, declaration: Declaration) -> list[Finding]:
    """Every finding for the declaration as it stands, most serious first."""
    return declaration_precheck_run(declaration=declaration).findings


def declaration_precheck_run(*, declaration: Declaration) -> Precheck:
    """The checks submission runs: every finding, and the taxes submission will store.
    Reads only."""
    lines = list(declaration.lines.order_by("line_no"))
    findings: list[Finding] = _date_findings(declaration)
    if not lines:
        finding = Finding(
            Severity.REJECT,
            "no_lines",
            "lines",
            _("The declaration has no lines."),
            _("Add at least one line of goods."),
        )
        return Precheck(findings=[finding, *findings], taxes=None)
    findings += _document_findings(declaration, lines)
    values, value_findings = _customs_values(declaration, lines)
    findings += value_findings
    taxes = None
    if values is not None:
        taxes, duty_findings = _taxes(declaration, lines, values)
        findings += duty_findings
    if declaration.kind == Declaration.Kind.EXPORT or values is None:
        findings += _code_findings(declaration, lines)
    findings += _export_control_findings(declaration)
    findings += _screening_findings(declaration, values)
    if values is not None:
        findings += _unit_value_findings(declaration, lines, values)
    ordered = sorted(findings, key=lambda finding: SEVERITY_ORDER[finding.severity])
    return Precheck(findings=ordered, taxes=taxes)


def _date_findings(declaration: Declaration) -> list[Finding]:
    """A date too far ahead: the rates and exchange rate of today would be applied to it."""
    latest = timezone.localdate() + timedelta(days=settings.DECLARATION_DATE_MAX_DAYS_AHEAD)
    if declaration.declaration_date <= latest:
        return []
    return [
        Finding(
            Severity.REJECT,
            "declaration_date_in_future",
            "declaration_date",
            _("The declaration date %(date)s is more than %(days)s days after today.")
            % {"date": declaration.declaration_date.isoformat(), "days": settings.DECLARATION_DATE_MAX_DAYS_AHEAD},
            _("Enter the date the declaration is filed, %(latest)s at the latest.") % {"latest": latest.isoformat()},
        )
    ]


def _document_findings(declaration: Declaration, lines: list[DeclarationLine]) -> list[Finding]:
    kinds = set(declaration.attachments.values_list("kind", flat=True))
    findings = []
    if DeclarationAttachment.Kind.INVOICE not in kinds:
        findings.append(
            Finding(
                Severity.REJECT,
                "invoice_missing",
                "attachments",
                _("No invoice is attached."),
                _("Attach the commercial invoice (PDF, JPEG or PNG) as an “Invoice” attachment."),
            )
        )
    claiming = [line.line_no for line in lines if line.preference in PREFERENTIAL]
    if claiming and DeclarationAttachment.Kind.ORIGIN_DOCUMENT not in kinds:
        findings.append(
            Finding(
                Severity.REJECT,
                "origin_document_missing",
                "attachments",
                _("Line(s) %(lines)s claim a preferential rate but no origin document is attached.")
                % {"lines": ", ".join(map(str, claiming))},
                _(
                    "Attach the certificate of origin or the origin self-declaration as an “Origin document”, "
                    "or claim no preference."
                ),
            )
        )
    for index, line in enumerate(lines):
        if line.preference == Preference.EPA and line.origin_proof and not line.origin_proof_reference.strip():
            findings.append(
                Finding(
                    Severity.REVIEW,
                    "origin_proof_reference_missing",
                    f"lines[{index}].origin_proof_reference",
                    _("Line %(line)s gives no reference of its origin proof.") % {"line": line.line_no},
                    _("Enter the certificate number or the reference of the self-declaration."),
                )
            )
    return findings


def _customs_values(declaration: Declaration, lines: list[DeclarationLine]) -> tuple[list[int] | None, list[Finding]]:
    """Each line's customs value in yen as submission would compute it, or a finding."""
    try:
        values = declaration_customs_values(declaration=declaration, lines=lines)
    except ApplicationError as error:
        fix = str(DUTY_FIXES.get(error.code, _("Correct the amounts and the currency.")))
        return None, [Finding(Severity.REJECT, error.code, "invoice_currency", error.message, fix)]
    return values, []


def _taxes(
    declaration: Declaration, lines: list[DeclarationLine], values: list[int]
) -> tuple[Taxes | None, list[Finding]]:
    try:
        return declaration_taxes(declaration=declaration, lines=lines, values=values), []
    except ApplicationError as error:
        if not error.fields:
            return None, [Finding(Severity.REJECT, error.code, "", error.message, str(DUTY_FIXES.get(error.code, "")))]
        return None, [
            Finding(
                Severity.REJECT,
                error.code if len(error.fields) == 1 else "duty_engine",
                field,
                _("Line %(line)s: %(message)s") % {"line": _line_no(lines, field), "message": messages[0]},
                _fix_for(field),
            )
            for field, messages in error.fields.items()
        ]


def _line_no(lines: list[DeclarationLine], field: str) -> str:
    try:
        return str(lines[int(field.split("[", 1)[1].split("]", 1)[0])].line_no)
    except (IndexError, ValueError):
        return "?"


def _fix_for(field: str) -> str:
    """The engine reports several lines in one error; pick the advice by the field."""
    name = field.rsplit(".", 1)[-1]
    code = {
        "hs_code": "unknown_tariff_code",
        "origin": "unknown_country",
        "origin_proof": "origin_proof_required",
        "preference": "epa_not_applicable",
    }.get(name)
    return str(DUTY_FIXES[code]) if code else _("Correct the line.")


def _code_findings(declaration: Declaration, lines: list[DeclarationLine]) -> list[Finding]:
    """For exports (no duty computed): codes in force and countries known."""
    on = declaration.declaration_date
    in_force = tariff.tariff_codes_in_force(hs_codes={line.hs_code for line in lines}, on=on)
    findings = []
    for index, line in enumerate(lines):
        if line.hs_code not in in_force:
            findings.append(
                Finding(
                    Severity.REJECT,
                    "unknown_tariff_code",
                    f"lines[{index}].hs_code",
                    _("Line %(line)s: no tariff line %(code)s is in force on %(date)s.")
                    % {"line": line.line_no, "code": line.hs_code, "date": on.isoformat()},
                    str(DUTY_FIXES["unknown_tariff_code"]),
                )
            )
        if not tariff.is_country(line.origin_country.upper()):
            findings.append(
                Finding(
                    Severity.REJECT,
                    "unknown_country",
                    f"lines[{index}].origin_country",
                    _("Line %(line)s: “%(origin)s” is not an ISO 3166 country code.")
                    % {"line": line.line_no, "origin": line.origin_country},
                    str(DUTY_FIXES["unknown_country"]),
                )
            )
    return findings


def _export_control_findings(declaration: Declaration) -> list[Finding]:
    findings = [
        Finding(
            Severity.REJECT,
            "export_licence_required",
            missing.field,
            missing.message,
            _("Apply to METI for an export licence and enter its number on the line (%(basis)s).")
            % {"basis": missing.good.control_basis or missing.good.description_en},
        )
        for missing in export_control.export_licences_missing(declaration=declaration)
    ]
    match = export_control.declaration_end_user_match(declaration=declaration)
    if match is not None:
        findings.append(
            Finding(
                Severity.REVIEW,
                "end_user_listed",
                "consignee_name",
                match.reason,
                _(
                    "Customs will review the documents. Check the consignee with METI's end-user list and keep "
                    "the end-use certificate ready; a licence may be needed even for goods not on the list."
                ),
            )
        )
    return findings


def _screening_findings(declaration: Declaration, values: list[int] | None) -> list[Finding]:
    """The lane the interim rule would assign now, computed on an unsaved copy."""
    if values is None:
        return []
    preview = copy.copy(declaration)
    preview.customs_value_jpy = sum(values)
    decision = interim_rule_lane(declaration=preview)
    findings = []
    if decision.lane != Declaration.Lane.GREEN:
        # The lane and what to prepare, not the rule's reasons: targeting stays with customs.
        message = (
            _("The declaration would go to document review.")
            if decision.lane == Declaration.Lane.YELLOW
            else _("The declaration would go to physical inspection.")
        )
        findings.append(
            Finding(
                Severity.REVIEW,
                f"lane_{decision.lane}",
                "",
                message,
                _("Nothing to fix: have the supporting documents ready for the officer."),
            )
        )
    if hooks.lane_assigner() is not None:
        findings.append(
            Finding(
                Severity.NOTE,
                "risk_model",
                "",
                _("A risk model assigns the final lane after submission; this check shows the documented rule."),
                "",
            )
        )
    return findings


@dataclass(frozen=True)
class UnitValueRange:
    median: Decimal
    q1: Decimal
    q3: Decimal
    samples: int


def unit_value_ranges(*, hs_codes: set[str], exclude_declaration_id: int | None = None) -> dict[str, UnitValueRange]:
    """Median and quartiles of yen per kg of submitted lines per tariff code over the
    last year; codes with fewer than PRECHECK_UNIT_VALUE_MIN_SAMPLES lines are left out."""
    since = timezone.now() - UNIT_VALUE_HISTORY
    rows = (
        DeclarationLine.objects.filter(
            hs_code__in=hs_codes,
            customs_value_jpy__isnull=False,
            net_weight_kg__gt=0,
            declaration__submitted_at__gte=since,
        )
        .exclude(declaration_id=exclude_declaration_id)
        .values_list("hs_code", "customs_value_jpy", "net_weight_kg")
    )
    by_code: dict[str, list[Decimal]] = {}
    for code, value, weight in rows:
        by_code.setdefault(code, []).append(Decimal(value) / weight)
    ranges = {}
    for code, unit_values in by_code.items():
        if len(unit_values) < settings.PRECHECK_UNIT_VALUE_MIN_SAMPLES:
            continue
        q1, median, q3 = statistics.quantiles(unit_values, n=4, method="inclusive")
        ranges[code] = UnitValueRange(median=median, q1=q1, q3=q3, samples=len(unit_values))
    return ranges


def _unit_value_findings(declaration: Declaration, lines: list[DeclarationLine], values: list[int]) -> list[Finding]:
    ranges = unit_value_ranges(hs_codes={line.hs_code for line in lines}, exclude_declaration_id=declaration.pk)
    factor = Decimal(str(settings.PRECHECK_UNIT_VALUE_IQR_FACTOR))
    findings = []
    for index, (line, value) in enumerate(zip(lines, values, strict=True)):
        usual = ranges.get(line.hs_code)
        if usual is None or line.net_weight_kg <= 0:
            continue
        unit_value = Decimal(value) / line.net_weight_kg
        spread = usual.q3 - usual.q1
        # With identical past values the IQR is zero; then only a tenfold gap counts.
        low, high = (
            (usual.q1 - factor * spread, usual.q3 + factor * spread)
            if spread > 0
            else (usual.median / 10, usual.median * 10)
        )
        if low <= unit_value <= high:
            continue
        findings.append(
            Finding(
                Severity.NOTE,
                "unit_value_unusual",
                f"lines[{index}].invoice_value",
                _(
                    "Line %(line)s: ¥%(value)s per kg is far from the usual ¥%(median)s per kg for %(code)s "
                    "(middle half ¥%(q1)s–¥%(q3)s, %(samples)d past lines)."
                )
                % {
                    "line": line.line_no,
                    "value": f"{unit_value:,.0f}",
                    "median": f"{usual.median:,.0f}",
                    "code": line.hs_code,
                    "q1": f"{usual.q1:,.0f}",
                    "q3": f"{usual.q3:,.0f}",
                    "samples": usual.samples,
                },
                _("Check the invoice value, the net weight and the tariff code of the line."),
            )
        )
    return findings
