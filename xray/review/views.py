"""The officers' X-ray pages (/officer/xray/): the triage queue, a parcel with its image
viewer and the decision, finding and TIP answer posted from it, the image files behind
the viewer, the model's monitoring, the model versions and the supervisor's settings
with the TIP results."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customs_portal import ml_registry
from customs_portal.errors import ApplicationError
from customs_portal.forms import form_add_application_error
from customs_portal.permissions import ANY_OFFICER, SUPERVISOR, role_required, user_has_role
from customs_portal.reasons import reasons_text
from xray.parcels.models import Decision, Parcel
from xray.review import charts, selectors, services
from xray.review.forms import DecisionForm, FindingForm, QueueFilterForm, ReviewSettingsForm
from xray.review.models import Finding
from xray.screening.ml import MODEL_NAME

PAGE_SIZE = 50
REVIEWER = tuple(services.REVIEWER_ROLES)


# The figures of a version the page shows, as xray training records them
# (xray.screening.training): on the validation images, the operating threshold, the ROC
# AUC, and the recall, precision and inspect rate at that threshold; per class, the
# top class's precision, recall and F1.
_VERSION_FIGURES = {
    "threshold": gettext_lazy("Operating threshold"),
    "roc_auc": gettext_lazy("AUC (threat against no threat)"),
    "recall": gettext_lazy("Recall of threats at the threshold"),
    "precision": gettext_lazy("Precision at the threshold"),
    "inspect_rate": gettext_lazy("Share of parcels opened at the threshold"),
    # xgettext:no-python-format
    "recall_at_20pct_benign": gettext_lazy("Recall with 20 % of clean parcels opened"),
    "accuracy": gettext_lazy("Accuracy of the most likely class"),
}
_CLASS_FIGURES = {
    "precision": gettext_lazy("precision"),
    "recall": gettext_lazy("recall"),
    "f1": gettext_lazy("F1"),
}
_TRAINING_FIGURES = {
    "bags_train": gettext_lazy("Parcel images"),
    "officer_labelled": gettext_lazy("Labelled by officers"),
    "validation_images": gettext_lazy("Validation images"),
}


def _number(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:  # NaN is not a figure
        return None
    return (
        number_format(round(value, 3), decimal_pos=3)
        if isinstance(value, float)
        else number_format(value, force_grouping=True)
    )


def _model_metrics(version) -> dict:
    """The version's validation figures worded for the page: {"overall": [(label,
    value)], "classes": [(class label, [(label, value)])], "training": [(label, value)]}.
    A figure not recorded is left out."""
    metrics = version.metrics if isinstance(version.metrics, dict) else {}
    figures = {
        "accuracy": metrics.get("accuracy"),
        **(metrics.get("validation") or {}),
        **(metrics.get("holdout") or {}),
    }
    overall = [(str(label), _number(figures.get(key))) for key, label in _VERSION_FIGURES.items()]
    per_class = metrics.get("per_class") or {}
    classes = []
    for name in (value for value in Finding.values if isinstance(per_class.get(value), dict)):
        shown = [(str(label), _number(per_class[name].get(key))) for key, label in _CLASS_FIGURES.items()]
        classes.append((Finding(name).label, [(label, value) for label, value in shown if value is not None]))
    summary = version.training_summary if isinstance(version.training_summary, dict) else {}
    training = [(str(label), _number(summary.get(key))) for key, label in _TRAINING_FIGURES.items()]
    return {
        "overall": [(label, value) for label, value in overall if value is not None],
        "classes": classes,
        "training": [(label, value) for label, value in training if value is not None],
    }


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_GET
@role_required(*ANY_OFFICER)
def queue(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    # A first visit (no filter in the query) opens on the parcels waiting for an officer.
    data.setdefault("status", Parcel.Status.SCREENED)
    form = QueueFilterForm(data)
    if form.is_valid():
        filters = form.filters()
        parcels = selectors.parcel_queue(user=request.user, **filters)
        counts = selectors.parcel_queue_counts(
            parcels=selectors.parcel_queue(user=request.user, **{**filters, "machine_decision": ""})
        )
    else:
        parcels = selectors.parcel_queue(user=request.user).none()
        counts = selectors.parcel_queue_counts(parcels=parcels)
    page = Paginator(parcels, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "counts": counts, "query": _query_without_page(request)}
    return render(request, "xray/review/queue.html", context, status=200 if form.is_valid() else 400)


def _parcel_page(request: HttpRequest, parcel: Parcel, *, decision_form=None, finding_form=None, status: int = 200):
    reviewer = user_has_role(request.user, REVIEWER)
    presentation = services.tip_present(parcel=parcel, officer=request.user) if reviewer else None
    review = next(iter(parcel.reviews.all()), None)
    may_decide = reviewer and parcel.status == Parcel.Status.SCREENED
    may_record_finding = (
        reviewer
        and presentation is None
        and parcel.status == Parcel.Status.DECIDED
        and parcel.final_decision == Decision.INSPECT
        and review is not None
        and not review.finding
    )
    context = {
        "parcel": parcel,
        "readings": selectors.parcel_readings(parcel),
        "review": review,
        "decision_form": decision_form or (DecisionForm(initial=_initial_decision(parcel)) if may_decide else None),
        "finding_form": finding_form or (FindingForm() if may_record_finding else None),
        "mismatches": reasons_text(parcel.mismatch_reasons),
        "reviewer": reviewer,
        "tip": presentation,
    }
    return render(request, "xray/review/parcel.html", context, status=status)


def _initial_decision(parcel: Parcel) -> dict:
    if parcel.control_sample:
        return {"decision": Decision.INSPECT, "reason": "control_sample"}
    return {"decision": parcel.machine_decision or None, "reason": "model_agreed"}


@require_GET
@role_required(*ANY_OFFICER)
def parcel_detail(request: HttpRequest, item_number: str) -> HttpResponse:
    parcel = selectors.parcel_get_for_officer(user=request.user, item_number=item_number)
    return _parcel_page(request, parcel)


@require_POST
@role_required(*REVIEWER)
def parcel_decide(request: HttpRequest, item_number: str) -> HttpResponse:
    """The decision posted from the parcel page. While a projected threat is shown, the
    answer goes to it and the officer then sees the real parcel."""
    parcel = selectors.parcel_get_for_officer(user=request.user, item_number=item_number)
    form = DecisionForm(request.POST)
    presentation = selectors.tip_pending(officer=request.user, parcel=parcel)
    if presentation is not None:
        return _tip_answer(request, parcel=parcel, presentation=presentation)
    if form.is_valid():
        try:
            services.parcel_review_decide(parcel=parcel, officer=request.user, request=request, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(exc, form)
        else:
            messages.success(request, _("Parcel %(item)s: decision recorded.") % {"item": parcel.item_number})
            return redirect("xray-review-parcel", item_number=parcel.item_number)
    parcel = selectors.parcel_get_for_officer(user=request.user, item_number=item_number)
    return _parcel_page(request, parcel, decision_form=form, status=400)


def _tip_answer(request: HttpRequest, *, parcel: Parcel, presentation) -> HttpResponse:
    try:
        presentation = services.tip_answer(
            presentation=presentation, officer=request.user, decision=request.POST.get("decision", ""), request=request
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("xray-review-parcel", item_number=parcel.item_number)
    threat = Finding(presentation.projected_class).label
    if presentation.flagged:
        text = _("That was a test image (TIP) with a projected %(threat)s, and you flagged it. Now the real parcel.")
        messages.success(request, text % {"threat": threat}, extra_tags="tip-result")
    else:
        text = _("That was a test image (TIP) with a projected %(threat)s, which you missed. Now the real parcel.")
        messages.warning(request, text % {"threat": threat}, extra_tags="tip-result")
    return redirect("xray-review-parcel", item_number=parcel.item_number)


@require_POST
@role_required(*REVIEWER)
def parcel_finding(request: HttpRequest, item_number: str) -> HttpResponse:
    parcel = selectors.parcel_get_for_officer(user=request.user, item_number=item_number)
    form = FindingForm(request.POST)
    if form.is_valid():
        try:
            services.parcel_finding_record(parcel=parcel, officer=request.user, request=request, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(exc, form)
        else:
            messages.success(request, _("Parcel %(item)s: finding recorded.") % {"item": parcel.item_number})
            return redirect("xray-review-parcel", item_number=parcel.item_number)
    parcel = selectors.parcel_get_for_officer(user=request.user, item_number=item_number)
    return _parcel_page(request, parcel, finding_form=form, status=400)


def _file_response(field: FieldFile) -> FileResponse:
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    if not content_type.startswith("image/"):
        content_type = "application/octet-stream"
    response = FileResponse(field.open("rb"), content_type=content_type)
    # Customs-internal images: kept by no shared cache, never sniffed into another type.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@role_required(*ANY_OFFICER)
def image_file(request: HttpRequest, image_id: int) -> HttpResponse:
    """An X-ray image for the viewer. An officer who is being shown a projected threat in
    place of this image gets the projected one, at the same address, so that nothing on
    the page tells a test image apart."""
    image = selectors.image_get_for_officer(user=request.user, image_id=image_id)
    presentation = selectors.tip_pending_for_image(officer=request.user, image=image)
    return _file_response(presentation.file if presentation is not None else image.file)


@require_GET
@role_required(*ANY_OFFICER)
def heatmap_file(request: HttpRequest, image_id: int) -> HttpResponse:
    result = selectors.heatmap_get_for_officer(user=request.user, image_id=image_id)
    return _file_response(result.heatmap)


@require_GET
@role_required(*ANY_OFFICER)
def monitoring(request: HttpRequest) -> HttpResponse:
    series = selectors.monitoring_series(user=request.user)
    return render(
        request,
        "xray/review/monitoring.html",
        {"series": series, "chart": charts.monitoring_chart(series)},
    )


@require_GET
@role_required(*ANY_OFFICER)
def model_versions(request: HttpRequest) -> HttpResponse:
    versions = list(ml_registry.model_version_list_for_user(user=request.user, name=MODEL_NAME))
    rows = [
        (version, actions, _model_metrics(version))
        for version, actions in ml_registry.model_versions_with_actions(versions=versions, user=request.user)
    ]
    rollback_to = next((version for version, actions, _metrics in rows if ml_registry.ROLLBACK in actions), None)
    return render(request, "xray/review/models.html", {"rows": rows, "rollback_to": rollback_to})


@require_POST
@role_required(*SUPERVISOR)
def model_promote(request: HttpRequest, version_id: int) -> HttpResponse:
    version = ml_registry.model_version_get_for_user(user=request.user, model_version_id=version_id, name=MODEL_NAME)
    try:
        ml_registry.model_version_promote(model_version=version, actor=request.user, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(model)s is now served.") % {"model": version.label})
    return redirect("xray-review-models")


@require_POST
@role_required(*SUPERVISOR)
def model_rollback(request: HttpRequest) -> HttpResponse:
    try:
        version = ml_registry.model_version_rollback(name=MODEL_NAME, actor=request.user, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rolled back: %(model)s is served again.") % {"model": version.label})
    return redirect("xray-review-models")


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISOR)
def review_settings(request: HttpRequest) -> HttpResponse:
    """The supervisor's screening settings, and how officers answered projected threats."""
    current = services.review_settings_current()
    initial = {"tip_share_percent": current.tip_share_percent, "control_sample_percent": current.control_sample_percent}
    form = ReviewSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_settings_update(actor=request.user, request=request, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(exc, form)
        else:
            messages.success(request, _("The screening settings are saved."))
            return redirect("xray-review-settings")
    context = {"form": form, "current": current, "tip_stats": selectors.tip_stats(user=request.user)}
    return render(request, "xray/review/settings.html", context, status=400 if request.method == "POST" else 200)
