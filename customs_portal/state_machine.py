"""One helper for every model whose `status` follows a life cycle.

Each app declares its table once, next to the service that changes the status, and
every change goes through it:

    REFUND_MACHINE = StateMachine(
        statuses=Refund.Status,
        transitions={Refund.Status.AWAITING_APPROVAL: (Refund.Status.SUCCEEDED, Refund.Status.REJECTED)},
        invalid_message=gettext_lazy("A refund that is %(current)s cannot become %(target)s."),
    )
    REFUND_MACHINE.transition(refund, to=Refund.Status.REJECTED, decided_at=timezone.now())

A table may instead say who may make each change, as (from, to) -> roles; then the
allowed transitions are exactly its keys, and `check` and `transition` need the role
of whoever asks:

    StateMachine(statuses=Status, roles={(Status.DRAFT, Status.SUBMITTED): {Role.TRADER}}, ...)

The machine checks and writes; the caller still owns the row lock (select_for_update),
the transaction, the audit record and the side effects, which differ from model to
model. A refused change raises `ApplicationError` with the machine's message, rendered
in the active language with the labels of both statuses.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise

from customs_portal.errors import ApplicationError


class StateMachine:
    """The allowed status changes of one model, and the one way to make them.

    `invalid_message` and `forbidden_message` are translatable strings (gettext_lazy)
    with %(current)s and %(target)s placeholders."""

    def __init__(
        self,
        *,
        statuses: type[models.TextChoices],
        transitions: Mapping[str, Iterable[str]] | None = None,
        roles: Mapping[tuple[str, str], Collection[str]] | None = None,
        invalid_message: str | Promise,
        invalid_code: str = "transition_not_allowed",
        invalid_status: int = 409,
        forbidden_message: str | Promise | None = None,
        forbidden_code: str = "permission_denied",
        forbidden_status: int = 403,
    ) -> None:
        if (transitions is None) == (roles is None):
            raise TypeError("Give the transitions either as from -> targets or as (from, to) -> roles.")
        if roles is not None and forbidden_message is None:
            raise TypeError("A machine that checks roles needs a forbidden_message.")
        self.statuses = statuses
        self.roles = {pair: frozenset(who) for pair, who in roles.items()} if roles is not None else None
        pairs = self.roles if self.roles is not None else [(frm, to) for frm, tos in transitions.items() for to in tos]
        self._targets: dict[str, tuple[str, ...]] = {}
        for frm, to in pairs:
            unknown = {frm, to} - set(statuses.values)
            if unknown:
                raise ValueError(f"{sorted(unknown)} are not statuses of {statuses.__qualname__}.")
            if to not in self._targets.setdefault(frm, ()):
                self._targets[frm] += (to,)
        self.invalid_message = invalid_message
        self.invalid_code = invalid_code
        self.invalid_status = invalid_status
        self.forbidden_message = forbidden_message
        self.forbidden_code = forbidden_code
        self.forbidden_status = forbidden_status

    def allowed_targets(self, current: str, *, role: str | None = None) -> tuple[str, ...]:
        """The statuses `current` may become, in the table's order; with a role, only
        those that role may choose (for the buttons of a page)."""
        if self.roles is None and role is not None:
            raise TypeError("This machine has no roles; a role would be ignored.")
        targets = self._targets.get(current, ())
        if role is None:
            return targets
        return tuple(to for to in targets if role in self.roles[(current, to)])

    def can(self, current: str, target: str, *, role: str | None = None) -> bool:
        return target in self.allowed_targets(current, role=role)

    def check(self, current: str, target: str, *, role: str | None = None) -> None:
        """Raises ApplicationError unless `current` may become `target` (and, for a
        machine with roles, unless `role` may make that change)."""
        if self.roles is not None and role is None:
            raise TypeError("This machine checks roles: pass the role of whoever makes the change.")
        if self.roles is None and role is not None:
            raise TypeError("This machine has no roles; a role would be ignored.")
        if target not in self._targets.get(current, ()):
            raise self._error(self.invalid_message, self.invalid_code, self.invalid_status, current, target)
        if self.roles is not None and role not in self.roles[(current, target)]:
            raise self._error(self.forbidden_message, self.forbidden_code, self.forbidden_status, current, target)

    def transition(self, instance: models.Model, /, *, to: str, role: str | None = None, **values: Any) -> str:
        """Checks, sets `status` and the other `values` on the instance, and saves only
        those fields (and any auto_now field, such as updated_at). Returns the status
        it had before. The caller holds the row (locked with select_for_update, or
        claimed), so the status checked is the one stored."""
        previous = instance.status
        self.check(previous, to, role=role)
        instance.status = to
        for name, value in values.items():
            setattr(instance, name, value)
        stamped = [field.name for field in instance._meta.concrete_fields if getattr(field, "auto_now", False)]
        instance.save(update_fields=list(dict.fromkeys(["status", *values, *stamped])))
        return previous

    def claim(self, queryset: models.QuerySet, *, to: str, **values: Any) -> int:
        """The conditional update of a claim: moves the rows of `queryset` whose status
        may become `to`, in one UPDATE, and returns how many it moved (0 means another
        worker has them). For machines without roles: a claim is made by the system."""
        if self.roles is not None:
            raise TypeError("A machine with roles checks who asks: use transition().")
        sources = [frm for frm, targets in self._targets.items() if to in targets]
        stamped = {
            field.name: timezone.now()
            for field in queryset.model._meta.concrete_fields
            if getattr(field, "auto_now", False)
        }
        return queryset.filter(status__in=sources).update(status=to, **{**stamped, **values})

    def _label(self, status: str) -> str:
        try:
            return self.statuses(status).label
        except ValueError:
            return status

    def _error(self, message: str | Promise, code: str, status: int, current: str, target: str) -> ApplicationError:
        text = message % {"current": self._label(current), "target": self._label(target)}
        return ApplicationError(str(text), code=code, status=status)
