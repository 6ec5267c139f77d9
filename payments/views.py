"""Pages of the payments app: the trader pays and finds receipts; officers search
payments, refund (four eyes above the threshold) and watch daily totals."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from customs_portal.errors import ApplicationError
from customs_portal.forms import form_add_application_error
from customs_portal.permissions import (
    ANY_OFFICER,
    FINANCE_OFFICER,
    SUPERVISOR,
    TRADER,
    TRADER_OR_OFFICER,
    role_required,
    user_has_role,
)
from payments import deferral, selectors, services
from payments.forms import DeferralApproveForm, PayForm, PaymentSearchForm, RefundForm
from payments.models import PaymentIntent, ReconciliationItem, Refund
from payments.receipts import receipt_pdf, receipt_rows
from payments.reconciliation import reconciliation_item_resolve


@role_required(*TRADER)
def payments_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "payments/trader_home.html",
        {
            "assessment_rows": [
                (assessment, services.assessment_allowed_actions(assessment=assessment, user=user))
                for assessment in selectors.assessment_list_for_user(user=user, open_only=True)[:50]
            ],
            "payments": selectors.payment_list_for_user(user=user)[:50],
            "refunds": selectors.refund_list_for_user(user=user)[:50],
        },
    )


@role_required(*TRADER)
def assessment_pay(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(user=request.user, assessment_id=assessment_id)
    form = PayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payment, _created = services.payment_create(
                assessment=assessment,
                method=form.cleaned_data["method"],
                created_by=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
                return_url=request.build_absolute_uri(reverse("payments-return", args=[0])).replace(
                    "/0/", "/{payment_id}/"
                ),
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(error, form)
        else:
            return redirect(payment.redirect_url)
    latest = selectors.payment_latest_for_assessment(assessment=assessment)
    actions = services.assessment_allowed_actions(assessment=assessment, user=request.user)
    unused_security = deferral.security_unused_jpy(company_id=assessment.company_id) if "defer" in actions else None
    context = {
        "assessment": assessment,
        "actions": actions,
        "form": form,
        "latest": latest,
        "latest_actions": services.payment_allowed_actions(payment=latest, user=request.user) if latest else [],
        "unused_security": unused_security,
    }
    return render(request, "payments/pay.html", context, status=400 if form.errors else 200)


@role_required(*TRADER_OR_OFFICER)
def payment_detail(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = selectors.payment_get_for_user(user=request.user, payment_id=payment_id)
    return _payment_detail_render(request, payment, refund_form=RefundForm())


def _payment_detail_render(
    request: HttpRequest, payment: PaymentIntent, *, refund_form: RefundForm, status: int = 200
) -> HttpResponse:
    actions = services.payment_allowed_actions(payment=payment, user=request.user)
    context = {"payment": payment, "actions": actions, "refund_form": refund_form if "refund" in actions else None}
    return render(request, "payments/payment_detail.html", context, status=status)


@role_required(*TRADER)
def payment_return(request: HttpRequest, payment_id: int) -> HttpResponse:
    """Where the gateway sends the payer back. The status comes from the gateway's
    webhook, so a pending payment refreshes itself until it arrives."""
    payment = selectors.payment_get_for_user(user=request.user, payment_id=payment_id)
    actions = services.payment_allowed_actions(payment=payment, user=request.user)
    return render(request, "payments/return.html", {"payment": payment, "actions": actions})


@require_POST
@role_required(*TRADER)
def payment_cancel(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = selectors.payment_get_for_user(user=request.user, payment_id=payment_id)
    try:
        payment = services.payment_cancel(payment=payment, cancelled_by=request.user, request=request)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("payments-return", payment_id=payment.pk)
    if payment.status == PaymentIntent.Status.CANCELLED:
        messages.success(request, _("Payment %(payment)s is cancelled. You can pay again.") % {"payment": payment})
    # Otherwise the gateway had declined it already: the pay page says why.
    return redirect("payments-pay", assessment_id=payment.assessment_id)


@role_required(*TRADER_OR_OFFICER)
def receipt_detail(request: HttpRequest, receipt_id: int) -> HttpResponse:
    receipt = selectors.receipt_get_for_user(user=request.user, receipt_id=receipt_id)
    return render(request, "payments/receipt.html", {"receipt": receipt, "rows": receipt_rows(receipt)})


@role_required(*TRADER_OR_OFFICER)
def receipt_download(request: HttpRequest, receipt_id: int) -> HttpResponse:
    receipt = selectors.receipt_get_for_user(user=request.user, receipt_id=receipt_id)
    language = "en" if request.GET.get("lang") == "en" else "ja"
    response = HttpResponse(receipt_pdf(receipt=receipt, language=language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{receipt.number}-{language}.pdf"'
    return response


@role_required(*ANY_OFFICER)
def officer_payments(request: HttpRequest) -> HttpResponse:
    form = PaymentSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    payments = selectors.payment_list_for_user(
        user=request.user,
        query=filters.get("q", ""),
        status=filters.get("status", ""),
        method=filters.get("method", ""),
    )[:100]
    return render(
        request,
        "payments/officer_payments.html",
        {"form": form, "payments": payments, "chart": selectors.daily_totals_by_method()},
    )


@require_POST
@role_required(*FINANCE_OFFICER)
def refund_create(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = selectors.payment_get_for_user(user=request.user, payment_id=payment_id)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            refund = services.refund_request(
                payment=payment,
                amount_jpy=form.cleaned_data["amount_jpy"],
                reason=form.cleaned_data["reason"],
                requested_by=request.user,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(error, form)
        else:
            if refund.status == Refund.Status.AWAITING_APPROVAL:
                messages.info(request, _("The refund waits for a supervisor's approval."))
            else:
                messages.success(request, _("Refunded ¥%(amount)s.") % {"amount": f"{refund.amount_jpy:,}"})
            return redirect("payments-detail", payment_id=payment.pk)
    return _payment_detail_render(request, payment, refund_form=form, status=400)


@role_required(*SUPERVISOR)
def refund_approvals(request: HttpRequest) -> HttpResponse:
    rows = [
        (refund, services.refund_allowed_actions(refund=refund, user=request.user))
        for refund in selectors.refund_approvals_pending()
    ]
    return render(request, "payments/refund_approvals.html", {"rows": rows})


@role_required(*SUPERVISOR)
def deferral_approvals(request: HttpRequest) -> HttpResponse:
    """Deferred-payment approvals, and the form that approves a company or changes its
    registered security, through the same service as the API."""
    form = DeferralApproveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            approval = deferral.deferral_approve(
                company=form.cleaned_data["company"],
                security_jpy=form.cleaned_data["security_jpy"],
                approved_by=request.user,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(error, form)
        else:
            messages.success(
                request,
                _("%(company)s is approved for deferred payment with ¥%(amount)s of security.")
                % {"company": approval.company.name, "amount": f"{approval.security_jpy:,}"},
            )
            return redirect("payments-deferrals")
    return render(
        request,
        "payments/deferral_approvals.html",
        {"form": form, "approvals": selectors.deferral_approval_list()},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
@role_required(*SUPERVISOR)
def refund_decide(request: HttpRequest, refund_id: int) -> HttpResponse:
    refund = selectors.refund_list_for_user(user=request.user).filter(pk=refund_id).first()
    if refund is None:
        return HttpResponse(status=404)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        return HttpResponse(_("Choose to approve or to reject the refund."), status=400)
    try:
        services.refund_decide(refund=refund, approve=decision == "approve", decided_by=request.user, request=request)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("payments-refund-approvals")


@csrf_exempt
@require_POST
def gateway_webhook(request: HttpRequest) -> HttpResponse:
    """The gateway's signed notifications. A bad signature, a stale timestamp or a
    malformed body gets 400 and changes nothing; a duplicate or replayed event id gets
    200 (so the gateway stops resending) and changes nothing either."""
    try:
        event, is_new = services.gateway_event_receive(
            body=request.body, signature_header=request.headers.get("X-Gateway-Signature", "")
        )
    except ApplicationError as error:
        return JsonResponse({"error": {"code": error.code, "message": error.message}}, status=400)
    return JsonResponse({"received": event.event_id, "duplicate": not is_new})


@role_required(*ANY_OFFICER)
def reconciliation(request: HttpRequest) -> HttpResponse:
    may_resolve = user_has_role(request.user, FINANCE_OFFICER)
    return render(
        request, "payments/reconciliation.html", {**selectors.reconciliation_overview(), "may_resolve": may_resolve}
    )


@require_POST
@role_required(*FINANCE_OFFICER)
def reconciliation_resolve(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(ReconciliationItem, pk=item_id)
    try:
        reconciliation_item_resolve(
            item=item, note=request.POST.get("note", ""), resolved_by=request.user, request=request
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Marked as resolved."))
    return redirect("payments-reconciliation")


@require_POST
@role_required(*TRADER)
def assessment_defer(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = selectors.assessment_get_for_user(user=request.user, assessment_id=assessment_id)
    try:
        deferral.assessment_defer(assessment=assessment, requested_by=request.user, request=request)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("payments-pay", assessment_id=assessment.pk)
    messages.success(request, _("Deferred: the declaration is released and the taxes join this month's total."))
    return redirect("payments-home")
