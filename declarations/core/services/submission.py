"""Submitting a declaration: the duty engine computes the taxes, a frozen version is
kept, and screening runs in a Celery task once the transaction commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from customs_portal.errors import ApplicationError
from customs_portal.models import User
from customs_portal.outbox import outbox_enqueue
from declarations import hooks
from declarations.core import precheck, screening, workflow
from declarations.core.models import Declaration, DeclarationLine, DeclarationVersion
from declarations.core.services.actions import Action, declaration_action_check
from declarations.export_control import services as export_control

Status = Declaration.Status


def declaration_taxes_store(*, declaration: Declaration, lines: list[DeclarationLine], taxes: precheck.Taxes) -> None:
    """Writes the taxes the pre-submission check computed on the lines (rate and the code
    of its legal basis) and the declaration's totals."""
    if taxes.duty is None:
        for line, value in zip(lines, taxes.customs_values, strict=True):
            line.customs_value_jpy, line.customs_duty_jpy = value, 0
            line.save(update_fields=["customs_value_jpy", "customs_duty_jpy"])
    else:
        for line, computed in zip(lines, taxes.duty.lines, strict=True):
            line.customs_value_jpy = computed.customs_value_jpy
            line.customs_duty_jpy = computed.customs_duty_jpy
            line.rate_applied = computed.rate[:100]
            line.rate_basis = computed.basis_code[:100]
            line.save(update_fields=["customs_value_jpy", "customs_duty_jpy", "rate_applied", "rate_basis"])
    _store_totals(
        declaration,
        customs_value=taxes.customs_value_jpy,
        duty_jpy=taxes.customs_duty_jpy,
        tax=taxes.consumption_tax_jpy,
        local=taxes.local_consumption_tax_jpy,
    )


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


def declaration_submission_refusal(*, checked: precheck.Precheck) -> ApplicationError | None:
    """The error that refuses a submission with rejecting findings, each under its field
    ("" becomes "declaration"), or None when nothing rejects."""
    if not checked.rejections:
        return None
    fields: dict[str, list[str]] = {}
    for finding in checked.rejections:
        fields.setdefault(finding.field or "declaration", []).append(finding.message)
    return ApplicationError(
        _("The declaration cannot be submitted: %(problems)s")
        % {"problems": " ".join(finding.message for finding in checked.rejections)},
        code="submission_refused",
        fields=fields,
    )


@transaction.atomic(durable=True)
def declaration_submit(*, declaration: Declaration, submitted_by: User, request=None) -> Declaration:
    """Draft → submitted, only when the pre-submission check finds nothing that rejects:
    the taxes it computed are stored, a version frozen, screening queued on commit."""
    from declarations.core import tasks

    # The row is held while it is checked, so what is stored is what was checked, and a
    # second submit of the same draft waits here and then finds it submitted.
    Declaration.objects.select_for_update().get(pk=declaration.pk)
    declaration.refresh_from_db()
    declaration_action_check(declaration=declaration, user=submitted_by, action=Action.SUBMIT)
    checked = precheck.declaration_precheck_run(declaration=declaration)
    refusal = declaration_submission_refusal(checked=checked)
    if refusal is not None:
        raise refusal
    declaration_taxes_store(
        declaration=declaration, lines=list(declaration.lines.order_by("line_no")), taxes=checked.taxes
    )
    declaration_version_freeze(declaration=declaration, by=submitted_by)
    declaration = workflow.declaration_transition(
        declaration=declaration, to=Declaration.Status.SUBMITTED, actor=submitted_by, request=request
    )
    outbox_enqueue(tasks.declaration_screen.name, declaration.pk)
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
    declaration_action_check(declaration=declaration, user=withdrawn_by, action=Action.WITHDRAW)
    return workflow.declaration_transition(
        declaration=declaration, to=Status.WITHDRAWN, actor=withdrawn_by, reason=reason, request=request
    )
