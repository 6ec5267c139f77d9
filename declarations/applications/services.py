"""Digitised applications: duty reduction/exemption applications
(減免税) and IP-rights import suspension applications (輸入差止申立て).

Both share one life cycle, with the allowed changes and who may make them in
`TRANSITIONS` (checked and applied by `APPLICATION_MACHINE`):

    draft → submitted → under_review → approved | rejected
                      ↘ approved | rejected   (an officer may decide at once)
    draft, submitted, under_review → withdrawn (by the trader)

Every change is locked, audited, and told to the company (notify_company) when an
officer made it. What a user may do with an application now is
`application_allowed_actions`: the pages and the API show it, and every write here
refuses an action it does not list. Reads (permission-aware) are at the end of this
module.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customs_portal import documents
from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import Role, User
from customs_portal.notifications import notify_company
from customs_portal.state_machine import StateMachine
from declarations.applications.models import (
    ApplicationStatus,
    DutyReliefApplication,
    IpSuspensionApplication,
    IpSuspensionEvidence,
)
from declarations.core.models import Declaration

Status = ApplicationStatus
Application = DutyReliefApplication | IpSuspensionApplication

TRADER = frozenset({Role.TRADER})
DECIDERS = frozenset({Role.CLEARANCE_OFFICER, Role.SUPERVISOR})
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (Status.DRAFT, Status.SUBMITTED): TRADER,
    (Status.SUBMITTED, Status.UNDER_REVIEW): DECIDERS,
    (Status.SUBMITTED, Status.APPROVED): DECIDERS,
    (Status.SUBMITTED, Status.REJECTED): DECIDERS,
    (Status.UNDER_REVIEW, Status.APPROVED): DECIDERS,
    (Status.UNDER_REVIEW, Status.REJECTED): DECIDERS,
    (Status.DRAFT, Status.WITHDRAWN): TRADER,
    (Status.SUBMITTED, Status.WITHDRAWN): TRADER,
    (Status.UNDER_REVIEW, Status.WITHDRAWN): TRADER,
}
APPLICATION_MACHINE = StateMachine(
    statuses=Status,
    roles=TRANSITIONS,
    invalid_message=gettext_lazy("An application that is %(current)s cannot become %(target)s."),
    forbidden_message=gettext_lazy("Your role may not move an application from %(current)s to %(target)s."),
)
OPEN_FOR_OFFICERS = (Status.SUBMITTED, Status.UNDER_REVIEW)
# Customs accepts a suspension application for at most four years at a time.
MAX_SUSPENSION_YEARS = 4
KINDS: dict[str, type[models.Model]] = {"relief": DutyReliefApplication, "ip": IpSuspensionApplication}
NUMBER_PREFIX = {DutyReliefApplication: "DR", IpSuspensionApplication: "IP"}

DUTY_RELIEF_FIELDS = ("provision", "goods_description", "declaration", "amount_claimed_jpy", "reason")
IP_SUSPENSION_FIELDS = (
    "right_holder",
    "right_type",
    "registration_number",
    "goods_description",
    "identification",
    "valid_from",
    "valid_until",
)


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid", fields={field: [message]})


def _check_trader(user: User) -> None:
    if not user.is_trader or user.company_id is None:
        raise ApplicationError(
            _("Only trader accounts of a company may file applications."), code="permission_denied", status=403
        )


# The action that moves an application to each status.
TARGET_ACTIONS = {
    Status.SUBMITTED: "submit",
    Status.WITHDRAWN: "withdraw",
    Status.UNDER_REVIEW: "review",
    Status.APPROVED: "decide",
    Status.REJECTED: "decide",
}
EDITABLE = (Status.DRAFT,)
# Evidence may be added until an officer starts the review.
ATTACHABLE = (Status.DRAFT, Status.SUBMITTED)


def application_allowed_actions(*, application: Application, user: User) -> list[str]:
    """What this user may do with the application now, among "edit", "attach" (evidence
    of an IP application), "submit", "withdraw", "review" (start the review) and
    "decide" (approve or reject). Traders act on their own company's applications only;
    which role may move an application where is `TRANSITIONS`."""
    if user.is_trader and user.company_id != application.company_id:
        return []
    actions = []
    if user.is_trader and application.status in EDITABLE:
        actions.append("edit")
    if user.is_trader and isinstance(application, IpSuspensionApplication) and application.status in ATTACHABLE:
        actions.append("attach")
    for target in APPLICATION_MACHINE.allowed_targets(application.status, role=user.role):
        if TARGET_ACTIONS[target] not in actions:
            actions.append(TARGET_ACTIONS[target])
    return actions


def _require_action(action: str, *, application: Application, user: User) -> None:
    """Refuses an action `application_allowed_actions` does not list for this user: 403
    when the user's role never takes it, 409 when the application's status forbids it."""
    if action in application_allowed_actions(application=application, user=user):
        return
    if user.is_trader and user.company_id != application.company_id:
        raise ApplicationError(_("This application belongs to another company."), code="not_found", status=404)
    status = 409 if action in _actions_of_role(user) else 403
    label = Status(application.status).label
    if action == "edit":
        raise ApplicationError(_("Only a draft can be edited."), code="not_editable", status=status)
    if action == "attach":
        message = _("Evidence can no longer be added to an application that is %(status)s.") % {"status": label}
        raise ApplicationError(message, code="not_attachable", status=status)
    message = _("This action is not possible for an application that is %(status)s.") % {"status": label}
    raise ApplicationError(message, code="action_not_allowed", status=status)


def _actions_of_role(user: User) -> set[str]:
    """The actions the user's role may take on an application in some status."""
    actions = {TARGET_ACTIONS[to] for (_from, to), roles in TRANSITIONS.items() if user.role in roles}
    return actions | ({"edit", "attach"} if user.is_trader else set())


