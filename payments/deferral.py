"""Deferred payment (納期限延長): an approved company's declarations are released before
payment, up to its unused security; each month's deferred taxes become one assessment
due at the end of the next month."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import Company, Role, User
from payments import ledger
from payments.models import Account, Assessment, DeferralApproval, JournalEntry, PaymentIntent
from payments.states import ASSESSMENT_MACHINE, AStatus

SYSTEM = "payments:deferral"


def deferral_approve(
    *, company: Company, security_jpy: int, approved_by: User, request: HttpRequest | None = None
) -> DeferralApproval:
    if approved_by.role != Role.SUPERVISOR:
        raise ApplicationError(_("Only a supervisor approves deferred payment."), code="permission_denied", status=403)
    if security_jpy <= 0:
        message = _("Enter the registered security amount.")
        raise ApplicationError(message, code="security_invalid", fields={"security_jpy": [message]})
    approval, created = DeferralApproval.objects.update_or_create(
        company=company, defaults={"security_jpy": security_jpy, "approved_by": approved_by, "is_active": True}
    )
    audit_record(
        action="deferral.approved",
        actor=approved_by,
        obj=approval,
        company=company,
        after={"security_jpy": security_jpy, "new": created},
        request=request,
    )
    return approval


def security_used_jpy(*, company_id: int) -> int:
    """Deferred taxes not yet paid: deferred assessments whose month's total is not paid."""
    used = Assessment.objects.filter(company_id=company_id, status=Assessment.Status.DEFERRED).filter(
        Q(deferred_into__isnull=True) | Q(deferred_into__status=Assessment.Status.OPEN)
    )
    return int(used.aggregate(total=Sum("total_jpy"))["total"] or 0)


def security_unused_jpy(*, company_id: int) -> int | None:
    approval = DeferralApproval.objects.filter(company_id=company_id, is_active=True).first()
    if approval is None:
        return None
    return approval.security_jpy - security_used_jpy(company_id=company_id)


@transaction.atomic(durable=True)
def assessment_defer(*, assessment: Assessment, requested_by: User, request: HttpRequest | None = None) -> Assessment:
    """Releases the declaration now; the taxes join the month's deferred total."""
    if not requested_by.is_trader:
        raise ApplicationError(
            _("Only traders of the company that owes an assessment defer it."), code="permission_denied", status=403
        )
    if requested_by.company_id != assessment.company_id:
        raise ApplicationError(_("This assessment belongs to another company."), code="not_found", status=404)
    # Locking the approval serialises a company's deferrals, so two at once cannot
    # both use the last of the security.
    approval = (
        DeferralApproval.objects.select_for_update().filter(company_id=assessment.company_id, is_active=True).first()
    )
    if approval is None:
        raise ApplicationError(
            _("Your company is not approved for deferred payment."), code="deferral_not_approved", status=403
        )
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not ASSESSMENT_MACHINE.can(locked.status, AStatus.DEFERRED) or locked.kind != Assessment.Kind.DECLARATION:
        raise ApplicationError(
            _("Only an open declaration assessment can be deferred."), code="not_deferrable", status=409
        )
    if locked.payments.filter(status__in=PaymentIntent.OPEN_STATUSES).exists():
        raise ApplicationError(
            _("A payment for this assessment is in progress."), code="payment_in_progress", status=409
        )
    unused = approval.security_jpy - security_used_jpy(company_id=locked.company_id)
    if locked.total_jpy > unused:
        raise ApplicationError(
            _("Deferring ¥%(amount)s needs more than the ¥%(unused)s of security left unused.")
            % {"amount": f"{locked.total_jpy:,}", "unused": f"{max(unused, 0):,}"},
            code="security_exceeded",
            status=409,
        )
    ASSESSMENT_MACHINE.transition(locked, to=AStatus.DEFERRED, settled_at=timezone.now())
    ledger.journal_post(
        kind=JournalEntry.Kind.CORRECTION,
        external_ref=f"defer:{locked.pk}",
        assessment=locked,
        lines=[(Account.DEFERRED_RECEIVABLE, locked.total_jpy), (Account.RECEIVABLE, -locked.total_jpy)],
        memo=_("Deferred payment"),
    )
    audit_record(
        action="assessment.deferred",
        actor=requested_by,
        obj=locked,
        company=locked.company,
        after={"total_jpy": locked.total_jpy, "unused_security_jpy": unused - locked.total_jpy},
        request=request,
    )
    if locked.declaration_id:
        declaration_id = locked.declaration_id
        # Robust: the deferral stays saved if the permit fails; the handoff sweep retries it.
        transaction.on_commit(lambda: _release(declaration_id), robust=True)
    return locked


