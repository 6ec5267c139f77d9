"""What a user may do with a declaration now. Pages show a button only for an action
listed here, the API returns the list as `allowed_actions`, and each service checks its
action here first, so the page, the API and the service cannot disagree."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customs_portal.errors import ApplicationError
from customs_portal.models import User
from declarations.core import workflow
from declarations.core.models import Declaration

Status = Declaration.Status

# Statuses in which the trader may send a new version. SUBMITTED has no transition back
# to itself: the screening still to come simply screens the new version.
AMENDABLE = (Status.SUBMITTED, Status.SCREENING, Status.DOCUMENT_REVIEW, Status.INSPECTION, Status.AWAITING_PAYMENT)
ATTACHABLE = (Status.DRAFT, *AMENDABLE)


class Action:
    EDIT = "edit"
    PRECHECK = "precheck"
    SUBMIT = "submit"
    AMEND = "amend"
    ATTACH = "attach"
    WITHDRAW = "withdraw"
    DECIDE = "decide"
    ALL = (EDIT, PRECHECK, SUBMIT, AMEND, ATTACH, WITHDRAW, DECIDE)


# The error code a refused action answers with, and what it says.
REFUSALS = {
    Action.EDIT: ("not_a_draft", gettext_lazy("Only a draft can be edited; send an amendment instead.")),
    Action.PRECHECK: ("not_a_draft", gettext_lazy("Only a draft is checked before submission.")),
    Action.SUBMIT: ("transition_not_allowed", gettext_lazy("A declaration that is %(status)s cannot be submitted.")),
    Action.AMEND: ("not_amendable", gettext_lazy("A declaration that is %(status)s cannot be amended.")),
    Action.ATTACH: (
        "not_attachable",
        gettext_lazy("Documents can no longer be added to a declaration that is %(status)s."),
    ),
    Action.WITHDRAW: ("transition_not_allowed", gettext_lazy("A declaration that is %(status)s cannot be withdrawn.")),
    Action.DECIDE: ("transition_not_allowed", gettext_lazy("A declaration that is %(status)s awaits no decision.")),
}

# Actions only the declaration's own traders take; officers may also run the pre-submission check.
TRADER_ACTIONS = (Action.EDIT, Action.SUBMIT, Action.AMEND, Action.ATTACH, Action.WITHDRAW)


def _is_own(declaration: Declaration, user: User) -> bool:
    return user.is_trader and user.company_id == declaration.company_id


def declaration_allowed_actions(*, declaration: Declaration, user: User) -> list[str]:
    """The actions this user may take on the declaration now, in the order of `Action.ALL`."""
    targets = set(workflow.allowed_targets(declaration=declaration, user=user))
    status = declaration.status
    own = _is_own(declaration, user)
    allowed = {
        Action.EDIT: own and status == Status.DRAFT,
        Action.PRECHECK: (own or user.is_officer) and status == Status.DRAFT,
        Action.SUBMIT: own and status == Status.DRAFT and Status.SUBMITTED in targets,
        Action.AMEND: own and status in AMENDABLE,
        Action.ATTACH: own and status in ATTACHABLE,
        Action.WITHDRAW: own and Status.WITHDRAWN in targets,
        Action.DECIDE: user.is_officer and bool(targets - {Status.SUBMITTED, Status.WITHDRAWN}),
    }
    return [action for action in Action.ALL if allowed[action]]


def declaration_action_check(*, declaration: Declaration, user: User, action: str) -> None:
    """Raises ApplicationError unless `user` may take `action` now: 404 for another
    company's declaration, 403 for a role that never may, 409 for a status that does not allow it."""
    if user.is_trader and user.company_id != declaration.company_id:
        raise ApplicationError(_("This declaration belongs to another company."), code="not_found", status=404)
    if action in declaration_allowed_actions(declaration=declaration, user=user):
        return
    # An officer whose role does not decide at this step (an inspection officer at a
    # document review) is refused like any other role that may not.
    deciding_step = declaration.status in workflow.OFFICER_DECISION_FROM
    if (action in TRADER_ACTIONS and not user.is_trader) or (
        action == Action.DECIDE and (not user.is_officer or deciding_step)
    ):
        raise ApplicationError(_("Your role may not do this with a declaration."), code="permission_denied", status=403)
    code, message = REFUSALS[action]
    raise ApplicationError(
        str(message) % {"status": Status(declaration.status).label},
        code=code,
        status=409,
    )