def _new_number(model: type[models.Model]) -> str:
    return f"{NUMBER_PREFIX[model]}-{timezone.localdate():%Y%m%d}-{secrets.token_hex(4).upper()}"


# --- Writes ----------------------------------------------------------------------------


def _duty_relief_validate(*, applicant: User, data: dict[str, Any]) -> dict[str, Any]:
    if data.get("provision") not in DutyReliefApplication.Provision.values:
        raise _invalid("provision", _("Choose the legal provision claimed."))
    amount = data.get("amount_claimed_jpy")
    if not isinstance(amount, int) or amount <= 0:
        raise _invalid("amount_claimed_jpy", _("The amount claimed is a positive number of yen."))
    if amount > 10**12:
        raise _invalid("amount_claimed_jpy", _("The amount claimed is implausibly large; check it."))
    for name in ("goods_description", "reason"):
        if not str(data.get(name) or "").strip():
            raise _invalid(name, _("This field is required."))
    declaration = data.get("declaration")
    if declaration is not None and (
        not isinstance(declaration, Declaration) or declaration.company_id != applicant.company_id
    ):
        raise _invalid("declaration", _("Choose one of your company's declarations."))
    return {name: data.get(name) for name in DUTY_RELIEF_FIELDS}


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _ip_suspension_validate(*, data: dict[str, Any]) -> dict[str, Any]:
    if data.get("right_type") not in IpSuspensionApplication.RightType.values:
        raise _invalid("right_type", _("Choose the kind of right."))
    for name in ("right_holder", "goods_description", "identification"):
        if not str(data.get(name) or "").strip():
            raise _invalid(name, _("This field is required."))
    start, end = data.get("valid_from"), data.get("valid_until")
    if not isinstance(start, date) or not isinstance(end, date):
        raise _invalid("valid_until", _("Give the period the suspension should apply."))
    if end < start:
        raise _invalid("valid_until", _("The period ends before it starts."))
    if end > _years_after(start, MAX_SUSPENSION_YEARS):
        raise _invalid(
            "valid_until",
            _("A suspension application covers at most %(years)d years.") % {"years": MAX_SUSPENSION_YEARS},
        )
    values = {name: data.get(name) for name in IP_SUSPENSION_FIELDS}
    values["registration_number"] = str(values["registration_number"] or "").strip()
    return values


def _validate(model: type[models.Model], *, applicant: User, data: dict[str, Any]) -> dict[str, Any]:
    if model is DutyReliefApplication:
        return _duty_relief_validate(applicant=applicant, data=data)
    return _ip_suspension_validate(data=data)


@transaction.atomic
def application_create(
    *, kind: str, applicant: User, data: dict[str, Any], request: HttpRequest | None = None
) -> Application:
    """A new draft of `kind` ("relief" or "ip") for the applicant's company."""
    _check_trader(applicant)
    model = KINDS[kind]
    values = _validate(model, applicant=applicant, data=data)
    application = model.objects.create(
        number=_new_number(model), company_id=applicant.company_id, applicant=applicant, **values
    )
    audit_record(
        action=f"{model._meta.model_name}.created",
        actor=applicant,
        obj=application,
        company=applicant.company,
        after={"number": application.number},
        request=request,
    )
    return application


@transaction.atomic
def application_update(
    *, application: Application, updated_by: User, data: dict[str, Any], request: HttpRequest | None = None
) -> Application:
    """Changes a draft; once submitted, an application is no longer edited."""
    _check_trader(updated_by)
    locked = _locked(application, user=updated_by)
    _require_action("edit", application=locked, user=updated_by)
    values = _validate(type(locked), applicant=updated_by, data=data)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*values, "updated_at"])
    audit_record(action=f"{locked._meta.model_name}.updated", actor=updated_by, obj=locked, request=request)
    application.refresh_from_db()
    return application


def _locked(application: Application, *, user: User) -> Application:
    locked = type(application).objects.select_for_update().get(pk=application.pk)
    if user.is_trader and locked.company_id != user.company_id:
        raise ApplicationError(_("This application belongs to another company."), code="not_found", status=404)
    return locked


