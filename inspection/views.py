"""Officer pages: the three lists, the result form and the model registry."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customs_portal import aeo, ml_registry
from customs_portal.csvfiles import csv_cell_safe
from customs_portal.errors import ApplicationError
from customs_portal.forms import form_add_application_error
from customs_portal.permissions import ANY_OFFICER, SUPERVISOR, role_required
from declarations.models import Declaration
from inspection import charts, selectors, services
from inspection.forms import (
    AuditListFilterForm,
    InspectionListFilterForm,
    InspectionResultForm,
    ProbablyWrongFilterForm,
)
from inspection.models import InspectionResult
from inspection.reasons import reasons_text

PAGE_SIZE = 50


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([csv_cell_safe(value) for value in row]) for row in [header, *rows]),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _list_form(form_class, request: HttpRequest):
    """The list's filter form, bound to the query. A query that names no office (a first
    visit, a dashboard link) opens on the officer's own office; an empty one means all."""
    data = request.GET.copy()
    if "office" not in data:
        data["office"] = selectors.default_office_code(request.user)
    return form_class(data)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


def _with_reasons(scores) -> list[tuple]:
    """Each score with its reasons in the reader's language: the one place lists word them."""
    return [(score, reasons_text(score.reasons)) for score in scores]


def _with_reasons_and_actions(scores, user) -> list[tuple]:
    """Each score with its reasons and the results `user` may record on its declaration:
    the rows of the lists that offer to record a result."""
    return [
        (
            score,
            reasons_text(score.reasons),
            services.inspection_result_allowed_actions(
                declaration=score.declaration,
                user=user,
                recorded=selectors.recorded_kinds(score),
                inspected=selectors.score_inspected(score),
            ),
        )
        for score in scores
    ]


