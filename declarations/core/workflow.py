"""The declaration state machine: every status change goes through `declaration_transition`,
which checks the transition and the actor's role against `TRANSITIONS` (through
`DECLARATION_MACHINE`), records the timeline and the audit trail, and tells the trader.

    draft → submitted → screening → green:  awaiting_payment → permitted
                                            (permitted at once when nothing is owed)
                                    yellow: document_review → awaiting_payment | permitted
                                                              | inspection | rejected
                                    red:    inspection → awaiting_payment | permitted | rejected
    any open status before permit → withdrawn (by the trader)
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import Role, User
from customs_portal.notifications import notify_company
from customs_portal.reasons import reasons_stored
from customs_portal.state_machine import StateMachine
from declarations import hooks
from declarations.core import reasons
from declarations.core.models import Declaration, DeclarationStatusChange

Status = Declaration.Status
Lane = Declaration.Lane
SYSTEM = "system"
TRADER = frozenset({Role.TRADER})
CLEARANCE = frozenset({Role.CLEARANCE_OFFICER, Role.SUPERVISOR})
INSPECTION = frozenset({Role.INSPECTION_OFFICER, Role.SUPERVISOR})
SYSTEM_ONLY = frozenset({SYSTEM})

# (from, to) -> who may make that change. Nothing else is allowed.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (Status.DRAFT, Status.SUBMITTED): TRADER,
    (Status.SUBMITTED, Status.SCREENING): SYSTEM_ONLY,
    (Status.SCREENING, Status.AWAITING_PAYMENT): SYSTEM_ONLY,
    (Status.SCREENING, Status.PERMITTED): SYSTEM_ONLY,
    (Status.SCREENING, Status.DOCUMENT_REVIEW): SYSTEM_ONLY,
    (Status.SCREENING, Status.INSPECTION): SYSTEM_ONLY,
    (Status.DOCUMENT_REVIEW, Status.AWAITING_PAYMENT): CLEARANCE,
    (Status.DOCUMENT_REVIEW, Status.PERMITTED): CLEARANCE,
    (Status.DOCUMENT_REVIEW, Status.INSPECTION): CLEARANCE,
    (Status.DOCUMENT_REVIEW, Status.REJECTED): CLEARANCE,
    (Status.INSPECTION, Status.AWAITING_PAYMENT): INSPECTION,
    (Status.INSPECTION, Status.PERMITTED): INSPECTION,
    (Status.INSPECTION, Status.REJECTED): INSPECTION,
    (Status.AWAITING_PAYMENT, Status.PERMITTED): SYSTEM_ONLY,
    # An amendment sends the new version back through screening.
    (Status.SCREENING, Status.SUBMITTED): TRADER,
    (Status.DOCUMENT_REVIEW, Status.SUBMITTED): TRADER,
    (Status.INSPECTION, Status.SUBMITTED): TRADER,
    (Status.AWAITING_PAYMENT, Status.SUBMITTED): TRADER,
    **{
        (status, Status.WITHDRAWN): TRADER
        for status in (
            Status.DRAFT,
            Status.SUBMITTED,
            Status.SCREENING,
            Status.DOCUMENT_REVIEW,
            Status.INSPECTION,
            Status.AWAITING_PAYMENT,
        )
    },
}

DECLARATION_MACHINE = StateMachine(
    statuses=Status,
    roles=TRANSITIONS,
    invalid_message=gettext_lazy("A declaration that is %(current)s cannot become %(target)s."),
    forbidden_message=gettext_lazy("Your role may not move a declaration from %(current)s to %(target)s."),
)

STATUS_TIMESTAMPS = {
    Status.SUBMITTED: "submitted_at",
    Status.PERMITTED: "permitted_at",
    Status.REJECTED: "decided_at",
}


def allowed_targets(*, declaration: Declaration, user: User | None) -> list[str]:
    """The statuses this user may move the declaration to now (for buttons in the UI)."""
    return list(DECLARATION_MACHINE.allowed_targets(declaration.status, role=user.role if user else SYSTEM))


def declaration_transition(
    *,
    declaration: Declaration,
    to: str,
    actor: User | None = None,
    system: str = "",
    reason: str = "",
    request: HttpRequest | None = None,
    notify: bool = True,
    audit_after: dict | None = None,
) -> Declaration:
    """Moves the declaration to `to` if the state machine and the actor's role allow it.

    The row is locked first, so two officers deciding at once cannot both succeed: the
    second sees the new status and is refused. `notify=False` (bulk manifest screening
    only) leaves the trader's notification to the caller, which sends one summary.
    `reason` is seen by the trader (timeline, notification); `audit_after` adds what only
    the audit trail keeps (the screening reasons)."""
    with transaction.atomic():
        locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
        from_status = locked.status
        role = actor.role if actor else SYSTEM
        DECLARATION_MACHINE.check(from_status, to, role=role)
        if actor is not None and actor.is_trader and actor.company_id != locked.company_id:
            raise ApplicationError(_("This declaration belongs to another company."), code="not_found", status=404)
        _apply(locked, to=to, role=role, reason=reason)
        DeclarationStatusChange.objects.create(
            declaration=locked,
            from_status=from_status,
            to_status=to,
            actor=actor,
            actor_label=actor.get_username() if actor else system or SYSTEM,
            reason=reason,
        )
        audit_record(
            action=f"declaration.{to}",
            actor=actor,
            system=system or (SYSTEM if actor is None else ""),
            obj=locked,
            company=locked.company,
            before={"status": from_status, "lane": declaration.lane},
            after={"status": to, "lane": locked.lane, "reason": reason, **(audit_after or {})},
            request=request,
        )
        if notify:
            _notify(locked, reason=reason)
        # Robust: a receiver that fails is logged and never turns the saved transition
        # into an error; the handoff sweep of payments repairs a missed assessment.
        transaction.on_commit(
            lambda: hooks.declaration_status_changed.send(
                sender=Declaration, declaration=locked, from_status=from_status, to_status=to
            ),
            robust=True,
        )
        if to == Status.AWAITING_PAYMENT:
            transaction.on_commit(
                lambda: hooks.declaration_awaiting_payment.send(sender=Declaration, declaration=locked), robust=True
            )
    declaration.refresh_from_db()
    return declaration


OFFICER_DECISION_FROM = (Status.DOCUMENT_REVIEW, Status.INSPECTION)


def _apply(declaration: Declaration, *, to: str, role: str, reason: str) -> None:
    values: dict[str, object] = {}
    timestamp = STATUS_TIMESTAMPS.get(to)
    if timestamp:
        values[timestamp] = timezone.now()
    if declaration.status in OFFICER_DECISION_FROM and to != Status.SUBMITTED:
        values.update(decision_reason=reason, decided_at=timezone.now())
    DECLARATION_MACHINE.transition(declaration, to=to, role=role, **values)


def _notify(declaration: Declaration, *, reason: str) -> None:
    """Tells the trader the new status with what they must do now (documents, goods for
    inspection) or a person's reason; never why screening chose the lane."""
    action = reasons.required_action(declaration)
    notify_company(
        company=declaration.company,
        event="declaration.status_changed",
        code="declaration.status_changed",
        params={
            "number": declaration.number,
            "status": declaration.status,
            "reason": str(reason),
            "required_action": action.code if action else "",
        },
        link=f"/declarations/{declaration.pk}/",
        payload={
            "number": declaration.number,
            "status": declaration.status,
            "lane": declaration.lane,
            "required_action": action.code if action else "",
        },
    )


