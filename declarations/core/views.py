"""Pages of declarations: the trader's list, drafts, submission, amendments,
attachments, diff and PDF; the officers' review queue and decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customs_portal import aeo
from customs_portal.documents import document_response
from customs_portal.errors import ApplicationError
from customs_portal.forms import form_add_application_error
from customs_portal.models import Role
from customs_portal.permissions import ANY_OFFICER, TRADER, role_required
from declarations.core import labels, pdf, precheck, selectors, timings
from declarations.core.forms import (
    AmendmentReasonForm,
    AttachmentForm,
    DecisionForm,
    DeclarationFilterForm,
    DeclarationHeaderForm,
    DeclarationLineFormSet,
    ReviewQueueFilterForm,
    WithdrawForm,
)
from declarations.core.models import Declaration
from declarations.core.services import actions, amendments, attachments, decisions, drafts, submission

DECLARATION_PAGE_SIZE = 25


QUEUE_PAGE_SIZE = 25


Status = Declaration.Status


WAITING_FOR = {
    Status.DRAFT: gettext_lazy("Waiting for you to complete and submit it."),
    Status.SUBMITTED: gettext_lazy("Waiting for screening."),
    Status.SCREENING: gettext_lazy("Being screened."),
    Status.DOCUMENT_REVIEW: gettext_lazy("Waiting for a clearance officer's document review."),
    Status.INSPECTION: gettext_lazy("Waiting for a physical inspection."),
    Status.AWAITING_PAYMENT: gettext_lazy("Waiting for payment of the taxes; it is released once paid."),
    Status.PERMITTED: gettext_lazy("Nothing: the goods are permitted."),
    Status.REJECTED: gettext_lazy("Nothing: the declaration was rejected."),
    Status.WITHDRAWN: gettext_lazy("Nothing: the declaration was withdrawn."),
}


def _errors_to_forms(error: ApplicationError, header_form, formset, extra_form=None) -> None:
    """Puts a service's field errors (`party_name`, `lines[2].origin_country`) on the
    form field they name, the rest at the top of the declaration form."""
    page_forms = [header_form] if extra_form is None else [header_form, extra_form]
    form_add_application_error(error, *page_forms, rows={"lines": _kept(formset)})


def _kept(formset) -> list:
    """The line forms that hold a line: filled in and not marked for deletion."""
    return [
        form for form in formset.forms if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
    ]


def _form_data(header_form, formset) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = dict(header_form.cleaned_data)
    lines = [{name: value for name, value in form.cleaned_data.items() if name != "DELETE"} for form in _kept(formset)]
    return data, lines


def _initial(declaration: Declaration) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    header = {name: getattr(declaration, name) for name in drafts.HEADER_FIELDS}
    lines = [{name: getattr(line, name) for name in drafts.LINE_FIELDS} for line in declaration.lines.all()]
    return header, lines


def _form_context(header_form, formset, **extra) -> dict[str, Any]:
    return {
        "form": header_form,
        "formset": formset,
        "estimate_url": reverse("api-duty-estimates"),
        "rate_url": reverse("api-exchange-rate"),
        **extra,
    }


@require_GET
@role_required(*TRADER)
def declaration_list(request: HttpRequest) -> HttpResponse:
    form = DeclarationFilterForm(request.GET or None)
    declarations = selectors.declaration_list_for_user(user=request.user, filters=form.filters())
    page = Paginator(declarations, DECLARATION_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "declarations/list.html", {"form": form, "page": page, "query": query.urlencode()})


@role_required(*TRADER)
def declaration_create(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in Declaration.Kind.values:
        raise Http404
    header_form = DeclarationHeaderForm(
        request.POST or None,
        initial={"party_name": request.user.company.name, "declaration_date": timezone.localdate()}
        | {"party_corporate_number": request.user.company.corporate_number},
    )
    formset = DeclarationLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and header_form.is_valid() and formset.is_valid():
        data, lines = _form_data(header_form, formset)
        try:
            declaration = drafts.declaration_draft_create(
                company=request.user.company, declarant=request.user, kind=kind, data=data, lines=lines, request=request
            )
        except ApplicationError as error:
            _errors_to_forms(error, header_form, formset)
        else:
            messages.success(request, _("Draft %(number)s saved.") % {"number": declaration.number})
            return redirect("declaration-detail", declaration_id=declaration.pk)
    return render(request, "declarations/form.html", _form_context(header_form, formset, kind=Declaration.Kind(kind)))


@role_required(*TRADER)
def declaration_edit(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = selectors.declaration_get_for_user(user=request.user, declaration_id=declaration_id)
    if actions.Action.EDIT not in actions.declaration_allowed_actions(declaration=declaration, user=request.user):
        messages.error(request, _("Only a draft can be edited; send an amendment instead."))
        return redirect("declaration-detail", declaration_id=declaration.pk)
    header, lines = _initial(declaration)
    header_form = DeclarationHeaderForm(request.POST or None, initial=header)
    formset = DeclarationLineFormSet(request.POST or None, prefix="lines", initial=lines)
    if request.method == "POST" and header_form.is_valid() and formset.is_valid():
        data, lines = _form_data(header_form, formset)
        try:
            drafts.declaration_draft_update(
                declaration=declaration, updated_by=request.user, data=data, lines=lines, request=request
            )
        except ApplicationError as error:
            _errors_to_forms(error, header_form, formset)
        else:
            messages.success(request, _("Draft %(number)s saved.") % {"number": declaration.number})
            return redirect("declaration-detail", declaration_id=declaration.pk)
    return render(
        request,
        "declarations/form.html",
        _form_context(header_form, formset, kind=Declaration.Kind(declaration.kind), declaration=declaration),
    )


@require_GET
@login_required
def declaration_detail(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = selectors.declaration_get_for_user(user=request.user, declaration_id=declaration_id)
    allowed = actions.declaration_allowed_actions(declaration=declaration, user=request.user)
    context = {
        "declaration": declaration,
        "waiting_for": WAITING_FOR[Status(declaration.status)],
        "allowed_actions": allowed,
        "attachment_form": AttachmentForm(),
        "decision_form": DecisionForm(),
        "step_timing": timings.declaration_waiting_for(declaration=declaration),
        "aeo_certificate": aeo.declaration_certificate(declaration=declaration) if request.user.is_officer else None,
        "precheck_findings": (
            precheck.declaration_precheck(declaration=declaration) if actions.Action.PRECHECK in allowed else None
        ),
        **selectors.declaration_detail_related(declaration=declaration, user=request.user),
    }
    return render(request, "declarations/detail.html", context)


@require_http_methods(["GET", "POST"])
@role_required(*TRADER)
def declaration_submit(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """GET: the confirmation page with the findings and the taxes submission will assess,
    computed without saving. POST: submits."""
    declaration = selectors.declaration_get_for_user(user=request.user, declaration_id=declaration_id)
    if request.method == "POST":
        try:
            submission.declaration_submit(declaration=declaration, submitted_by=request.user, request=request)
        except ApplicationError as error:
            for message in _refusal_messages(error):
                messages.error(request, message)
            return redirect("declaration-submit", declaration_id=declaration.pk)
        messages.success(request, _("Declaration %(number)s submitted.") % {"number": declaration.number})
        return redirect("declaration-detail", declaration_id=declaration.pk)
    allowed = actions.declaration_allowed_actions(declaration=declaration, user=request.user)
    checked = precheck.declaration_precheck_run(declaration=declaration) if actions.Action.SUBMIT in allowed else None
    context = {"declaration": declaration, "checked": checked, "allowed_actions": allowed}
    return render(request, "declarations/submit.html", context)


def _refusal_messages(error: ApplicationError) -> list[str]:
    """A refusal as the lines a page shows: its message, or each field's message after the
    field's label ("Line 1 · Tariff code: …")."""
    if not error.fields:
        return [error.message]
    shown = []
    for key, field_messages in error.fields.items():
        label = labels.field_label(key)
        for message in field_messages if isinstance(field_messages, (list, tuple)) else [field_messages]:
            shown.append(f"{label}: {message}" if label else str(message))
    return shown