def _invalid_export(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """A CSV export asked with invalid filters: the page with the form errors, not a file."""
    return render(request, template, context, status=400)


@require_GET
@role_required(*ANY_OFFICER)
def inspection_list(request: HttpRequest) -> HttpResponse:
    form = _list_form(InspectionListFilterForm, request)
    valid = form.is_valid()
    scores = selectors.inspection_list(**form.filters()) if valid else selectors.latest_scores().none()
    if request.GET.get("format") == "csv" and valid:
        return _csv_response(
            "inspection-list.csv",
            ["declaration", "office", "importer", "lane", "probability", "expected_revenue_jpy", "model", "exploration", "reasons"],
            (
                [s.declaration.number, s.office.code, s.declaration.party_name, s.declaration.lane, f"{s.probability:.4f}",
                 s.expected_revenue_jpy, s.model_label, int(s.exploration), " / ".join(reasons_text(s.reasons))]
                for s in scores.iterator()
            ),
        )  # fmt: skip
    page = Paginator(scores, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": _with_reasons_and_actions(page.object_list, request.user),
        "query": _query_without_page(request),
        "charts": charts.inspection_charts(),
    }
    if request.GET.get("format") == "csv":
        return _invalid_export(request, "inspection/inspection_list.html", context)
    return render(request, "inspection/inspection_list.html", context)


@require_GET
@role_required(*ANY_OFFICER)
def probably_wrong_list(request: HttpRequest) -> HttpResponse:
    form = _list_form(ProbablyWrongFilterForm, request)
    valid = form.is_valid()
    scores = selectors.probably_wrong_list(**form.filters()) if valid else selectors.latest_scores().none()
    if request.GET.get("format") == "csv" and valid:
        return _csv_response(
            "probably-wrong.csv",
            ["declaration", "office", "importer", "declaration_date", "lane", "probability", "expected_revenue_jpy",
             "line", "suspected_chapter", "suspected_customs_value_jpy", "suspected_customs_value_range_jpy",
             "suspected_origins", "reasons"],
            (
                [s.declaration.number, s.office.code, s.declaration.party_name, s.declaration.declaration_date,
                 s.declaration.lane, f"{s.probability:.4f}", s.expected_revenue_jpy, s.features.get("line", ""),
                 s.suspected_correction.get("chapter", ""), s.suspected_correction.get("customs_value_jpy", ""),
                 "-".join(str(v) for v in s.suspected_correction.get("customs_value_range_jpy", [])),
                 " ".join(s.suspected_correction.get("origin", [])), " / ".join(reasons_text(s.reasons))]
                for s in scores.iterator()
            ),
        )  # fmt: skip
    page = Paginator(scores, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.probably_wrong_kind_counts(scores)
    chart = {
        "label": _("Declarations"),
        "labels": [
            _("Description reads like another chapter"),
            _("Unit value far below the usual range"),
            _("Origin rarely ships these goods"),
        ],
        "values": [counts[kind] for kind in selectors.CORRECTION_KINDS],
    }
    context = {
        "form": form,
        "page": page,
        "rows": _with_reasons(page.object_list),
        "query": _query_without_page(request),
        "chart": chart,
    }
    if request.GET.get("format") == "csv":
        return _invalid_export(request, "inspection/probably_wrong.html", context)
    return render(request, "inspection/probably_wrong.html", context)


@require_GET
@role_required(*ANY_OFFICER)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = _list_form(AuditListFilterForm, request)
    valid = form.is_valid()
    companies = selectors.audit_list(**form.filters()) if valid else selectors.audit_list().none()
    if request.GET.get("format") == "csv" and valid:
        return _csv_response(
            "post-clearance-audit.csv",
            ["company", "corporate_number", "declarations", "findings", "average_probability", "expected_unpaid_revenue_jpy"],
            (
                [c["company_name"], c["company_number"], c["declarations"], c["findings"],
                 f"{c['average_probability']:.4f}", c["expected"]]
                for c in companies.iterator()
            ),
        )  # fmt: skip
    page = Paginator(companies, PAGE_SIZE).get_page(request.GET.get("page"))
    top = list(companies[:20]) if page.number > 1 else list(page.object_list)[:20]
    chart = {
        "label": _("Expected unpaid revenue (JPY)"),
        "labels": [c["company_name"] for c in top],
        "values": [c["expected"] for c in top],
    }
    context = {
        "form": form,
        "page": page,
        "query": _query_without_page(request),
        "chart": chart,
        "aeo_company_ids": aeo.aeo_company_ids(on=timezone.localdate()),
    }
    if request.GET.get("format") == "csv":
        return _invalid_export(request, "inspection/audit_list.html", context)
    return render(request, "inspection/audit_list.html", context)


@require_GET
@role_required(*ANY_OFFICER)
def audit_company(request: HttpRequest, company_id: int) -> HttpResponse:
    company = selectors.company_get(company_id=company_id)
    scores = selectors.audit_company_scores(company=company)
    page = Paginator(scores, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _with_reasons_and_actions(page.object_list, request.user)
    return render(
        request, "inspection/audit_company.html", {"company": company, "page": page, "rows": rows, "query": ""}
    )


@require_GET
@role_required(*ANY_OFFICER)
def company_detail(request: HttpRequest, company_id: int) -> HttpResponse:
    """A company as officers see it: who it is and every declaration it filed, with risk."""
    company = selectors.company_get(company_id=company_id)
    declarations = selectors.company_declarations(company=company)
    page = Paginator(declarations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inspection/company.html", {"company": company, "page": page, "query": ""})


@require_http_methods(["GET", "POST"])
@role_required(*ANY_OFFICER)
def result_record(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = get_object_or_404(Declaration.objects.select_related("company"), pk=declaration_id)
    actions = services.inspection_result_allowed_actions(declaration=declaration, user=request.user)
    kinds = [kind for kind, action in services.RESULT_ACTIONS.items() if action in actions]
    context = {"declaration": declaration, "allowed_actions": actions}
    if not kinds:
        return render(request, "inspection/result_form.html", {**context, "form": None}, status=403)
    audit = InspectionResult.Kind.POST_CLEARANCE_AUDIT
    initial = audit if declaration.status == Declaration.Status.PERMITTED and audit in kinds else kinds[0]
    form = InspectionResultForm(request.POST or None, initial={"kind": initial}, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_result_record(
                declaration=declaration, officer=request.user, request=request, **form.cleaned_data
            )
        except ApplicationError as exc:
            form_add_application_error(exc, form)
        else:
            messages.success(request, _("The result is recorded; the next model will learn from it."))
            return redirect("inspection-list")
    status = 400 if request.method == "POST" else 200
    return render(request, "inspection/result_form.html", {**context, "form": form}, status=status)


@require_GET
@role_required(*ANY_OFFICER)
def model_registry(request: HttpRequest) -> HttpResponse:
    versions = list(ml_registry.model_version_list_for_user(user=request.user, name=services.MODEL_NAME))
    rows = [
        (version, actions, ml_registry.model_version_metrics(version=version))
        for version, actions in ml_registry.model_versions_with_actions(versions=versions, user=request.user)
    ]
    rollback_to = next((version for version, actions, _metrics in rows if ml_registry.ROLLBACK in actions), None)
    return render(request, "inspection/models.html", {"rows": rows, "rollback_to": rollback_to})


@require_POST
@role_required(*SUPERVISOR)
def model_promote(request: HttpRequest, version_id: int) -> HttpResponse:
    version = ml_registry.model_version_get_for_user(
        user=request.user, model_version_id=version_id, name=services.MODEL_NAME
    )
    try:
        ml_registry.model_version_promote(model_version=version, actor=request.user, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(model)s is now served.") % {"model": version.label})
    return redirect("inspection-models")


@require_POST
@role_required(*SUPERVISOR)
def model_rollback(request: HttpRequest) -> HttpResponse:
    try:
        version = ml_registry.model_version_rollback(name=services.MODEL_NAME, actor=request.user, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rolled back: %(model)s is served again.") % {"model": version.label})
    return redirect("inspection-models")
