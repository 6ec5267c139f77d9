"""Every write of the payments app. Status changes of assessments, payments and
refunds go through their machines in `payments.states`."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_portal import bulk
from customs_portal.audit import SystemEvent, audit_record, audit_record_many
from customs_portal.errors import ApplicationError
from customs_portal.models import Role, User
from customs_portal.notifications import notify_company
from customs_portal.outbox import outbox_enqueue
from customs_portal.permissions import FINANCE_OFFICER
from declarations.models import Declaration
from declarations.travellers.models import Kiosk, KioskDecision, Lane, TravellerDeclaration
from declarations.travellers.services import traveller_choose_desk, traveller_duty_paid
from payments import ledger
from payments.failures import failure_from_gateway
from payments.models import Assessment, DeferralApproval, GatewayEvent, PaymentIntent, Receipt, Refund
from payments.providers import GatewayStatus, ProviderError, provider_configured, provider_for
from payments.states import ASSESSMENT_MACHINE, PAYMENT_MACHINE, REFUND_MACHINE, AStatus, PStatus, RStatus
from xray.parcels.models import Parcel
from xray.parcels.services import parcel_duty_compute

logger = logging.getLogger(__name__)
SYSTEM = "payments"


def _transition(
    payment: PaymentIntent,
    *,
    to: str,
    actor: User | None = None,
    system: str = SYSTEM,
    request: HttpRequest | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Moves a locked payment to `to` and records it; the caller holds the row lock."""
    before = PAYMENT_MACHINE.transition(payment, to=to, **(extra or {}))
    audit_record(
        action=f"payment.{to}",
        actor=actor,
        system="" if actor else system,
        obj=payment,
        company=payment.company,
        before={"status": before},
        after={"status": to, **{k: str(v) for k, v in (extra or {}).items()}},
        request=request,
    )


# --- What a user may do ------------------------------------------------------------
# The pages and the API show only these actions; the services below refuse the rest.


def _is_payer(user: User, company_id: int | None) -> bool:
    """A trader of the company that owes: the only one who pays, defers or cancels."""
    return bool(user.is_trader and user.company_id is not None and user.company_id == company_id)


def _kiosk_decided(user: User, traveller_declaration_id: int | None) -> bool:
    """Whether `user` is the service user of the kiosk whose decision left this
    traveller's duty to pay (another kiosk only ever sends that traveller to the desk)."""
    return bool(
        traveller_declaration_id
        and user.role == Role.KIOSK
        and user.is_active
        and KioskDecision.objects.filter(
            kiosk__user=user,
            kiosk__revoked_at__isnull=True,
            declaration_id=traveller_declaration_id,
            lane=Lane.GATE,
            duty_jpy__gt=0,
        ).exists()
    )


def _may_pay(user: User, assessment: Assessment) -> bool:
    """A traveller's duty is paid through the kiosk that assessed it; anything else by a
    trader of the company that owes."""
    if assessment.kind == Assessment.Kind.TRAVELLER:
        return _kiosk_decided(user, assessment.traveller_declaration_id)
    return _is_payer(user, assessment.company_id)


def assessment_allowed_actions(*, assessment: Assessment, user: User) -> list[str]:
    """For the payer of an open assessment with no payment in flight: "pay", and "defer"
    for a declaration of a company approved for deferred payment. A list selector may
    annotate `has_open_payment` and `deferral_approved` to spare the queries."""
    if not _is_payer(user, assessment.company_id) or assessment.status != AStatus.OPEN:
        return []
    actions = []
    has_open_payment = getattr(assessment, "has_open_payment", None)
    if has_open_payment is None:
        has_open_payment = assessment.payments.filter(status__in=PaymentIntent.OPEN_STATUSES).exists()
    if not has_open_payment:
        actions.append("pay")
    if assessment.kind == Assessment.Kind.DECLARATION:
        approved = getattr(assessment, "deferral_approved", None)
        if approved is None:
            approved = DeferralApproval.objects.filter(company_id=assessment.company_id, is_active=True).exists()
        if approved and not has_open_payment:
            actions.append("defer")
    return actions


def payment_allowed_actions(*, payment: PaymentIntent, user: User) -> list[str]:
    """For the payer of an open payment: "continue" (back to the gateway's page while it
    is valid) and "cancel"; for a finance officer while money remains: "refund"; for the
    payer and officers once it is issued: "receipt"."""
    actions = []
    payer = _is_payer(user, payment.company_id)
    if payer and payment.status in PaymentIntent.OPEN_STATUSES:
        if payment.redirect_url and payment.expires_at > timezone.now():
            actions.append("continue")
        actions.append("cancel")
    if user.role in FINANCE_OFFICER and payment.refundable_jpy > 0:
        actions.append("refund")
    if (payer or user.is_officer) and _has_receipt(payment):
        actions.append("receipt")
    return actions