@transaction.atomic
def ip_evidence_add(
    *, application: IpSuspensionApplication, file: UploadedFile, uploaded_by: User, request: HttpRequest | None = None
) -> IpSuspensionEvidence:
    """Stores a PDF, JPEG or PNG of at most 10 MB, recognised by its content, while the
    application is a draft or submitted (not yet under review)."""
    _check_trader(uploaded_by)
    locked = _locked(application, user=uploaded_by)
    _require_action("attach", application=locked, user=uploaded_by)
    document = documents.document_check(file=file, default_name="evidence")
    evidence = IpSuspensionEvidence(application=locked, uploaded_by=uploaded_by)
    documents.document_store(evidence, document)
    audit_record(
        action="ipsuspensionapplication.evidence_added",
        actor=uploaded_by,
        obj=locked,
        after={"evidence": evidence.pk, "name": document.name, "sha256": evidence.sha256},
        request=request,
    )
    return evidence


def application_transition(
    *,
    application: Application,
    to: str,
    actor: User,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Application:
    """Moves the application to `to` if the life cycle and the actor's role allow it.
    The row is locked, so two officers deciding at once cannot both succeed."""
    with transaction.atomic():
        locked = _locked(application, user=actor)
        from_status = locked.status
        # The role is checked before the status: whoever may never take the action
        # hears so (403), not that the application has moved on (409).
        _require_action(TARGET_ACTIONS[to], application=locked, user=actor)
        APPLICATION_MACHINE.check(from_status, to, role=actor.role)
        decision = to in (Status.APPROVED, Status.REJECTED)
        if decision and not reason.strip():
            raise _invalid("reason", _("Give the reason for the decision."))
        if to == Status.SUBMITTED and isinstance(locked, IpSuspensionApplication) and not locked.evidence.exists():
            raise _invalid("file", _("Attach at least one evidence file (PDF, JPEG or PNG) before submitting."))
        values: dict[str, Any] = {}
        if to == Status.SUBMITTED:
            values["submitted_at"] = timezone.now()
        if decision:
            values.update(decision_reason=reason.strip(), decided_by=actor, decided_at=timezone.now())
        APPLICATION_MACHINE.transition(locked, to=to, role=actor.role, **values)
        audit_record(
            action=f"{locked._meta.model_name}.{to}",
            actor=actor,
            obj=locked,
            company=locked.company,
            before={"status": from_status},
            after={"status": to, "reason": reason.strip()},
            request=request,
        )
        if actor.is_officer:
            kind = "relief" if isinstance(locked, DutyReliefApplication) else "ip"
            notify_company(
                company=locked.company,
                event="application.status_changed",
                code="application.status_changed",
                params={"number": locked.number, "status": to, "reason": reason.strip()},
                link=f"/applications/{kind}/{locked.pk}/",
                payload={"number": locked.number, "status": to},
            )
    application.refresh_from_db()
    return application


def application_submit(*, application: Application, submitted_by: User, request=None) -> Application:
    return application_transition(application=application, to=Status.SUBMITTED, actor=submitted_by, request=request)


def application_withdraw(
    *, application: Application, withdrawn_by: User, reason: str = "", request=None
) -> Application:
    return application_transition(
        application=application, to=Status.WITHDRAWN, actor=withdrawn_by, reason=reason, request=request
    )


def application_review_start(*, application: Application, officer: User, request=None) -> Application:
    return application_transition(application=application, to=Status.UNDER_REVIEW, actor=officer, request=request)


def application_decide(
    *, application: Application, officer: User, approve: bool, reason: str, request=None
) -> Application:
    """The officer's decision, with the reason the trader will read."""
    return application_transition(
        application=application,
        to=Status.APPROVED if approve else Status.REJECTED,
        actor=officer,
        reason=reason,
        request=request,
    )


# --- Reads -----------------------------------------------------------------------------


def application_list_for_user(*, kind: str, user: User, status: str = "") -> QuerySet:
    """A trader's own company's applications; for officers, every company's except drafts."""
    model = KINDS[kind]
    applications = model.objects.select_related("company", "applicant")
    if user.is_officer:
        applications = applications.exclude(status=Status.DRAFT)
    elif user.is_trader:
        applications = applications.filter(company_id=user.company_id)
    else:
        return model.objects.none()
    if status:
        applications = applications.filter(status=status)
    return applications.order_by("-created_at", "-id")


def application_queue(*, kind: str, user: User) -> QuerySet:
    """The officers' queue: submitted and under review, oldest submission first."""
    if not user.is_officer:
        return KINDS[kind].objects.none()
    return (
        KINDS[kind]
        .objects.select_related("company", "applicant")
        .filter(status__in=OPEN_FOR_OFFICERS)
        .order_by("submitted_at", "id")
    )


def application_queue_count(user: User) -> int:
    return sum(application_queue(kind=kind, user=user).count() for kind in KINDS)


def application_get_for_user(*, kind: str, user: User, application_id: int) -> Application:
    """The application if the user may see it; Http404 otherwise (another company's
    application, or a draft for an officer)."""
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    application = application_list_for_user(kind=kind, user=user).filter(pk=application_id).first()
    if application is None:
        raise Http404
    return application