def _release(declaration_id: int) -> None:
    from declarations.core.workflow import declaration_payment_settled
    from declarations.models import Declaration

    declaration = Declaration.objects.get(pk=declaration_id)
    if declaration.status == Declaration.Status.AWAITING_PAYMENT:
        declaration_payment_settled(declaration=declaration, system=SYSTEM)


def end_of_next_month(month_start: date) -> date:
    year, month = (month_start.year + 1, 1) if month_start.month == 12 else (month_start.year, month_start.month + 1)
    return date(year, month, calendar.monthrange(year, month)[1])


def deferred_month_consolidate(*, month_start: date) -> list[Assessment]:
    """One assessment per company for the month's deferred taxes, due at the end of the
    next month. Idempotent: the reference is unique and only unconsolidated deferred
    assessments are gathered."""
    start = timezone.make_aware(datetime.combine(month_start, time.min))
    next_month = end_of_next_month(month_start).replace(day=1)
    end = timezone.make_aware(datetime.combine(next_month, time.min))
    created = []
    company_ids = (
        Assessment.objects.filter(
            status=Assessment.Status.DEFERRED, deferred_into__isnull=True, settled_at__gte=start, settled_at__lt=end
        )
        .values_list("company_id", flat=True)
        .distinct()
    )
    for company_id in list(company_ids):
        with transaction.atomic():
            items = list(
                Assessment.objects.select_for_update().filter(
                    company_id=company_id,
                    status=Assessment.Status.DEFERRED,
                    deferred_into__isnull=True,
                    settled_at__gte=start,
                    settled_at__lt=end,
                )
            )
            if not items:
                continue
            reference = f"DF-{company_id}-{month_start:%Y%m}"
            monthly, is_new = Assessment.objects.get_or_create(
                reference=reference,
                defaults={
                    "kind": Assessment.Kind.DEFERRED_MONTHLY,
                    "company_id": company_id,
                    "customs_duty_jpy": sum(item.customs_duty_jpy for item in items),
                    "consumption_tax_jpy": sum(item.consumption_tax_jpy for item in items),
                    "local_consumption_tax_jpy": sum(item.local_consumption_tax_jpy for item in items),
                    "total_jpy": sum(item.total_jpy for item in items),
                    "due_date": end_of_next_month(month_start),
                },
            )
            if not is_new:
                continue
            Assessment.objects.filter(pk__in=[item.pk for item in items]).update(deferred_into=monthly)
            ledger.journal_post(
                kind=JournalEntry.Kind.ASSESSMENT,
                external_ref=f"assessment:{monthly.pk}",
                assessment=monthly,
                lines=[(Account.RECEIVABLE, monthly.total_jpy), (Account.DEFERRED_RECEIVABLE, -monthly.total_jpy)],
                memo=reference,
            )
            audit_record(
                action="assessment.deferred_monthly_created",
                system=SYSTEM,
                obj=monthly,
                company=monthly.company,
                after={"total_jpy": monthly.total_jpy, "items": len(items), "due_date": monthly.due_date.isoformat()},
            )
            created.append(monthly)
    return created


def previous_month_start(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
