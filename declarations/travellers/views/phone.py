"""The phone declaration (/travel/): Form C5360 as a guided flow that a traveller fills in
before landing, with no account. The pages are one template whose steps the script
(static/travellers/phone/phone.js) shows one at a time; it keeps the draft on the phone,
asks the API for the estimate, files the declaration and keeps it until the network is
back. The QR code is drawn here, from a token that verifies."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta
from typing import Any

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from declarations.tariff.interface import TRAVELLER_CATEGORIES
from declarations.travellers import api
from declarations.travellers.models import Airport
from declarations.travellers.nationalities import nationality_choices
from declarations.travellers.questions import (
    CASH,
    COMMERCIAL,
    FOR_OTHERS,
    GOLD,
    OVER_ALLOWANCE,
    PROHIBITED,
    QUESTIONS,
    UNACCOMPANIED,
)
from declarations.travellers.rules import gate_rules_in_force
from declarations.travellers.tokens import TokenError, token_verify

# What counts for each question, in a line under it.
QUESTION_HELP = {
    PROHIBITED: gettext_lazy(
        "Drugs, guns and ammunition, explosives, counterfeit brand goods, child pornography; also meat "
        "(sausages, jerky), fruit, plants and soil, animals, ivory and other protected species, and "
        "medicines beyond personal use."
    ),
    GOLD: gettext_lazy("Gold bars, coins and jewellery made of gold, of any weight."),
    OVER_ALLOWANCE: gettext_lazy(
        "Souvenirs, gifts and purchases made abroad (duty-free shop goods too) beyond the allowance: "
        "more than 3 bottles of alcohol or 200 cigarettes per adult, or other goods worth more than ¥200,000 "
        "in total."
    ),
    COMMERCIAL: gettext_lazy("Goods for sale or for your business, and samples, whatever their value."),
    FOR_OTHERS: gettext_lazy("A parcel or suitcase that someone gave you to bring to Japan, paid or not."),
    CASH: gettext_lazy(
        "Banknotes and coins in any currency, cheques (travellers' cheques too), promissory notes and "
        "securities, together worth more than ¥1,000,000; or gold and other precious metals over 1 kg."
    ),
    UNACCOMPANIED: gettext_lazy(
        "Baggage sent by post or by a delivery company that will arrive after you. Keep a copy of the "
        "declaration for it."
    ),
}

# What the service worker keeps for the pages to open offline.
SERVICE_WORKER_ASSETS = ("travellers/phone/phone.css", "travellers/phone/phone.js", "img/favicon.svg")

# The categories whose units are measured: a bottle's volume, a pack's weight.
VOLUME_CATEGORIES = ("whisky_brandy", "rum_gin_vodka", "liqueur", "shochu", "other_alcohol", "perfume")
WEIGHT_CATEGORIES = ("other_tobacco",)


def _page_urls() -> list[str]:
    return [reverse("travel-start"), reverse("travel-declare"), reverse("travel-my-qr")]


def _script_config(*, desk_answers: frozenset[str] = frozenset()) -> dict[str, Any]:
    """What the pages' script needs: addresses, limits and its texts in the page language."""
    today = timezone.localdate()
    return {
        "language": get_language(),
        "estimateUrl": reverse("api-traveller-declaration-estimate"),
        "submitUrl": reverse("api-traveller-declarations"),
        "declareUrl": reverse("travel-declare"),
        "myQrUrl": reverse("travel-my-qr"),
        "qrUrl": reverse("travel-qr", args=["REFERENCE"]),
        "serviceWorkerUrl": reverse("travel-service-worker"),
        "maxItems": api.MAX_ITEMS,
        "maxQuantity": api.MAX_QUANTITY,
        "maxValue": api.MAX_VALUE_JPY,
        "maxFamily": api.MAX_FAMILY,
        "arrivalMin": (today - timedelta(days=1)).isoformat(),
        "arrivalMax": (today + timedelta(days=settings.TRAVELLER_ARRIVAL_MAX_DAYS_AHEAD)).isoformat(),
        "volumeCategories": VOLUME_CATEGORIES,
        "weightCategories": WEIGHT_CATEGORIES,
        "categories": {key: str(label) for key, label in TRAVELLER_CATEGORIES.items()},
        "questions": {key: str(question.short) for key, question in QUESTIONS.items()},
        "deskAnswers": sorted(desk_answers),
        "text": _script_texts(),
    }


def _form_context() -> dict[str, Any]:
    """The declaration form's choices and limits."""
    today = timezone.localdate()
    common, every = nationality_choices(get_language())
    desk_answers = gate_rules_in_force(at=timezone.now()).answers
    return {
        "common_nationalities": common,
        "all_nationalities": every,
        "airports": Airport.choices,
        "categories": list(TRAVELLER_CATEGORIES.items()),
        "questions": [
            {"key": key, "text": question.text, "help": QUESTION_HELP.get(key, ""), "desk": key in desk_answers}
            for key, question in QUESTIONS.items()
        ],
        "today": today.isoformat(),
        "arrival_min": (today - timedelta(days=1)).isoformat(),
        "arrival_max": (today + timedelta(days=settings.TRAVELLER_ARRIVAL_MAX_DAYS_AHEAD)).isoformat(),
        "max_family": api.MAX_FAMILY,
        "max_quantity": api.MAX_QUANTITY,
        "max_value": api.MAX_VALUE_JPY,
        "phone_config": _script_config(desk_answers=desk_answers),
    }


