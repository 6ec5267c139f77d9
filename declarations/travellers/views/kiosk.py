"""The gate kiosk's page (/kiosk/): one public shell; everything the kiosk does goes
through the API with its own token (`Authorization: Kiosk <token>`), which the page
keeps in the browser's localStorage once an officer has pasted it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from declarations.travellers.api import TRAVELLER_LANGUAGES

# The kiosk's camera reads QR codes; every other page keeps it off (PERMISSIONS_POLICY).
KIOSK_PERMISSIONS_POLICY = settings.PERMISSIONS_POLICY.replace("camera=()", "camera=(self)")


@require_GET
def kiosk_home(request: HttpRequest) -> HttpResponse:
    """The kiosk. Its first screen (no step, no payment coming back) belongs to the next
    traveller, so it starts in Japanese whatever the last traveller chose."""
    starting = not request.GET.get("step") and not request.GET.get("payment")
    if starting:
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE
    context = {
        "languages": [(code, _language_name(code)) for code in TRAVELLER_LANGUAGES],
        "step": request.GET.get("step", ""),
        "can_pay": bool(settings.PAYMENTS_GATEWAY_PROVIDER),
        "idle_seconds": settings.KIOSK_IDLE_RESET_SECONDS,
        "time_zone": settings.TIME_ZONE,
        "texts": _texts(),
        "api": {
            "keys": reverse("api-kiosk-keys"),
            "me": reverse("api-kiosk-me"),
            "decisions": reverse("api-kiosk-decisions"),
            "payments": reverse("api-kiosk-payments"),
            "desk": reverse("api-kiosk-desk-choice", args=[0]),
        },
    }
    response = render(request, "travellers/kiosk/kiosk.html", context)
    response.headers["Permissions-Policy"] = KIOSK_PERMISSIONS_POLICY
    response.headers["Cache-Control"] = "no-store"
    if starting:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE, samesite="Lax")
    return response


def _texts() -> dict[str, str]:
    """What the page's script says, in the page's language. The QR and MRZ messages are
    the server's own (declarations.travellers.reasons and .mrz), so the kiosk's instant
    check and the server's say the same."""
    return {
        "qr_malformed": _("This is not a customs declaration QR code."),
        "qr_bad_signature": _("This QR code has been altered or was not issued by Japan Customs."),
        "qr_unknown_key": _("This QR code was not signed with a key this gate knows."),
        "qr_expired": _("This QR code has expired. Please make a new declaration."),
        "qr_not_yet_valid": _("This QR code is not valid yet."),
        "mrz_format": _("The passport's machine-readable zone must be two lines of 44 characters."),
        "mrz_not_passport": _("This is not the machine-readable zone of a passport."),
        "mrz_check_digit": _("A check digit of the passport's machine-readable zone is wrong: scan it again."),
        "unreachable": _("The customs server cannot be reached."),
        "token_refused": _(
            "This token was refused: check that it was copied whole and that the kiosk has not been revoked."
        ),
        "checking_qr": _("Checking the QR code…"),
        "checking_declaration": _("Checking your declaration…"),
        "opening_payment": _("Opening the payment page…"),
        "checking_payment": _("Checking your payment…"),
        "payment_failed": _("The payment did not go through."),
        "payment_unconfirmed": _("The payment has not been confirmed yet. An officer at the desk will check it."),
        "duty_paid": _("The duty has been paid."),
        "camera_failed": _("The camera could not be started. Use the scanner instead."),
        "method_card": _("Card"),
        "method_qr": _("Smartphone app (QR)"),
    }


def _language_name(code: str) -> str:
    """The language's name in itself, as a traveller looks for it."""
    return {"ja": "日本語", "en": "English", "zh-hans": "简体中文", "ko": "한국어"}[code]
