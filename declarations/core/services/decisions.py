"""Officers' decisions on a declaration under document review or inspection."""

from __future__ import annotations

from django.utils.translation import gettext as _

from customs_portal.errors import ApplicationError
from customs_portal.models import User
from declarations.core import workflow
from declarations.core.models import Declaration
from declarations.core.services.actions import Action, declaration_action_check

Status = Declaration.Status


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
    declaration_action_check(declaration=declaration, user=officer, action=Action.DECIDE)
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
