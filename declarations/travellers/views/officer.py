"""The officer console (/officer/travellers/): the live list of kiosk decisions and its
JSON feed, the red-lane queue per terminal, the look-up by passport, a declaration with
its calculation and history, the officer's decision at the desk; and the supervisor's
kiosks, gate rules and watch list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customs_portal.errors import ApplicationError
from customs_portal.forms import form_add_application_error
from customs_portal.permissions import role_required, user_has_role
from declarations.tariff.interface import TRAVELLER_CATEGORIES
from declarations.travellers import selectors, services
from declarations.travellers.forms import (
    DecisionFilterForm,
    GateRuleForm,
    KioskRegisterForm,
    OfficerDecisionForm,
    PassportLookupForm,
    QueueFilterForm,
    WatchListForm,
)
from declarations.travellers.models import (
    Airport,
    Kiosk,
    KioskDecision,
    Lane,
    TravellerDeclaration,
)
from declarations.travellers.questions import QUESTIONS
from declarations.travellers.reasons import reason_text
from declarations.travellers.selectors import GATE_SUPERVISOR, PERSONAL_DATA_READER, TRAVELLER_OFFICER

LIVE_LIMIT = 50
# How often the live list asks for new decisions (milliseconds).
LIVE_POLL_MS = 3000

# The stored estimate's codes, worded for officers. The tariff engine words its bases in
# full for travellers; officers read a table and need the short name of each rule.
_BASIS_LABELS = {
    "allowance_alcohol": gettext_lazy("Alcohol allowance"),
    "allowance_cigarettes": gettext_lazy("Cigarette allowance"),
    "allowance_cigars": gettext_lazy("Cigar allowance"),
    "allowance_heated_tobacco": gettext_lazy("Heated tobacco allowance"),
    "allowance_other_tobacco": gettext_lazy("Other tobacco allowance"),
    "allowance_perfume": gettext_lazy("Perfume allowance"),
    "allowance_other_goods": gettext_lazy("¥200,000 allowance for other goods"),
    "allowance_small_value": gettext_lazy("¥10,000 rule for one item type"),
    "no_allowance_under_20": gettext_lazy("No alcohol or tobacco allowance under 20"),
    "no_allowance_under_6": gettext_lazy("No allowance under 6 (except for the child's own goods)"),
    "no_allowance_single_article": gettext_lazy("One article over ¥200,000: no allowance"),
    "simplified_rate": gettext_lazy("Simplified rate"),
    "general_rate_over_limit": gettext_lazy("General rate: one article over ¥100,000 taxable value"),
    "general_rate_no_simplified_rate": gettext_lazy("General rate: no simplified rate for these goods"),
}
_TREATMENT_LABELS = {
    "free": gettext_lazy("Free"),
    "simplified_rate": gettext_lazy("Simplified rate"),
    "general_rate": gettext_lazy("General rate (assessed by customs)"),
}
_TAX_TYPE_LABELS = {
    "alcohol": gettext_lazy("Alcohol"),
    "tobacco": gettext_lazy("Tobacco"),
    "other_goods": gettext_lazy("Other goods"),
}
_AUDIT_LABELS = {
    "traveller.kiosk_decision": gettext_lazy("Kiosk decision"),
    "traveller.duty_paid": gettext_lazy("Duty paid at the kiosk"),
    "traveller.desk_chosen": gettext_lazy("Traveller chose to pay at the desk"),
    "traveller.officer_decision": gettext_lazy("Officer's decision"),
    "traveller.personal_data_viewed": gettext_lazy("Personal data shown"),
}


def _code_label(labels: dict[str, Any], code: str) -> str:
    return str(labels.get(code, code.replace("_", " ")))


def _kiosk_place(kiosk: Kiosk) -> str:
    return f"{kiosk.airport} {kiosk.terminal} · {kiosk.code}"


def _decision_row(decision: KioskDecision) -> dict[str, Any]:
    """One row of the live list, as the page renders it and the feed sends it."""
    declaration = decision.declaration
    return {
        "id": decision.pk,
        "time": date_format(timezone.localtime(decision.created_at), "H:i:s"),
        "datetime": decision.created_at.isoformat(),
        "place": _kiosk_place(decision.kiosk),
        "lane": decision.lane,
        "lane_label": str(Lane(decision.lane).label),
        "reasons": [reason_text(item) for item in decision.reasons],
        "reference": declaration.reference if declaration else "",
        "url": reverse("traveller-officer-declaration", args=[declaration.pk]) if declaration else "",
        "duty": f"¥{decision.duty_jpy:,}",
    }


def _filters(request: HttpRequest) -> dict[str, Any]:
    form = DecisionFilterForm(request.GET)
    return form.cleaned_data if form.is_valid() else {"airport": "", "lane": "", "after": None}


def _counts_chart(counts: dict[str, int]) -> dict[str, Any]:
    return {
        "label": _("Decisions today"),
        "lanes": list(counts),
        "labels": [str(Lane(lane).label) for lane in counts],
        "values": list(counts.values()),
    }


@require_GET
@role_required(*TRAVELLER_OFFICER)
def console(request: HttpRequest) -> HttpResponse:
    """The live list of kiosk decisions; static/travellers/officer/live.js keeps it fresh."""
    filters = _filters(request)
    decisions = selectors.kiosk_decisions_recent(
        user=request.user, limit=LIVE_LIMIT, airport=filters["airport"], lane=filters["lane"]
    )
    counts = selectors.kiosk_decision_counts_today(user=request.user, airport=filters["airport"])
    rows = [_decision_row(decision) for decision in decisions]
    live = {
        "feed": reverse("traveller-officer-feed"),
        "after": rows[0]["id"] if rows else 0,
        "airport": filters["airport"],
        "lane": filters["lane"],
        "poll_ms": LIVE_POLL_MS,
        "limit": LIVE_LIMIT,
        "chart": _counts_chart(counts),
        "texts": {"none": _("No kiosk decision yet."), "lost": _("Connection lost: trying again.")},
    }
    context = {
        "form": DecisionFilterForm(request.GET or None),
        "rows": rows,
        "counts": [(lane, Lane(lane).label, count) for lane, count in counts.items()],
        "live": live,
    }
    return render(request, "travellers/officer/console.html", context)


@require_GET
@never_cache
@role_required(*TRAVELLER_OFFICER)
def console_feed(request: HttpRequest) -> JsonResponse:
    """The decisions after `?after=<id>` (newest first) and today's counts per lane."""
    form = DecisionFilterForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": {"code": "invalid_filter", "fields": form.errors}}, status=400)
    filters = form.cleaned_data
    decisions = selectors.kiosk_decisions_recent(
        user=request.user,
        after_id=filters["after"] or 0,
        limit=LIVE_LIMIT,
        airport=filters["airport"],
        lane=filters["lane"],
    )
    counts = selectors.kiosk_decision_counts_today(user=request.user, airport=filters["airport"])
    return JsonResponse({"decisions": [_decision_row(decision) for decision in decisions], "counts": counts})