def _has_receipt(payment: PaymentIntent) -> bool:
    try:
        return payment.receipt is not None
    except Receipt.DoesNotExist:
        return False


def refund_allowed_actions(*, refund: Refund, user: User) -> list[str]:
    """For a supervisor other than the requester, while the refund awaits approval:
    "approve" and "reject"."""
    if (
        refund.status == RStatus.AWAITING_APPROVAL
        and user.role == Role.SUPERVISOR
        and refund.requested_by_id != user.pk
    ):
        return ["approve", "reject"]
    return []


# --- Assessments -------------------------------------------------------------------


def assessment_create_for_declaration(*, declaration: Declaration) -> Assessment:
    """The taxes a cleared import declaration owes, with its due date. Idempotent: a
    declaration has one assessment however often this runs."""
    existing = Assessment.objects.filter(declaration=declaration).first()
    if existing is not None:
        return existing
    duty = declaration.customs_duty_jpy or 0
    consumption = declaration.consumption_tax_jpy or 0
    local = declaration.local_consumption_tax_jpy or 0
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                kind=Assessment.Kind.DECLARATION,
                reference=f"AS-{declaration.number}",
                declaration=declaration,
                company=declaration.company,
                customs_duty_jpy=duty,
                consumption_tax_jpy=consumption,
                local_consumption_tax_jpy=local,
                total_jpy=duty + consumption + local,
                due_date=timezone.localdate() + timedelta(days=settings.PAYMENTS_DUE_DAYS),
            )
            if assessment.total_jpy:
                ledger.post_assessment(assessment=assessment)
            audit_record(
                action="assessment.created",
                system=SYSTEM,
                obj=assessment,
                company=declaration.company,
                after={"total_jpy": assessment.total_jpy, "due_date": assessment.due_date.isoformat()},
            )
    except IntegrityError:
        return Assessment.objects.get(declaration=declaration)
    if declaration.source == declaration.Source.MANIFEST:
        # A manifest brings thousands of parcels: its one screening summary tells the
        # trader what is owed, instead of one message per parcel.
        return assessment
    notify_company(
        company=declaration.company,
        event="payment.assessment_created",
        code="payment.assessment_created",
        params={"total_jpy": assessment.total_jpy, "number": declaration.number},
        link=f"/payments/assessments/{assessment.pk}/pay/",
        payload={"assessment": assessment.reference, "total_jpy": assessment.total_jpy},
    )
    return assessment


def assessments_create_for_declarations(*, declarations: list[Declaration]) -> list[Assessment]:
    """`assessment_create_for_declaration` for many cleared parcels at once (bulk
    manifest screening): the assessments, their ledger entries and audit records in bulk
    inserts, in the caller's transaction. A declaration that has an assessment already
    keeps it; no message per declaration (the manifest's one summary tells the trader).
    Returns the assessments created."""
    have = set(
        Assessment.objects.filter(declaration_id__in=[d.pk for d in declarations]).values_list(
            "declaration_id", flat=True
        )
    )
    due_date = timezone.localdate() + timedelta(days=settings.PAYMENTS_DUE_DAYS)
    todo = [declaration for declaration in declarations if declaration.pk not in have]
    assessments = [
        Assessment(
            pk=pk,
            kind=Assessment.Kind.DECLARATION,
            reference=f"AS-{declaration.number}",
            declaration_id=declaration.pk,
            company_id=declaration.company_id,
            customs_duty_jpy=declaration.customs_duty_jpy or 0,
            consumption_tax_jpy=declaration.consumption_tax_jpy or 0,
            local_consumption_tax_jpy=declaration.local_consumption_tax_jpy or 0,
            total_jpy=(declaration.customs_duty_jpy or 0)
            + (declaration.consumption_tax_jpy or 0)
            + (declaration.local_consumption_tax_jpy or 0),
            due_date=due_date,
        )
        for pk, declaration in zip(bulk.ids_take(Assessment, len(todo)), todo, strict=True)
    ]
    varying = ["id", "reference", "declaration_id", "company_id", "customs_duty_jpy", "consumption_tax_jpy",
               "local_consumption_tax_jpy", "total_jpy"]  # fmt: skip
    bulk.Copier(Assessment, Assessment(kind=Assessment.Kind.DECLARATION, due_date=due_date), varying=varying,
                with_pk=True).copy(
        [{name: getattr(assessment, name) for name in varying} for assessment in assessments]
    )  # fmt: skip
    ledger.post_assessments(assessments=assessments)
    audit_record_many(
        [
            SystemEvent(
                action="assessment.created",
                system=SYSTEM,
                obj=assessment,
                company_id=assessment.company_id,
                after={"total_jpy": assessment.total_jpy, "due_date": due_date.isoformat()},
            )
            for assessment in assessments
        ]
    )
    return assessments


