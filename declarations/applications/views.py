"""Pages of digitised applications: duty relief and IP-rights import suspension, with
their evidence."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.validators import MinValueValidator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from customs_portal.documents import document_response
from customs_portal.errors import ApplicationError
from customs_portal.forms import form_add_application_error
from customs_portal.permissions import TRADER, role_required
from declarations.applications import services as applications
from declarations.applications.models import ApplicationStatus, DutyReliefApplication, IpSuspensionApplication
from declarations.core.models import Declaration

PAGE_SIZE = 50


TITLES = {
    "relief": gettext_lazy("Duty reduction and exemption applications"),
    "ip": gettext_lazy("IP rights import suspension applications"),
}


class DutyReliefForm(forms.ModelForm):
    class Meta:
        model = DutyReliefApplication
        fields = ["provision", "goods_description", "declaration", "amount_claimed_jpy", "reason"]
        widgets = {"goods_description": forms.Textarea(attrs={"rows": 3}), "reason": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["declaration"].queryset = Declaration.objects.filter(company_id=user.company_id).order_by(
            "-created_at"
        )
        self.fields["declaration"].required = False
        self.fields["amount_claimed_jpy"].validators.append(MinValueValidator(1))
        self.fields["amount_claimed_jpy"].widget.attrs["min"] = 1


class IpSuspensionForm(forms.ModelForm):
    class Meta:
        model = IpSuspensionApplication
        fields = [
            "right_holder",
            "right_type",
            "registration_number",
            "goods_description",
            "identification",
            "valid_from",
            "valid_until",
        ]
        widgets = {
            "goods_description": forms.Textarea(attrs={"rows": 3}),
            "identification": forms.Textarea(attrs={"rows": 4}),
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)


FORMS = {"relief": DutyReliefForm, "ip": IpSuspensionForm}


class EvidenceForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Evidence file (PDF, JPEG or PNG, at most 10 MB)"))


class ActionForm(forms.Form):
    ACTIONS = {
        "submit": ApplicationStatus.SUBMITTED,
        "withdraw": ApplicationStatus.WITHDRAWN,
        "review": ApplicationStatus.UNDER_REVIEW,
        "approve": ApplicationStatus.APPROVED,
        "reject": ApplicationStatus.REJECTED,
    }
    action = forms.ChoiceField(choices=[(key, key) for key in ACTIONS])
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _kind_or_404(kind: str) -> str:
    if kind not in applications.KINDS:
        raise Http404
    return kind


@require_GET
@login_required
def application_index(request: HttpRequest) -> HttpResponse:
    """Traders: their company's applications of both kinds. Officers: the queue."""
    user = request.user
    if not (user.is_trader or user.is_officer):
        raise PermissionDenied
    kind = request.GET.get("kind", "relief")
    kind = kind if kind in applications.KINDS else "relief"
    status = request.GET.get("status", "")
    status = status if status in ApplicationStatus.values else ""
    if user.is_officer and not status:
        rows = applications.application_queue(kind=kind, user=user)
    else:
        rows = applications.application_list_for_user(kind=kind, user=user, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "declarations/applications/index.html",
        {
            "kind": kind,
            "title": TITLES[kind],
            "kinds": TITLES.items(),
            "page": page,
            "status": status,
            "statuses": ApplicationStatus.choices,
            "is_queue": user.is_officer and not status,
        },
    )


@login_required
@role_required(*TRADER)
def application_create(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind_or_404(kind)
    form = FORMS[kind](request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            application = applications.application_create(
                kind=kind, applicant=request.user, data=form.cleaned_data, request=request
            )
        except ApplicationError as error:
            form_add_application_error(error, form)
        else:
            messages.success(request, _("Draft %(number)s saved.") % {"number": application.number})
            return redirect("application-detail", kind=kind, application_id=application.pk)
    return render(request, "declarations/applications/form.html", {"form": form, "kind": kind, "title": TITLES[kind]})


@login_required
@role_required(*TRADER)
def application_edit(request: HttpRequest, kind: str, application_id: int) -> HttpResponse:
    kind = _kind_or_404(kind)
    application = applications.application_get_for_user(kind=kind, user=request.user, application_id=application_id)
    if "edit" not in applications.application_allowed_actions(application=application, user=request.user):
        messages.error(request, _("Only a draft can be edited."))
        return redirect("application-detail", kind=kind, application_id=application.pk)
    form = FORMS[kind](request.POST or None, instance=application, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            applications.application_update(
                application=application, updated_by=request.user, data=form.cleaned_data, request=request
            )
        except ApplicationError as error:
            form_add_application_error(error, form)
        else:
            messages.success(request, _("Draft %(number)s saved.") % {"number": application.number})
            return redirect("application-detail", kind=kind, application_id=application.pk)
    return render(
        request,
        "declarations/applications/form.html",
        {"form": form, "kind": kind, "title": TITLES[kind], "application": application},
    )


@require_GET
@login_required
def application_detail(request: HttpRequest, kind: str, application_id: int) -> HttpResponse:
    kind = _kind_or_404(kind)
    application = applications.application_get_for_user(kind=kind, user=request.user, application_id=application_id)
    return render(
        request,
        "declarations/applications/detail.html",
        {
            "kind": kind,
            "title": TITLES[kind],
            "application": application,
            "evidence": application.evidence.all() if kind == "ip" else [],
            "actions": applications.application_allowed_actions(application=application, user=request.user),
            "action_form": ActionForm(),
            "evidence_form": EvidenceForm(),
        },
    )


@require_POST
@login_required
def application_action(request: HttpRequest, kind: str, application_id: int) -> HttpResponse:
    """Submit, withdraw, start review, approve or reject: one service each way."""
    kind = _kind_or_404(kind)
    application = applications.application_get_for_user(kind=kind, user=request.user, application_id=application_id)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect("application-detail", kind=kind, application_id=application.pk)
    try:
        applications.application_transition(
            application=application,
            to=ActionForm.ACTIONS[form.cleaned_data["action"]],
            actor=request.user,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ApplicationError as error:
        if error.status == 403:
            raise PermissionDenied from error
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Application %(number)s is now %(status)s.")
            % {"number": application.number, "status": ApplicationStatus(application.status).label},
        )
    return redirect("application-detail", kind=kind, application_id=application.pk)


@require_POST
@login_required
@role_required(*TRADER)
def ip_evidence_upload(request: HttpRequest, application_id: int) -> HttpResponse:
    application = applications.application_get_for_user(kind="ip", user=request.user, application_id=application_id)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            applications.ip_evidence_add(
                application=application, file=form.cleaned_data["file"], uploaded_by=request.user, request=request
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Evidence file added."))
    return redirect("application-detail", kind="ip", application_id=application.pk)


@require_GET
@login_required
def ip_evidence_download(request: HttpRequest, application_id: int, evidence_id: int) -> FileResponse:
    application = applications.application_get_for_user(kind="ip", user=request.user, application_id=application_id)
    evidence = get_object_or_404(application.evidence, pk=evidence_id)
    return document_response(evidence.file, filename=evidence.original_name, content_type=evidence.content_type)