def owes_nothing(declaration: Declaration) -> bool:
    return declaration.kind == Declaration.Kind.EXPORT or not declaration.total_tax_jpy


def lane_status(declaration: Declaration, lane: str) -> str:
    """Where screening sends a declaration of this lane."""
    if lane == Lane.GREEN:
        return Status.PERMITTED if owes_nothing(declaration) else Status.AWAITING_PAYMENT
    return Status.DOCUMENT_REVIEW if lane == Lane.YELLOW else Status.INSPECTION


@transaction.atomic
def declaration_assign_lane(
    *, declaration: Declaration, decision: hooks.LaneDecision, system: str = "screening", notify: bool = True
) -> Declaration:
    """Routes a declaration in screening to its lane (called by the screening task); the
    lane and the status it leads to are written together or not at all. The reasons are
    kept for officers (as codes) and in the audit trail; the trader's timeline and
    notification get the lane and what to do, not the reasons."""
    screening_reasons = reasons_stored(decision.reasons)
    Declaration.objects.filter(pk=declaration.pk).update(lane=decision.lane, screening_reasons=screening_reasons)
    declaration.refresh_from_db()
    return declaration_transition(
        declaration=declaration,
        to=lane_status(declaration, decision.lane),
        system=f"{system}:{decision.decided_by}",
        notify=notify,
        audit_after={"screening_reasons": screening_reasons},
    )


def declaration_clear(*, declaration: Declaration, officer: User, reason: str, request=None) -> Declaration:
    """An officer finds nothing against the declaration: it is permitted, or waits for payment."""
    to = Status.PERMITTED if owes_nothing(declaration) else Status.AWAITING_PAYMENT
    return declaration_transition(declaration=declaration, to=to, actor=officer, reason=reason, request=request)


def declaration_payment_settled(*, declaration: Declaration, system: str = "payments") -> Declaration:
    """Called by the payments app when the assessment is paid or covered by deferral."""
    return declaration_transition(declaration=declaration, to=Status.PERMITTED, system=system)