@require_GET
@role_required(*TRAVELLER_OFFICER)
def desk_queue(request: HttpRequest) -> HttpResponse:
    """The red-lane queue: declarations waiting at the desk, by airport and terminal."""
    form = QueueFilterForm(request.GET or None)
    airport = form.cleaned_data["airport"] if form.is_valid() else ""
    now = timezone.now()
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for declaration in selectors.red_lane_queue(user=request.user, airport=airport):
        place = (declaration.desk_airport or declaration.arrival_airport, declaration.desk_terminal or "")
        waiting = now - (declaration.decided_at or declaration.created_at)
        groups.setdefault(place, []).append(
            {"declaration": declaration, "waiting_minutes": max(0, int(waiting.total_seconds() // 60))}
        )
    terminals = [
        {"airport": airport_code, "airport_label": Airport(airport_code).label, "terminal": terminal, "rows": rows}
        for (airport_code, terminal), rows in sorted(groups.items())
    ]
    return render(request, "travellers/officer/desk_queue.html", {"form": form, "terminals": terminals})


@sensitive_post_parameters("passport")
@never_cache
@require_http_methods(["GET", "POST"])
@role_required(*TRAVELLER_OFFICER)
def passport_lookup(request: HttpRequest) -> HttpResponse:
    """The declarations filed with a passport. A POST form, so that the number stays out
    of the URL, the browser's history and the access log; the results page does not show
    it again."""
    form = PassportLookupForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        found = selectors.traveller_declarations_by_passport(
            user=request.user, passport_number=form.cleaned_data["passport"], request=request
        )
        form = PassportLookupForm()
    status = 400 if form.errors else 200
    return render(request, "travellers/officer/passport_lookup.html", {"form": form, "found": found}, status=status)


def _estimate_rows(declaration: TravellerDeclaration) -> dict[str, Any]:
    """The stored estimate, its codes worded in the officer's language."""
    estimate = declaration.estimate or {}
    lines = [
        {
            **line,
            "category_label": str(TRAVELLER_CATEGORIES.get(line["category"], line["category"])),
            "treatment_label": _code_label(_TREATMENT_LABELS, line["treatment"]),
            "allowance_label": _code_label(_BASIS_LABELS, line["allowance"]) if line.get("allowance") else "",
            "basis_label": _code_label(_BASIS_LABELS, line["basis"]) if line.get("basis") else "",
            "tax": None if line.get("tax_jpy") is None else int(line["tax_jpy"]),
        }
        for line in estimate.get("lines", [])
    ]
    totals = [
        {"label": _code_label(_TAX_TYPE_LABELS, total["tax_type"]), "total_jpy": total["total_jpy"]}
        for total in estimate.get("totals", [])
    ]
    return {"lines": lines, "totals": totals, "total_jpy": estimate.get("total_jpy", declaration.duty_jpy)}


def _payment_state(declaration: TravellerDeclaration, events: list, officer_decisions: list) -> dict[str, Any]:
    """What the declaration's status, decisions and audit trail say about the duty: the
    payments app notifies each payment through services.traveller_duty_paid, which audits
    it; an officer records the duty collected at the desk with the decision."""
    Status = TravellerDeclaration.Status
    paid = next((event for event in events if event.action == "traveller.duty_paid"), None)
    collected = sum(decision.duty_jpy for decision in officer_decisions)
    if paid is not None:
        return {"text": _("Paid at the kiosk"), "reference": (paid.after or {}).get("payment", "")}
    if collected:
        return {"text": _("Collected at the desk: %(amount)s") % {"amount": f"¥{collected:,}"}, "reference": ""}
    if declaration.status == Status.AWAITING_PAYMENT:
        return {"text": _("Waiting for payment at the kiosk"), "reference": ""}
    if declaration.status == Status.DESK and (declaration.duty_jpy or declaration.assessed_by_customs):
        return {"text": _("To be assessed and collected at the desk"), "reference": ""}
    if declaration.duty_jpy == 0 and not declaration.assessed_by_customs:
        return {"text": _("No duty estimated"), "reference": ""}
    return {"text": _("Nothing paid"), "reference": ""}


def _declaration_render(
    request: HttpRequest,
    declaration: TravellerDeclaration,
    *,
    decision_form: OfficerDecisionForm | None = None,
    personal: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    history = selectors.traveller_declaration_history(user=request.user, declaration=declaration)
    events = history["audit_events"]
    can_decide = declaration.status == TravellerDeclaration.Status.DESK
    context = {
        "declaration": declaration,
        "estimate": _estimate_rows(declaration),
        "answers": [
            {"text": question.text, "yes": bool(declaration.answers.get(key))} for key, question in QUESTIONS.items()
        ],
        "kiosk_decisions": [
            (decision, [reason_text(item) for item in decision.reasons]) for decision in history["kiosk_decisions"]
        ],
        "officer_decisions": history["officer_decisions"],
        "events": [(event, _code_label(_AUDIT_LABELS, event.action)) for event in events],
        "payment": _payment_state(declaration, events, history["officer_decisions"]),
        "decision_form": (decision_form or OfficerDecisionForm()) if can_decide else None,
        "may_read_personal": user_has_role(request.user, PERSONAL_DATA_READER) and not declaration.purged_at,
        "personal": personal,
    }
    return render(request, "travellers/officer/declaration.html", context, status=status)


@require_GET
@role_required(*TRAVELLER_OFFICER)
def declaration_detail(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = selectors.traveller_declaration_get_for_officer(user=request.user, declaration_id=declaration_id)
    return _declaration_render(request, declaration)


@require_POST
@role_required(*TRAVELLER_OFFICER)
def declaration_decide(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = selectors.traveller_declaration_get_for_officer(user=request.user, declaration_id=declaration_id)
    form = OfficerDecisionForm(request.POST)
    if form.is_valid():
        try:
            decision = services.traveller_officer_decide(
                declaration=declaration,
                officer=request.user,
                outcome=form.cleaned_data["outcome"],
                duty_jpy=form.cleaned_data["duty_jpy"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(error, form)
        else:
            messages.success(
                request,
                _("%(reference)s: %(outcome)s.")
                % {"reference": declaration.reference, "outcome": decision.get_outcome_display()},
            )
            return redirect("traveller-officer-declaration", declaration_id=declaration.pk)
    declaration.refresh_from_db()
    if declaration.status != TravellerDeclaration.Status.DESK:
        messages.error(request, _("This declaration has been decided already."))
        return redirect("traveller-officer-declaration", declaration_id=declaration.pk)
    return _declaration_render(request, declaration, decision_form=form, status=400)


@never_cache
@require_POST
@role_required(*PERSONAL_DATA_READER)
def declaration_personal_data(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """The traveller's name, passport and address, shown on this response only (never
    cached); each opening is audited by the selector."""
    declaration = selectors.traveller_declaration_get_for_officer(user=request.user, declaration_id=declaration_id)
    if declaration.purged_at is not None:
        messages.info(request, _("The personal data of this declaration has been erased."))
        return redirect("traveller-officer-declaration", declaration_id=declaration.pk)
    personal = selectors.traveller_personal_data_for_officer(
        user=request.user, declaration=declaration, request=request
    )
    return _declaration_render(request, declaration, personal=personal)


# The supervisor's pages -----------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(*GATE_SUPERVISOR)
def kiosks(request: HttpRequest) -> HttpResponse:
    """The registered kiosks and the form that registers one; a new kiosk's token is on
    this response only (it is kept as a hash)."""
    form = KioskRegisterForm(request.POST or None)
    registered = None
    if request.method == "POST" and form.is_valid():
        try:
            kiosk, raw_token = services.kiosk_register(registered_by=request.user, request=request, **form.cleaned_data)
        except ApplicationError as error:
            form_add_application_error(error, form)
        else:
            registered = {"kiosk": kiosk, "token": raw_token}
            form = KioskRegisterForm()
    context = {"form": form, "kiosks": selectors.kiosks_for_supervisor(user=request.user), "registered": registered}
    return render(request, "travellers/officer/kiosks.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(*GATE_SUPERVISOR)
def kiosk_revoke(request: HttpRequest, kiosk_id: int) -> HttpResponse:
    """Asks to confirm (GET), then revokes (POST)."""
    kiosk = get_object_or_404(selectors.kiosks_for_supervisor(user=request.user), pk=kiosk_id)
    if request.method == "POST":
        try:
            services.kiosk_revoke(kiosk=kiosk, revoked_by=request.user, request=request)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Kiosk %(code)s is revoked: its token no longer works.") % {"code": kiosk.code})
        return redirect("traveller-officer-kiosks")
    return render(request, "travellers/officer/kiosk_revoke.html", {"kiosk": kiosk})


@require_http_methods(["GET", "POST"])
@role_required(*GATE_SUPERVISOR)
def gate_rules(request: HttpRequest) -> HttpResponse:
    form = GateRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.gate_rule_create(created_by=request.user, request=request, **form.service_kwargs())
        except ApplicationError as error:
            form_add_application_error(error, form)
        else:
            messages.success(request, _("The rule is saved."))
            return redirect("traveller-officer-rules")
    rules = selectors.gate_rules_for_supervisor(user=request.user)
    return render(
        request,
        "travellers/officer/gate_rules.html",
        {"form": form, "rules": rules, "questions": {key: question.short for key, question in QUESTIONS.items()}},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(*GATE_SUPERVISOR)
def gate_rule_end(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = selectors.gate_rule_get_for_supervisor(user=request.user, rule_id=rule_id)
    try:
        services.gate_rule_end(rule=rule, ended_by=request.user, request=request)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The rule is ended."))
    return redirect("traveller-officer-rules")


@sensitive_post_parameters("passport_number")
@require_http_methods(["GET", "POST"])
@role_required(*GATE_SUPERVISOR)
def watch_list(request: HttpRequest) -> HttpResponse:
    form = WatchListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.watch_list_add(added_by=request.user, request=request, **form.cleaned_data)
        except ApplicationError as error:
            form_add_application_error(error, form)
        else:
            messages.success(request, _("The passport is on the watch list."))
            return redirect("traveller-officer-watch-list")
    entries = selectors.watch_list_for_supervisor(user=request.user)
    return render(
        request,
        "travellers/officer/watch_list.html",
        {"form": form, "entries": entries},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(*GATE_SUPERVISOR)
def watch_list_end(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(selectors.watch_list_for_supervisor(user=request.user), pk=entry_id)
    try:
        services.watch_list_end(entry=entry, ended_by=request.user, request=request)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The watch list entry is ended."))
    return redirect("traveller-officer-watch-list")
