"""The tariff search page, the supervisors' pages of the travellers' rules, and the
old admin addresses of the tariff models."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customs_portal.errors import ApplicationError
from customs_portal.forms import form_add_application_error
from customs_portal.permissions import SUPERVISOR, role_required
from declarations.tariff import selectors, services
from declarations.tariff.forms import TariffSearchForm, TravellerRuleSetForm
from declarations.tariff.travellers import TRAVELLER_CATEGORIES

TARIFF_PAGE_SIZE = 50


@require_GET
@login_required
def tariff_search(request: HttpRequest) -> HttpResponse:
    """The tariff by code prefix or words, for traders and officers alike."""
    form = TariffSearchForm(request.GET or None)
    page = None
    on = timezone.localdate()
    if form.is_valid() and form.cleaned_data["q"].strip():
        on = form.cleaned_data["date"] or on
        lines = selectors.tariff_lines_search(query=form.cleaned_data["q"], on=on)
        page = Paginator(lines, TARIFF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tariff/search.html", {"form": form, "page": page, "on": on})


def tariff_admin_moved(request: HttpRequest, model: str, rest: str) -> HttpResponse:
    """Sends an old admin address of a tariff model to its address in the tariff app."""
    query = request.META.get("QUERY_STRING", "")
    target = f"{reverse('admin:index')}tariff/{model}/{rest}"
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)


# Travellers' rules (supervisors) ----------------------------------------------------


@require_GET
@role_required(*SUPERVISOR)
def traveller_rules(request: HttpRequest) -> HttpResponse:
    """The travellers' rule sets by start date, the one in force today marked."""
    rows = selectors.traveller_rule_sets_for_user(user=request.user)
    return render(request, "tariff/traveller_rules.html", {"rows": rows, "categories": TRAVELLER_CATEGORIES})


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISOR)
def traveller_rule_set_new(request: HttpRequest) -> HttpResponse:
    """A new rule set from a future day, prefilled with the rules in force today."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    current = selectors.traveller_rule_sets_for_user(user=request.user)
    in_force = next((row for row in current if row.in_force), None)
    initial = (
        TravellerRuleSetForm.initial_from(in_force.rules, valid_from=tomorrow, source=in_force.rule_set.source)
        if in_force
        else {"valid_from": tomorrow}
    )
    form = TravellerRuleSetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rule_set = services.traveller_rule_set_create(
                rules=form.rules(), source=form.cleaned_data["source"], created_by=request.user, request=request
            )
        except ApplicationError as error:
            form_add_application_error(error, form)
        else:
            messages.success(request, _("The rule set from %(date)s is saved.") % {"date": rule_set.valid_from})
            return redirect("traveller-rules")
    return _rule_set_page(request, form=form, rule_set=None)


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISOR)
def traveller_rule_set_edit(request: HttpRequest, rule_set_id: int) -> HttpResponse:
    """A rule set that has not started yet, to change; one that has, to read."""
    rule_set, rules = selectors.traveller_rule_set_get_for_user(user=request.user, rule_set_id=rule_set_id)
    form = TravellerRuleSetForm(
        request.POST or None, initial=TravellerRuleSetForm.initial_from(rules, source=rule_set.source)
    )
    if rule_set.valid_from <= timezone.localdate():
        for field in form.fields.values():
            field.disabled = True
    elif request.method == "POST" and form.is_valid():
        try:
            services.traveller_rule_set_update(
                rule_set=rule_set,
                rules=form.rules(),
                source=form.cleaned_data["source"],
                updated_by=request.user,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(error, form)
        else:
            messages.success(request, _("The rule set from %(date)s is saved.") % {"date": form.rules().valid_from})
            return redirect("traveller-rules")
    return _rule_set_page(request, form=form, rule_set=rule_set)


@require_POST
@role_required(*SUPERVISOR)
def traveller_rule_set_delete(request: HttpRequest, rule_set_id: int) -> HttpResponse:
    rule_set, _rules = selectors.traveller_rule_set_get_for_user(user=request.user, rule_set_id=rule_set_id)
    try:
        services.traveller_rule_set_delete(rule_set=rule_set, deleted_by=request.user, request=request)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The rule set from %(date)s is deleted.") % {"date": rule_set.valid_from})
    return redirect("traveller-rules")


def _rule_set_page(request: HttpRequest, *, form: TravellerRuleSetForm, rule_set) -> HttpResponse:
    editable = rule_set is None or rule_set.valid_from > timezone.localdate()
    return render(
        request,
        "tariff/traveller_rule_set_form.html",
        {"form": form, "rule_set": rule_set, "editable": editable},
        status=400 if form.is_bound and form.errors else 200,
    )