def _script_texts() -> dict[str, str]:
    """Every sentence the script writes, in the page language."""
    return {
        "required": _("Fill in this field."),
        "chooseAnswer": _("Choose yes or no."),
        "quantityRange": _("Give a quantity from 1 to %(max)s.") % {"max": f"{api.MAX_QUANTITY:,}"},
        "valueRange": _("Give a value from ¥0 to ¥%(max)s per unit.") % {"max": f"{api.MAX_VALUE_JPY:,}"},
        "volumeRange": _("Give the volume of one bottle in ml, from 1 to 20,000."),
        "weightRange": _("Give the weight of one unit in grams, from 1 to 20,000."),
        "familyRange": _("Give a number from 0 to %(max)s.") % {"max": api.MAX_FAMILY},
        "arrivalRange": _("Give an arrival date between yesterday and %(days)s days from today.")
        % {"days": settings.TRAVELLER_ARRIVAL_MAX_DAYS_AHEAD},
        "birthFuture": _("The date of birth cannot be after the arrival date."),
        "birthOld": _("Give the date of birth printed in the passport."),
        "passportNumber": _("Give the passport number: 5 to 9 letters and digits."),
        "flightNumber": _("Give the flight number, e.g. NH204."),
        "airportCode": _("Give the airport code of departure, e.g. LAX."),
        "packages": _("Give the number of unaccompanied packages."),
        "tooManyItems": _("A declaration lists at most %(max)s lines. Ask an officer at the desk for more.")
        % {"max": api.MAX_ITEMS},
        "noItems": _("Add the goods over the allowance, or answer “no” to that question."),
        "fixErrors": _("Please correct the fields marked below."),
        "stateDraft": _("Draft, kept on this phone"),
        "stateWaiting": _("Saved on this phone — will be sent when you are online"),
        "stateSending": _("Sending…"),
        "stateSent": _("Sent"),
        "offlineEstimate": _("You are offline: the estimate will be shown once the declaration is sent."),
        "serverError": _("The customs server cannot be reached. Your declaration is kept on this phone."),
        "line": _("Line %(number)s"),
        "freeUnits": _("%(count)s free"),
        "taxedUnits": _("%(count)s taxed"),
        "customsAssess": _("Customs will assess these goods at the desk (general duty and consumption tax)."),
        "duty": _("Duty estimate"),
        "dutyCustoms": _("plus the goods customs will assess"),
        "noDuty": _("Nothing to pay: everything is within your duty-free allowance."),
        "nothingDeclared": _("No goods over the allowance."),
        "deskReasons": _("You will be sent to the customs desk:"),
        "gateExpected": _("If nothing else is found, you can use the electronic gate."),
        "yen": _("¥%(amount)s"),
        "name": _("Name"),
        "qrExpired": _("This QR code has expired. Please make a new declaration."),
        "family": _("%(adults)s aged 20 or over, %(minors)s aged 6 to 19, %(infants)s under 6"),
    }


@require_GET
def phone_start(request: HttpRequest) -> HttpResponse:
    """What the e-declaration is, a start button, and the QR code kept on this phone."""
    return render(request, "travellers/phone/start.html", {"phone_config": _script_config()})


@require_GET
def phone_declare(request: HttpRequest) -> HttpResponse:
    """Form C5360 as steps; the script drives them."""
    return render(request, "travellers/phone/declare.html", _form_context())


@require_GET
def phone_my_qr(request: HttpRequest) -> HttpResponse:
    """The QR code kept on this phone (the script reads it from local storage)."""
    return render(request, "travellers/phone/my_qr.html", {"phone_config": _script_config()})


@require_GET
@cache_control(private=True, max_age=3600)
def phone_qr_svg(request: HttpRequest, reference: str) -> HttpResponse:
    """The QR code of a token as SVG. Only a token that verifies and names this
    reference is drawn, so that the address cannot print a QR code for anything else."""
    token = request.GET.get("t", "")
    try:
        claims = token_verify(token)
    except TokenError:
        raise Http404 from None
    if claims.reference != reference:
        raise Http404
    buffer = io.BytesIO()
    segno.make(token, error="m", micro=False).save(
        buffer, kind="svg", scale=1, border=4, xmldecl=False, svgns=True, title=_("Customs declaration QR code")
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def phone_service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served under /travel/ so that its scope covers the pages,
    with the addresses it caches. Its cache is named after the content of the worker
    and of the assets, so that a release with new assets replaces the old cache."""
    path = finders.find("travellers/phone/sw.js")
    if path is None:
        raise Http404
    with open(path, encoding="utf-8") as file:
        script = file.read()
    digest = hashlib.sha256(script.encode())
    for name in SERVICE_WORKER_ASSETS:
        found = finders.find(name)
        if found:
            with open(found, "rb") as asset:
                digest.update(asset.read())
    assets = [static(name) for name in SERVICE_WORKER_ASSETS]
    script = script.replace('"__PAGES__"', json.dumps(_page_urls())).replace('"__ASSETS__"', json.dumps(assets))
    script = script.replace("__VERSION__", digest.hexdigest()[:12])
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("travel-start")
    response["Cache-Control"] = "no-cache"
    return response