def assessment_create_for_traveller(*, declaration: TravellerDeclaration) -> Assessment:
    """The duty a traveller pays at the gate kiosk, due today. The simplified rate is one
    combined rate for duty and consumption taxes, so it is all booked as customs duty.
    Runs in the transaction of the kiosk's decision (`traveller_duty_due`); a
    declaration has one assessment however often this runs."""
    existing = Assessment.objects.filter(traveller_declaration=declaration).first()
    if existing is not None:
        return existing
    duty = declaration.duty_jpy
    assessment = Assessment.objects.create(
        kind=Assessment.Kind.TRAVELLER,
        reference=f"TRV-{declaration.reference}",
        traveller_declaration=declaration,
        customs_duty_jpy=duty,
        total_jpy=duty,
        due_date=timezone.localdate(),
    )
    if duty:
        ledger.post_assessment(assessment=assessment)
    audit_record(
        action="assessment.created",
        system=SYSTEM,
        obj=assessment,
        after={"total_jpy": duty, "due_date": assessment.due_date.isoformat(), "kind": assessment.kind},
    )
    return assessment


def assessment_create_for_parcel(*, parcel: Parcel) -> Assessment:
    """The duty and taxes of a released postal parcel, which the addressee pays on
    delivery (official assessment), due in PAYMENTS_DUE_DAYS. Sent once the release
    commits (`xray.hooks.parcel_duty_due`) and by the handoff sweep; a parcel has one
    assessment however often this runs."""
    existing = Assessment.objects.filter(postal_parcel=parcel).first()
    if existing is not None:
        return existing
    total = parcel.duty_jpy
    duty, consumption, local = _parcel_duty_split(parcel)
    if duty + consumption + local != total:
        # The tariff changed since the parcel was assessed: the amount on the parcel,
        # which the officer released it with, is what is owed.
        duty, consumption, local = total, 0, 0
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                kind=Assessment.Kind.POSTAL,
                reference=f"PST-{parcel.item_number}",
                postal_parcel=parcel,
                customs_duty_jpy=duty,
                consumption_tax_jpy=consumption,
                local_consumption_tax_jpy=local,
                total_jpy=total,
                due_date=timezone.localdate() + timedelta(days=settings.PAYMENTS_DUE_DAYS),
            )
            if total:
                ledger.post_assessment(assessment=assessment)
            audit_record(
                action="assessment.created",
                system=SYSTEM,
                obj=assessment,
                after={"total_jpy": total, "due_date": assessment.due_date.isoformat(), "kind": assessment.kind},
            )
    except IntegrityError:
        return Assessment.objects.get(postal_parcel=parcel)
    return assessment


def _parcel_duty_split(parcel: Parcel) -> tuple[int, int, int]:
    try:
        totals = parcel_duty_compute(parcel=parcel, on=(parcel.decided_at or timezone.now()).date())
    except ApplicationError:
        return parcel.duty_jpy, 0, 0
    return totals.customs_duty_jpy, totals.consumption_tax_jpy, totals.local_consumption_tax_jpy


# --- Payment intents ---------------------------------------------------------------


