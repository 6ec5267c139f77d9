"""Submitting a declaration: the duty engine computes the taxes, a frozen version is
kept, and screening runs in a Celery task once the transaction commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from customs_portal.errors import ApplicationError
from customs_portal.models import User
from declarations import hooks
from declarations.core import screening, workflow
from declarations.core.models import Declaration, DeclarationLine, DeclarationVersion
from declarations.core.services.drafts import declaration_company_check
from declarations.export_control import services as export_control
from declarations.tariff import interface as tariff

Status = Declaration.Status


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


def declaration_taxes_compute(*, declaration: Declaration) -> tariff.DutyResult | None:
    """Fills each line's customs value and duty and the declaration's totals.

    Export declarations owe no tax: only their customs value (FOB) is computed."""
    lines = list(declaration.lines.order_by("line_no"))
    if not lines:
        raise ApplicationError(
            _("A declaration needs at least one line."), code="no_lines", fields={"lines": [_("Add a line.")]}
        )
    values = declaration_customs_values(declaration=declaration, lines=lines)
    if declaration.kind == Declaration.Kind.EXPORT:
        for line, value in zip(lines, values, strict=True):
            line.customs_value_jpy, line.customs_duty_jpy = value, 0
            line.save(update_fields=["customs_value_jpy", "customs_duty_jpy"])
        _store_totals(declaration, customs_value=sum(values), duty_jpy=0, tax=0, local=0)
        return None
    result = tariff.duty_estimate(lines=duty_lines(lines, values), on=declaration.declaration_date)
    for line, computed in zip(lines, result.lines, strict=True):
        line.customs_value_jpy = computed.customs_value_jpy
        line.customs_duty_jpy = computed.customs_duty_jpy
        line.rate_applied = computed.rate[:100]
        line.rate_basis = computed.basis_label[:100]
        line.save(update_fields=["customs_value_jpy", "customs_duty_jpy", "rate_applied", "rate_basis"])
    _store_totals(
        declaration,
        customs_value=result.total_customs_value_jpy,
        duty_jpy=result.total.customs_duty_jpy,
        tax=result.total.consumption_tax_jpy,
        local=result.total.local_consumption_tax_jpy,
    )
    return result


def _store_totals(declaration: Declaration, *, customs_value: int, duty_jpy: int, tax: int, local: int) -> None:
    declaration.customs_value_jpy = customs_value
    declaration.customs_duty_jpy = duty_jpy
    declaration.consumption_tax_jpy = tax
    declaration.local_consumption_tax_jpy = local
    declaration.total_tax_jpy = duty_jpy + tax + local
    declaration.save(
        update_fields=[
            "customs_value_jpy",
            "customs_duty_jpy",
            "consumption_tax_jpy",
            "local_consumption_tax_jpy",
            "total_tax_jpy",
            "updated_at",
        ]
    )


def declaration_snapshot(declaration: Declaration) -> dict[str, Any]:
    """The declaration as plain JSON: what a version freezes and a diff compares."""
    header_fields = [
        "number", "kind", "party_name", "party_corporate_number", "consignee_name", "consignee_country",
        "transport_mode", "vessel_or_flight", "transport_document", "invoice_number", "invoice_currency",
        "incoterm", "freight", "insurance", "declaration_date", "customs_value_jpy", "customs_duty_jpy",
        "consumption_tax_jpy", "local_consumption_tax_jpy", "total_tax_jpy",
    ]  # fmt: skip
    line_fields = [
        "line_no", "hs_code", "description", "origin_country", "quantity", "unit", "net_weight_kg",
        "invoice_value", "preference", "epa_agreement", "origin_proof", "origin_proof_reference",
        "export_licence_number", "customs_value_jpy", "customs_duty_jpy", "rate_applied", "rate_basis",
    ]  # fmt: skip

    def plain(value: Any) -> Any:
        return value if isinstance(value, (int, str, type(None))) else str(value)

    return {
        "header": {name: plain(getattr(declaration, name)) for name in header_fields}
        | {"office": declaration.office.code},
        "lines": [
            {name: plain(getattr(line, name)) for name in line_fields} for line in declaration.lines.order_by("line_no")
        ],
    }


def declaration_version_freeze(*, declaration: Declaration, by: User, reason: str = "") -> DeclarationVersion:
    return DeclarationVersion.objects.create(
        declaration=declaration,
        version=declaration.version,
        snapshot=declaration_snapshot(declaration),
        reason=reason,
        created_by=by,
    )


@transaction.atomic(durable=True)
def declaration_submit(*, declaration: Declaration, submitted_by: User, request=None) -> Declaration:
    """Draft → submitted: taxes computed, version frozen, screening queued on commit."""
    from declarations.core import tasks

    export_control.export_licences_check(declaration=declaration)
    declaration_taxes_compute(declaration=declaration)
    declaration_version_freeze(declaration=declaration, by=submitted_by)
    declaration = workflow.declaration_transition(
        declaration=declaration, to=Declaration.Status.SUBMITTED, actor=submitted_by, request=request
    )
    transaction.on_commit(lambda: tasks.declaration_screen.delay(declaration.pk))
    return declaration


def declaration_screen(*, declaration_id: int, notify: bool = True) -> str:
    """Submitted → screening → a lane. Safe to run twice: only a submitted declaration is
    screened, so a second run finds it already moved on and does nothing. `notify=False`
    (bulk manifest screening) sends the trader no message per declaration."""
    declaration = Declaration.objects.filter(pk=declaration_id).first()
    if declaration is None or declaration.status != Declaration.Status.SUBMITTED:
        return "skipped"
    try:
        workflow.declaration_transition(
            declaration=declaration, to=Declaration.Status.SCREENING, system="screening", notify=notify
        )
    except ApplicationError:
        return "skipped"  # another worker claimed it between our read and our lock
    assign = hooks.lane_assigner() or screening.rule_based_lane
    decision = assign(declaration=declaration)
    # A listed consignee goes to document review whichever assigner decided.
    decision = export_control.end_user_escalate(declaration=declaration, decision=decision)
    workflow.declaration_assign_lane(declaration=declaration, decision=decision, notify=notify)
    return decision.lane


def declaration_withdraw(
    *, declaration: Declaration, withdrawn_by: User, reason: str = "", request=None
) -> Declaration:
    """The trader takes the declaration back before it is permitted."""
    declaration_company_check(declaration, withdrawn_by)
    return workflow.declaration_transition(
        declaration=declaration, to=Status.WITHDRAWN, actor=withdrawn_by, reason=reason, request=request
    )
