"""Pages of the shared domain: public home, role homes, inbox, integration, health."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language
from rest_framework.authtoken.models import Token

from customs_portal import accounts, aeo, health, notifications, selectors
from customs_portal.api.errors import json_not_found
from customs_portal.audit import audit_record
from customs_portal.dashboard import queue_counts_for_user, trader_summaries_for_user
from customs_portal.errors import ApplicationError
from customs_portal.forms import (
    AeoCertificateForm,
    AeoRevokeForm,
    AeoValidityForm,
    WebhookSubscriptionForm,
    form_add_application_error,
)
from customs_portal.models import Role
from customs_portal.permissions import ANY_OFFICER, SUPERVISOR, TRADER, role_required


def public_home(request: HttpRequest) -> HttpResponse:
    return render(request, "public_home.html")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a logged-in user's choice is also remembered for e-mail."""
    response = set_language(request)
    if request.user.is_authenticated:
        accounts.user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Sends each role to its own home."""
    user = request.user
    if user.is_officer:
        return redirect("officer-dashboard")
    if user.is_trader:
        return redirect("trader-dashboard")
    if user.role == Role.ADMIN and user.is_staff:
        return redirect("admin:index")
    raise PermissionDenied


@role_required(*ANY_OFFICER)
def officer_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "officer/dashboard.html", {"queues": queue_counts_for_user(user=request.user)})


@role_required(*TRADER)
def trader_dashboard(request: HttpRequest) -> HttpResponse:
    """The company, its open declarations by status, the amounts it owes, AEO status,
    integration and the latest notifications."""
    inbox = selectors.notifications_for_user(user=request.user)
    return render(
        request,
        "trader/dashboard.html",
        {
            "company": request.user.company,
            # "declarations": open ones per status; "amounts_due": open assessments.
            "summaries": trader_summaries_for_user(user=request.user),
            "aeo_statuses": aeo.aeo_statuses_for_user(user=request.user),
            "latest_notifications": inbox[:5],
            "webhook_count": selectors.webhook_subscriptions_for_user(user=request.user).filter(is_active=True).count(),
        },
    )


@role_required(*TRADER)
def notification_inbox(request: HttpRequest) -> HttpResponse:
    return render(
        request, "trader/inbox.html", {"notifications": selectors.notifications_for_user(user=request.user)[:200]}
    )


@require_POST
@role_required(*TRADER)
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = selectors.notification_get_for_user(user=request.user, notification_id=notification_id)
    notifications.notification_mark_read(notification=notification)
    safe_link = url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(notification.link if notification.link and safe_link else "notification-inbox")


@require_POST
@role_required(*TRADER)
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    marked = notifications.notifications_mark_all_read(company=request.user.company)
    message = ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", marked)
    messages.success(request, message % {"count": marked})
    return redirect("notification-inbox")


@role_required(*TRADER)
def integration(request: HttpRequest) -> HttpResponse:
    """The trader's system integration: API token, webhook subscriptions, delivery log."""
    form = WebhookSubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = notifications.webhook_subscription_create(
                company=request.user.company,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                created_by=request.user,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(error, form, fallback_field="url")
        else:
            messages.success(
                request, _("Webhook added. Its signing secret: %(secret)s") % {"secret": subscription.secret}
            )
            return redirect("integration")
    return render(
        request,
        "trader/integration.html",
        {
            "form": form,
            "subscriptions": selectors.webhook_subscriptions_for_user(user=request.user),
            "deliveries": selectors.webhook_deliveries_for_user(user=request.user)[:50],
            "has_token": Token.objects.filter(user=request.user).exists(),
        },
    )


@require_POST
@role_required(*TRADER)
def webhook_deactivate(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = selectors.webhook_subscription_get_for_user(user=request.user, subscription_id=subscription_id)
    notifications.webhook_subscription_deactivate(
        subscription=subscription, deactivated_by=request.user, request=request
    )
    messages.success(request, _("Webhook stopped."))
    return redirect("integration")


@require_POST
@role_required(*TRADER)
def api_token_rotate(request: HttpRequest) -> HttpResponse:
    Token.objects.filter(user=request.user).delete()
    token = Token.objects.create(user=request.user)
    audit_record(action="api_token.rotated", actor=request.user, obj=request.user, request=request)
    messages.success(request, _("New API token (shown once, keep it safe): %(token)s") % {"token": token.key})
    return redirect("integration")


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISOR)
def aeo_certificates(request: HttpRequest) -> HttpResponse:
    """Supervisors: every company's AEO certificates, and the form that grants one."""
    form = AeoCertificateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = aeo.aeo_certificate_grant(granted_by=request.user, request=request, **form.cleaned_data)
        except ApplicationError as error:
            form_add_application_error(error, form)
        else:
            messages.success(
                request, _("AEO certificate %(number)s granted.") % {"number": certificate.certificate_number}
            )
            return redirect("aeo-certificates")
    today = timezone.localdate()
    statuses = [aeo.certificate_status(certificate, today=today) for certificate in aeo.aeo_certificate_list()]
    return render(
        request,
        "officer/aeo_certificates.html",
        {"form": form, "statuses": statuses},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISOR)
def aeo_certificate_edit(request: HttpRequest, certificate_id: int) -> HttpResponse:
    """Supervisors: change a certificate's validity; the revocation form sits below."""
    certificate = aeo.aeo_certificate_get(certificate_id=certificate_id)
    form = AeoValidityForm(
        request.POST or None, initial={"valid_from": certificate.valid_from, "valid_to": certificate.valid_to}
    )
    if request.method == "POST" and form.is_valid():
        try:
            aeo.aeo_certificate_change(
                certificate=certificate, changed_by=request.user, request=request, **form.cleaned_data
            )
        except ApplicationError as error:
            form_add_application_error(error, form, summary=not error.fields)
        else:
            messages.success(
                request, _("AEO certificate %(number)s changed.") % {"number": certificate.certificate_number}
            )
            return redirect("aeo-certificates")
    return _aeo_edit_page(request, certificate, form=form, revoke_form=AeoRevokeForm())


@require_POST
@role_required(*SUPERVISOR)
def aeo_certificate_revoke(request: HttpRequest, certificate_id: int) -> HttpResponse:
    certificate = aeo.aeo_certificate_get(certificate_id=certificate_id)
    revoke_form = AeoRevokeForm(request.POST)
    if revoke_form.is_valid():
        try:
            aeo.aeo_certificate_revoke(
                certificate=certificate,
                reason=revoke_form.cleaned_data["reason"],
                revoked_by=request.user,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(error, revoke_form, summary=not error.fields)
        else:
            messages.success(
                request, _("AEO certificate %(number)s revoked.") % {"number": certificate.certificate_number}
            )
            return redirect("aeo-certificates")
    form = AeoValidityForm(initial={"valid_from": certificate.valid_from, "valid_to": certificate.valid_to})
    return _aeo_edit_page(request, certificate, form=form, revoke_form=revoke_form)


def _aeo_edit_page(request: HttpRequest, certificate, *, form, revoke_form) -> HttpResponse:
    status = aeo.certificate_status(certificate, today=timezone.localdate())
    bad = bool(form.errors or revoke_form.errors)
    return render(
        request,
        "officer/aeo_certificate_edit.html",
        {"status": status, "certificate": certificate, "form": form, "revoke_form": revoke_form},
        status=400 if bad else 200,
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health.health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", {"reason": reason}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_not_found(request)
    return render(request, "404.html", status=404)
