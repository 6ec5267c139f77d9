"""Amendments of submitted declarations (a new frozen version with the taxes computed
again) and the diff between two versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import User
from customs_portal.outbox import outbox_enqueue
from customs_portal.templatetags.portal_format import yen
from declarations.core import precheck, workflow
from declarations.core.models import Declaration, DeclarationLine
from declarations.core.services import submission
from declarations.core.services.actions import Action, declaration_action_check
from declarations.core.services.drafts import (
    HEADER_FIELDS,
    declaration_data_validate,
    declaration_lines_replace,
)
from declarations.tariff import interface as tariff

Status = Declaration.Status


# Snapshot fields holding a choice's value, worded by the choice's label.
CHOICE_FIELDS = {"kind", "transport_mode", "incoterm", "preference", "origin_proof"}
# Snapshot fields holding numbers, compared by value ("10.00" is "10").
NUMBER_FIELDS = {"freight", "insurance", "quantity", "net_weight_kg", "invoice_value"}


@dataclass(frozen=True)
class FieldChange:
    """One changed field: `old` and `new` are the stored values; `label`, `old_text` and
    `new_text` word them in the active language."""

    field: str
    old: Any
    new: Any
    scope: str = "header"  # "header" or "line"

    @property
    def label(self) -> str:
        model = Declaration if self.scope == "header" else DeclarationLine
        try:
            return str(capfirst(model._meta.get_field(self.field).verbose_name))
        except FieldDoesNotExist:
            return self.field

    @property
    def old_text(self) -> str:
        return snapshot_value_text(self.field, self.old, scope=self.scope)

    @property
    def new_text(self) -> str:
        return snapshot_value_text(self.field, self.new, scope=self.scope)


def snapshot_value_text(name: str, value: Any, *, scope: str = "header") -> str:
    """A snapshot value as a person reads it: yen with separators, a choice by its label,
    the legal basis and a free rate in the active language."""
    if value is None or value == "":
        return "—"
    if name.endswith("_jpy"):
        return yen(value)
    if name == "rate_basis":
        return tariff.basis_label(str(value))
    if name == "rate_applied":
        return tariff.rate_label(str(value))
    if name in NUMBER_FIELDS:
        number = _number(value)
        return f"{number.normalize():,f}" if number is not None else str(value)
    if name in CHOICE_FIELDS:
        model = Declaration if scope == "header" else DeclarationLine
        choices = dict(model._meta.get_field(name).flatchoices)
        return str(choices.get(value, value))
    return str(value)


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _same(name: str, old: Any, new: Any) -> bool:
    """Equal values, whatever their representation: numbers by value, an empty text as none."""
    if old in (None, "") and new in (None, ""):
        return True
    if name in NUMBER_FIELDS or name.endswith("_jpy"):
        old_number, new_number = _number(old), _number(new)
        if old_number is not None and new_number is not None:
            return old_number == new_number
    return old == new


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
    """Field by field what really changed between two snapshots
    (`submission.declaration_snapshot`); lines are matched by their line number."""
    old_header, new_header = old.get("header", {}), new.get("header", {})
    header = [
        FieldChange(name, old_header.get(name), new_header.get(name))
        for name in dict.fromkeys([*old_header, *new_header])
        if not _same(name, old_header.get(name), new_header.get(name))
    ]
    old_lines = {line["line_no"]: line for line in old.get("lines", [])}
    new_lines = {line["line_no"]: line for line in new.get("lines", [])}
    lines = []
    for line_no in sorted(old_lines.keys() | new_lines.keys()):
        before, after = old_lines.get(line_no), new_lines.get(line_no)
        if before is None:
            lines.append(LineChange(line_no, "added", [FieldChange(k, None, v, "line") for k, v in after.items()]))
        elif after is None:
            lines.append(LineChange(line_no, "removed", [FieldChange(k, v, None, "line") for k, v in before.items()]))
        else:
            changed = [
                FieldChange(k, before.get(k), after.get(k), "line")
                for k in after
                if not _same(k, before.get(k), after.get(k))
            ]
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
    declaration_lines_replace(locked, lines)
    # The new version meets the checks a submission meets, and stores the taxes they computed.
    checked = precheck.declaration_precheck_run(declaration=locked)
    refusal = submission.declaration_submission_refusal(checked=checked)
    if refusal is not None:
        raise refusal
    submission.declaration_taxes_store(
        declaration=locked, lines=list(locked.lines.order_by("line_no")), taxes=checked.taxes
    )
    return submission.declaration_snapshot(locked)


def _amendable(declaration: Declaration, user: User) -> None:
    declaration_action_check(declaration=declaration, user=user, action=Action.AMEND)


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
    from declarations.core import tasks

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
    outbox_enqueue(tasks.declaration_screen.name, locked.pk)
    declaration.refresh_from_db()
    return declaration