def request_fingerprint(*, assessment_id: int, method: str) -> str:
    body = json.dumps({"assessment": assessment_id, "method": method}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def _idempotent_replay(*, created_by: User, idempotency_key: str, fingerprint: str) -> PaymentIntent | None:
    existing = PaymentIntent.objects.filter(created_by=created_by, idempotency_key=idempotency_key).first()
    if existing is None:
        return None
    if existing.request_fingerprint != fingerprint:
        raise ApplicationError(
            _("This Idempotency-Key was already used for a different payment request."),
            code="idempotency_key_reused",
            status=409,
        )
    return existing


def payment_create(
    *,
    assessment: Assessment,
    method: str,
    created_by: User,
    idempotency_key: str,
    return_url: str,
    request: HttpRequest | None = None,
) -> tuple[PaymentIntent, bool]:
    """Starts paying an assessment. The amount is what the assessment says, never what
    the caller sends. Returns (payment, created); the same key and body return the
    same payment, the same key with another body is refused (409). Only a trader of the
    company that owes pays, or, for a traveller's duty, the kiosk that assessed it while
    the traveller waits there: anyone else is refused."""
    if not created_by.is_trader and created_by.role != Role.KIOSK:
        raise ApplicationError(_("Only traders pay assessments."), code="permission_denied", status=403)
    key = (idempotency_key or "").strip()
    if not key or len(key) > 100:
        raise ApplicationError(
            _("An Idempotency-Key of 1 to 100 characters is required."), code="idempotency_key_required"
        )
    fingerprint = request_fingerprint(assessment_id=assessment.pk, method=method)
    replay = _idempotent_replay(created_by=created_by, idempotency_key=key, fingerprint=fingerprint)
    if replay is not None:
        return replay, False
    try:
        payment = _payment_create(
            assessment=assessment,
            method=method,
            created_by=created_by,
            key=key,
            fingerprint=fingerprint,
            return_url=return_url,
            request=request,
        )
    except IntegrityError:
        # A concurrent request with the same key won the insert.
        replay = _idempotent_replay(created_by=created_by, idempotency_key=key, fingerprint=fingerprint)
        if replay is None:
            raise
        return replay, False
    return payment, True


@transaction.atomic(durable=True)
def _payment_create(
    *,
    assessment: Assessment,
    method: str,
    created_by: User,
    key: str,
    fingerprint: str,
    return_url: str,
    request: HttpRequest | None,
) -> PaymentIntent:
    # Refused before anything is written when no provider is installed here (503).
    provider = provider_configured()
    # The assessment row lock serialises everyone paying it: of two racing payers the
    # second waits here, then sees the first one's payment.
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not _may_pay(created_by, locked):
        if locked.kind == Assessment.Kind.TRAVELLER:
            raise ApplicationError(_("This duty was assessed at another kiosk."), code="not_found", status=404)
        raise ApplicationError(_("This assessment belongs to another company."), code="not_found", status=404)
    if locked.kind == Assessment.Kind.TRAVELLER and (
        locked.traveller_declaration.status != TravellerDeclaration.Status.AWAITING_PAYMENT
    ):
        raise ApplicationError(
            _("This traveller's duty is no longer paid at the kiosk: it is settled at the officer desk."),
            code="traveller_not_awaiting_payment",
            status=409,
        )
    if not ASSESSMENT_MACHINE.can(locked.status, AStatus.PAID):
        raise ApplicationError(
            _("Assessment %(reference)s is already settled; nothing more is owed.") % {"reference": locked.reference},
            code="assessment_settled",
            status=409,
        )
    in_flight = locked.payments.filter(status__in=PaymentIntent.OPEN_STATUSES).first()
    if in_flight is not None:
        raise ApplicationError(
            _(
                "Another payment (%(payment)s) for assessment %(reference)s is in progress. "
                "Finish it, or try again after it expires at %(expires)s."
            )
            % {
                "payment": in_flight,
                "reference": locked.reference,
                "expires": timezone.localtime(in_flight.expires_at).strftime("%H:%M"),
            },
            code="payment_in_progress",
            status=409,
        )
    amount = ledger.outstanding_jpy(assessment_id=locked.pk)
    if amount <= 0:
        raise ApplicationError(_("Nothing is owed on this assessment."), code="nothing_owed", status=409)
    payment = PaymentIntent.objects.create(
        assessment=locked,
        company_id=locked.company_id,
        created_by=created_by,
        method=method,
        amount_jpy=amount,
        provider=provider.name,
        idempotency_key=key,
        request_fingerprint=fingerprint,
        expires_at=timezone.now() + timedelta(minutes=settings.PAYMENTS_INTENT_TTL_MINUTES),
    )
    audit_record(
        action="payment.created",
        actor=created_by,
        obj=payment,
        company=payment.company,
        after={"amount_jpy": amount, "method": method, "assessment": locked.reference},
        request=request,
    )
    session = provider.session_create(
        reference=str(payment), amount_jpy=amount, method=method, return_url=return_url.format(payment_id=payment.pk)
    )
    _transition(
        payment,
        to=PStatus.PENDING,
        actor=created_by,
        request=request,
        extra={"gateway_token": session.token, "redirect_url": session.redirect_url},
    )
    return payment


def _gateway_status_apply(payment: PaymentIntent, status: GatewayStatus, *, system: str) -> str:
    """Applies what the gateway says to a locked payment. Anything the state machine
    does not allow from the current status (a late, duplicate or out-of-order
    notification) changes nothing."""
    if status.status == "succeeded":
        if not PAYMENT_MACHINE.can(payment.status, PStatus.SUCCEEDED):
            return "ignored"
        if status.amount_jpy != payment.amount_jpy:
            logger.error("Gateway captured %s for %s, expected %s", status.amount_jpy, payment, payment.amount_jpy)
            return "amount_mismatch"
        return _capture(payment, status=status, system=system)
    if status.status == "failed":
        if not PAYMENT_MACHINE.can(payment.status, PStatus.FAILED):
            return "ignored"
        code, params = failure_from_gateway(decline_code=status.decline_code)
        _transition(payment, to=PStatus.FAILED, system=system, extra={"failure_code": code, "failure_params": params})
        return "failed"
    if status.status == "canceled":
        if not PAYMENT_MACHINE.can(payment.status, PStatus.EXPIRED):
            return "ignored"
        _transition(payment, to=PStatus.EXPIRED, system=system)
        return "expired"
    return "ignored"


def _capture(payment: PaymentIntent, *, status: GatewayStatus, system: str) -> str:
    assessment = Assessment.objects.select_for_update().get(pk=payment.assessment_id)
    if not ASSESSMENT_MACHINE.can(assessment.status, AStatus.PAID):
        # Already settled or deferred: the services never let a payment start or stay
        # open on such an assessment, but a row changed past them could. The money the
        # gateway took is not booked; reconciliation lists the charge as missing from the
        # ledger, for an officer to refund. As with an amount mismatch, the payment stays
        # pending rather than being reported as failed.
        logger.error(
            "Gateway captured %s for %s, which is %s and cannot be paid",
            payment,
            assessment,
            assessment.status,
        )
        return "assessment_not_open"
    _transition(
        payment,
        to=PStatus.SUCCEEDED,
        system=system,
        extra={"card_last4": status.card_last4[-4:], "succeeded_at": timezone.now()},
    )
    ledger.post_capture(payment=payment)
    ledger.post_fee(payment=payment, fee_jpy=status.fee_jpy)
    ASSESSMENT_MACHINE.transition(assessment, to=AStatus.PAID, settled_at=timezone.now())
    audit_record(action="assessment.paid", system=system, obj=assessment, company=assessment.company)
    if assessment.traveller_declaration_id is not None:
        # In the capture's transaction: the gate opens exactly when the duty is booked.
        opened = traveller_duty_paid(
            declaration_id=assessment.traveller_declaration_id, payment_reference=str(payment), system=system
        )
        if not opened:
            logger.warning("Duty paid by %s for %s, which was no longer waiting at the kiosk", payment, assessment)
    receipt = receipt_issue(payment=payment)
    from payments import tasks

    outbox_enqueue(tasks.receipt_email.name, receipt.pk, key=f"receipt_email:{receipt.pk}")
    # Robust: the capture stays saved if the permit fails; the handoff sweep retries it.
    transaction.on_commit(lambda: _after_capture(payment_id=payment.pk), robust=True)
    return "succeeded"


def _after_capture(*, payment_id: int) -> None:
    payment = PaymentIntent.objects.select_related("assessment__declaration").get(pk=payment_id)
    declaration = payment.assessment.declaration
    if declaration is not None and declaration.status == Declaration.Status.AWAITING_PAYMENT:
        from declarations.core.workflow import declaration_payment_settled

        try:
            declaration_payment_settled(declaration=declaration)
        except ApplicationError:
            logger.exception("Declaration %s could not be permitted after payment %s", declaration.pk, payment_id)


@transaction.atomic(durable=True)
def payment_sync_from_gateway(*, payment_id: int, system: str = SYSTEM) -> str:
    """Asks the gateway for the payment's final status and applies it (timeouts, lost
    webhooks). Safe to run any number of times."""
    payment = PaymentIntent.objects.select_for_update().get(pk=payment_id)
    if payment.status not in PaymentIntent.OPEN_STATUSES or not payment.gateway_token:
        return "skipped"
    status = provider_for(payment.provider).status_fetch(token=payment.gateway_token)
    return _gateway_status_apply(payment, status, system=system)


@transaction.atomic(durable=True)
def payment_expire(*, payment_id: int) -> str:
    """Expires an unpaid intent past its expiry; the gateway is asked (and told to
    cancel) first, so a payment made at the last second is captured, not lost."""
    payment = PaymentIntent.objects.select_for_update().get(pk=payment_id)
    if payment.status not in PaymentIntent.OPEN_STATUSES or payment.expires_at > timezone.now():
        return "skipped"
    provider = provider_for(payment.provider)
    if payment.gateway_token:
        status = provider.status_fetch(token=payment.gateway_token)
        if status.status in ("succeeded", "failed"):
            return _gateway_status_apply(payment, status, system="payments:expiry")
        if provider.cancel(token=payment.gateway_token) == "succeeded":
            return _gateway_status_apply(
                payment, provider.status_fetch(token=payment.gateway_token), system="payments:expiry"
            )
    _transition(payment, to=PStatus.EXPIRED, system="payments:expiry")
    return "expired"


def payment_cancel(*, payment: PaymentIntent, cancelled_by: User, request: HttpRequest | None = None) -> PaymentIntent:
    """The payer cancels a payment that is still open, at the gateway first, so that the
    assessment can be paid again. Refused when the gateway has captured it already; that
    capture is then booked at once instead of waiting for its notification."""
    try:
        return _payment_cancel(payment=payment, cancelled_by=cancelled_by, request=request)
    except ApplicationError as error:
        if error.code == "payment_already_captured":
            payment_sync_from_gateway(payment_id=payment.pk)
        raise


@transaction.atomic(durable=True)
def _payment_cancel(*, payment: PaymentIntent, cancelled_by: User, request: HttpRequest | None) -> PaymentIntent:
    locked = PaymentIntent.objects.select_for_update().get(pk=payment.pk)
    if "cancel" not in payment_allowed_actions(payment=locked, user=cancelled_by):
        if not _is_payer(cancelled_by, locked.company_id):
            raise ApplicationError(
                _("Only a trader of the paying company may cancel this payment."), code="permission_denied", status=403
            )
        raise ApplicationError(
            _("Payment %(payment)s is %(status)s and can no longer be cancelled.")
            % {"payment": locked, "status": locked.get_status_display()},
            code="payment_not_open",
            status=409,
        )
    if locked.gateway_token:
        provider = provider_for(locked.provider)
        outcome = provider.cancel(token=locked.gateway_token)
        if outcome == "succeeded":
            raise ApplicationError(
                _("The gateway has already taken payment %(payment)s, so it cannot be cancelled.")
                % {"payment": locked},
                code="payment_already_captured",
                status=409,
            )
        if outcome == "failed":
            # Declined before the notification arrived: record the decline, which frees
            # the assessment just as a cancellation would.
            _gateway_status_apply(locked, provider.status_fetch(token=locked.gateway_token), system=SYSTEM)
            return locked
    _transition(locked, to=PStatus.CANCELLED, actor=cancelled_by, request=request)
    return locked


# --- The traveller chooses the desk ------------------------------------------------


@transaction.atomic(durable=True)
def traveller_duty_desk_choose(*, kiosk: Kiosk, decision: KioskDecision) -> TravellerDeclaration:
    """The traveller pays at the officer desk instead of at the kiosk: a payment still
    open at the gateway is cancelled there first, so no money is taken twice. If the
    gateway had already taken it, the capture is booked and the gate opens instead.
    Choosing again changes nothing."""
    declaration_id = decision.declaration_id
    assessment = Assessment.objects.select_for_update().filter(traveller_declaration_id=declaration_id).first()
    if assessment is not None:
        for payment in assessment.payments.select_for_update().filter(status__in=PaymentIntent.OPEN_STATUSES):
            outcome = (
                provider_for(payment.provider).cancel(token=payment.gateway_token) if payment.gateway_token else ""
            )
            if outcome in ("succeeded", "failed"):
                status = provider_for(payment.provider).status_fetch(token=payment.gateway_token)
                _gateway_status_apply(payment, status, system=SYSTEM)
            else:
                _transition(payment, to=PStatus.CANCELLED, actor=kiosk.user)
    declaration = TravellerDeclaration.objects.get(pk=declaration_id)
    if declaration.status != TravellerDeclaration.Status.AWAITING_PAYMENT:
        return declaration
    return traveller_choose_desk(declaration=declaration, kiosk=kiosk)


# --- Webhooks from the gateway ------------------------------------------------------


def webhook_verify(*, body: bytes, signature_header: str) -> dict[str, Any]:
    """Checks the HMAC-SHA256 signature over "<timestamp>.<body>" and the timestamp's
    age; returns the parsed event. Raises ApplicationError (400) otherwise. The messages
    go to the gateway's logs, not to a person, so they are not translated."""
    parts = dict(part.split("=", 1) for part in signature_header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        raise ApplicationError("Missing or malformed signature.", code="bad_signature") from None
    expected = hmac.new(
        settings.PAYMENTS_GATEWAY_WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        raise ApplicationError("Bad signature.", code="bad_signature")
    if abs(time.time() - timestamp) > settings.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS:
        raise ApplicationError("Stale timestamp.", code="stale_timestamp")
    try:
        event = json.loads(body)
        event_id, event_type, token = event["id"], event["type"], event["data"]["token"]
    except (ValueError, KeyError, TypeError):
        raise ApplicationError("Malformed event.", code="malformed_event") from None
    if not all(isinstance(value, str) and 0 < len(value) <= 64 for value in (event_id, event_type, token)):
        raise ApplicationError("Malformed event.", code="malformed_event")
    return event


def gateway_event_receive(*, body: bytes, signature_header: str) -> tuple[GatewayEvent, bool]:
    """Stores a verified event once by its id. Returns (event, is_new); a duplicate or
    replayed event is recognised and not processed again."""
    from payments import tasks

    event = webhook_verify(body=body, signature_header=signature_header)
    try:
        with transaction.atomic():
            stored = GatewayEvent.objects.create(
                event_id=event["id"],
                event_type=event["type"][:40],
                gateway_token=event["data"]["token"],
                payload=event,
            )
    except IntegrityError:
        return GatewayEvent.objects.get(event_id=event["id"]), False
    outbox_enqueue(tasks.gateway_event_process.name, stored.pk, key=f"gateway_event_process:{stored.pk}")
    return stored, True


@transaction.atomic(durable=True)
def gateway_event_process(*, event_pk: int) -> str:
    """Applies one stored event. Twice is harmless: the event row is claimed under a lock."""
    event = GatewayEvent.objects.select_for_update().get(pk=event_pk)
    if event.processed_at is not None:
        return "already_processed"
    payment = PaymentIntent.objects.select_for_update().filter(gateway_token=event.gateway_token).first()
    if payment is None:
        outcome = "unknown_payment"
    elif event.event_type in ("charge.succeeded", "charge.failed"):
        status = provider_for(payment.provider).event_status(data=event.payload["data"])
        outcome = _gateway_status_apply(payment, status, system=f"{payment.provider}-gateway")
    else:
        # Refund notifications confirm what the portal asked for; nothing to change.
        outcome = "noted"
    event.processed_at = timezone.now()
    event.outcome = outcome
    event.save(update_fields=["processed_at", "outcome"])
    return outcome


# --- Refunds -----------------------------------------------------------------------


def _refund_check_officer(user: User) -> None:
    if user.role not in FINANCE_OFFICER:
        raise ApplicationError(_("Your role may not refund payments."), code="permission_denied", status=403)


@transaction.atomic(durable=True)
def refund_request(
    *, payment: PaymentIntent, amount_jpy: int, reason: str, requested_by: User, request: HttpRequest | None = None
) -> Refund:
    """Refunds up to what remains. When the payment's running total of refunds (those
    made and those awaiting approval, this one included) would pass the threshold, a
    second officer (a supervisor) must approve before any money moves, so splitting a
    refund into small ones never avoids approval. The payment's row lock makes the
    total exact under concurrent requests."""
    _refund_check_officer(requested_by)
    locked = PaymentIntent.objects.select_for_update().get(pk=payment.pk)
    if locked.status not in PaymentIntent.CAPTURED_STATUSES:
        raise ApplicationError(
            _("Payment %(payment)s is %(status)s: only a captured payment can be refunded.")
            % {"payment": locked, "status": locked.get_status_display()},
            code="payment_not_captured",
            status=409,
        )
    reserved = sum(locked.refunds.filter(status=Refund.Status.AWAITING_APPROVAL).values_list("amount_jpy", flat=True))
    remaining = locked.refundable_jpy - reserved
    if amount_jpy <= 0:
        raise ApplicationError(
            _("Enter a refund amount above zero."),
            code="refund_invalid",
            fields={"amount_jpy": [_("Enter a refund amount above zero.")]},
        )
    if amount_jpy > remaining:
        message = _(
            "A refund of ¥%(amount)s is more than the ¥%(remaining)s that remains refundable on %(payment)s."
        ) % {
            "amount": f"{amount_jpy:,}",
            "remaining": f"{max(remaining, 0):,}",
            "payment": locked,
        }
        raise ApplicationError(message, code="refund_exceeds_remaining", fields={"amount_jpy": [message]})
    refunds_total = locked.refunded_jpy + reserved + amount_jpy
    needs_approval = refunds_total > settings.PAYMENTS_REFUND_APPROVAL_THRESHOLD_JPY
    refund = Refund.objects.create(
        payment=locked,
        amount_jpy=amount_jpy,
        reason=reason[:300],
        requested_by=requested_by,
        status=Refund.Status.AWAITING_APPROVAL if needs_approval else Refund.Status.SUCCEEDED,
    )
    audit_record(
        action="refund.requested",
        actor=requested_by,
        obj=refund,
        company=locked.company,
        after={
            "amount_jpy": amount_jpy,
            "reason": reason,
            "refunds_total_jpy": refunds_total,
            "needs_approval": needs_approval,
        },
        request=request,
    )
    if not needs_approval:
        _refund_execute(refund, locked, actor=requested_by, request=request)
    return refund


@transaction.atomic(durable=True)
def refund_decide(*, refund: Refund, approve: bool, decided_by: User, request: HttpRequest | None = None) -> Refund:
    """Four eyes: a supervisor other than the requester approves or rejects."""
    locked = Refund.objects.select_for_update().get(pk=refund.pk)
    if decided_by.role != Role.SUPERVISOR:
        raise ApplicationError(_("Only a supervisor may approve refunds."), code="permission_denied", status=403)
    if locked.requested_by_id == decided_by.pk:
        raise ApplicationError(
            _("A refund must be approved by a second officer, not the one who requested it."),
            code="four_eyes",
            status=403,
        )
    to = RStatus.SUCCEEDED if approve else RStatus.REJECTED
    if not REFUND_MACHINE.can(locked.status, to):
        raise ApplicationError(_("This refund has already been decided."), code="refund_decided", status=409)
    payment = PaymentIntent.objects.select_for_update().get(pk=locked.payment_id)
    REFUND_MACHINE.transition(locked, to=to, decided_by=decided_by, decided_at=timezone.now())
    if approve:
        audit_record(action="refund.approved", actor=decided_by, obj=locked, company=payment.company, request=request)
        _refund_execute(locked, payment, actor=decided_by, request=request)
    else:
        audit_record(action="refund.rejected", actor=decided_by, obj=locked, company=payment.company, request=request)
    return locked


def _refund_execute(refund: Refund, payment: PaymentIntent, *, actor: User, request: HttpRequest | None) -> None:
    try:
        refund_id = provider_for(payment.provider).refund(
            token=payment.gateway_token, amount_jpy=refund.amount_jpy, idempotency_key=f"refund-{refund.pk}"
        )
    except ProviderError as error:
        raise ApplicationError(
            _("The gateway refused the refund (code %(code)s).") % {"code": error.code},
            code="gateway_refused",
            status=502,
        ) from error
    refund.gateway_refund_id = refund_id
    refund.save(update_fields=["gateway_refund_id"])
    refunded = payment.refunded_jpy + refund.amount_jpy
    to = PStatus.REFUNDED if refunded == payment.amount_jpy else PStatus.PARTIALLY_REFUNDED
    _transition(payment, to=to, actor=actor, request=request, extra={"refunded_jpy": refunded})
    ledger.post_refund(refund=refund)
    if payment.company is not None:
        notify_company(
            company=payment.company,
            event="payment.refunded",
            code="payment.refunded",
            params={"amount_jpy": refund.amount_jpy, "payment": str(payment)},
            link="/payments/",
            payload={"payment": str(payment), "amount_jpy": refund.amount_jpy},
        )


# --- Receipts ----------------------------------------------------------------------


def receipt_issue(*, payment: PaymentIntent) -> Receipt:
    """One receipt per captured payment; its number is unique by construction."""
    receipt, _created = Receipt.objects.get_or_create(
        payment=payment, defaults={"number": f"R-{timezone.localdate():%Y}-{payment.pk:08d}"}
    )
    return receipt


def receipt_send_email(*, receipt_id: int) -> bool:
    """E-mails the receipt (PDF attached) to the payer once."""
    from django.core.mail import EmailMessage
    from django.utils import translation

    from payments.receipts import receipt_pdf

    claimed = Receipt.objects.filter(pk=receipt_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    receipt = Receipt.objects.select_related("payment__created_by", "payment__assessment").get(pk=receipt_id)
    payer = receipt.payment.created_by
    if not payer.email:
        return False
    language = "en" if getattr(payer, "preferred_language", "ja") == "en" else "ja"
    with translation.override(language):
        message = EmailMessage(
            subject=_("Receipt %(number)s") % {"number": receipt.number},
            body=_("Your payment of ¥%(amount)s for %(reference)s was received. The receipt is attached.")
            % {"amount": f"{receipt.payment.amount_jpy:,}", "reference": receipt.payment.assessment.reference},
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[payer.email],
        )
        message.attach(f"{receipt.number}.pdf", receipt_pdf(receipt=receipt, language=language), "application/pdf")
    try:
        message.send()
    except Exception:
        Receipt.objects.filter(pk=receipt_id).update(emailed_at=None)
        raise
    return True