@role_required(*TRADER)
def declaration_withdraw(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = selectors.declaration_get_for_user(user=request.user, declaration_id=declaration_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submission.declaration_withdraw(
                declaration=declaration, withdrawn_by=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Declaration %(number)s withdrawn.") % {"number": declaration.number})
        return redirect("declaration-detail", declaration_id=declaration.pk)
    return render(request, "declarations/withdraw.html", {"declaration": declaration, "form": form})


@role_required(*TRADER)
def declaration_amend(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """The trader edits a copy; "preview" shows the diff and the tax difference, "send"
    files the new version."""
    declaration = selectors.declaration_get_for_user(user=request.user, declaration_id=declaration_id)
    header, lines = _initial(declaration)
    header_form = DeclarationHeaderForm(request.POST or None, initial=header)
    formset = DeclarationLineFormSet(request.POST or None, prefix="lines", initial=lines)
    reason_form = AmendmentReasonForm(request.POST or None)
    preview = None
    if request.method == "POST" and header_form.is_valid() and formset.is_valid():
        data, lines = _form_data(header_form, formset)
        try:
            if request.POST.get("action") == "send" and reason_form.is_valid():
                amendments.declaration_amend(
                    declaration=declaration,
                    amended_by=request.user,
                    data=data,
                    lines=lines,
                    reason=reason_form.cleaned_data["reason"],
                    request=request,
                )
                messages.success(request, _("Amendment sent; the declaration goes through screening again."))
                return redirect("declaration-detail", declaration_id=declaration.pk)
            preview = amendments.declaration_amendment_preview(
                declaration=declaration, amended_by=request.user, data=data, lines=lines
            )
        except ApplicationError as error:
            _errors_to_forms(error, header_form, formset, reason_form)
    return render(
        request,
        "declarations/form.html",
        _form_context(
            header_form,
            formset,
            kind=Declaration.Kind(declaration.kind),
            declaration=declaration,
            amending=True,
            reason_form=reason_form,
            preview=preview,
        ),
    )


@require_POST
@role_required(*TRADER)
def declaration_attachment_upload(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = selectors.declaration_get_for_user(user=request.user, declaration_id=declaration_id)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("declaration-detail", declaration_id=declaration.pk)
    try:
        attachments.declaration_attachment_add(
            declaration=declaration,
            uploaded_by=request.user,
            kind=form.cleaned_data["kind"],
            file=form.cleaned_data["file"],
            request=request,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Document added."))
    return redirect("declaration-detail", declaration_id=declaration.pk)


@require_GET
@login_required
def declaration_attachment_download(request: HttpRequest, declaration_id: int, attachment_id: int) -> HttpResponse:
    declaration = selectors.declaration_get_for_user(user=request.user, declaration_id=declaration_id)
    attachment = get_object_or_404(declaration.attachments, pk=attachment_id)
    return document_response(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)


@require_GET
@login_required
def declaration_versions_diff(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = selectors.declaration_get_for_user(user=request.user, declaration_id=declaration_id)
    versions = {version.version: version for version in declaration.versions.all()}
    try:
        old = int(request.GET.get("from", declaration.version - 1))
        new = int(request.GET.get("to", declaration.version))
    except ValueError:
        raise Http404 from None
    if old not in versions or new not in versions:
        raise Http404
    diff = amendments.snapshot_diff(old=versions[old].snapshot, new=versions[new].snapshot)
    return render(
        request,
        "declarations/diff.html",
        {
            "declaration": declaration,
            "old": versions[old],
            "new": versions[new],
            "diff": diff,
            "versions": sorted(versions),
        },
    )


@require_GET
@login_required
def declaration_pdf_download(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = selectors.declaration_get_for_user(user=request.user, declaration_id=declaration_id)
    content = pdf.declaration_pdf(declaration=declaration)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{declaration.number}.pdf"'
    return response


@require_GET
@role_required(*ANY_OFFICER)
def review_queue(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    if "office" not in params and request.user.office_id and request.user.role != Role.SUPERVISOR:
        params["office"] = str(request.user.office_id)
    form = ReviewQueueFilterForm(params)
    declarations = selectors.declaration_review_queue(user=request.user, filters=form.filters())
    page = Paginator(declarations, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    params.pop("page", None)
    return render(request, "declarations/review_queue.html", {"form": form, "page": page, "query": params.urlencode()})


@require_POST
@role_required(*ANY_OFFICER)
def declaration_decide(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = selectors.declaration_get_for_user(user=request.user, declaration_id=declaration_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        too_long = form.errors["reason"][0] if form.has_error("reason", "max_length") else None
        messages.error(request, too_long or _("Choose a decision and give its reason."))
        return redirect("declaration-detail", declaration_id=declaration.pk)
    try:
        decisions.declaration_decide(
            declaration=declaration,
            officer=request.user,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Decision recorded for %(number)s.") % {"number": declaration.number})
    return redirect("declaration-detail", declaration_id=declaration.pk)


@require_GET
@login_required
def declaration_precheck_page(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """The pre-submission check and what the declaration waits for, on their own page.
    A declaration that is no longer checked (no draft) sends the user back to it."""
    declaration = selectors.declaration_get_for_user(user=request.user, declaration_id=declaration_id)
    try:
        actions.declaration_action_check(declaration=declaration, user=request.user, action=actions.Action.PRECHECK)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("declaration-detail", declaration_id=declaration.pk)
    return render(
        request,
        "declarations/applications/precheck_page.html",
        {
            "declaration": declaration,
            "findings": precheck.declaration_precheck(declaration=declaration),
            "waiting_for": timings.declaration_waiting_for(declaration=declaration),
        },
    )
