"""The travellers' API: the phone files a declaration and gets its QR token (no
account, throttled per address); a kiosk, authenticated by its own token, sends a QR
token and a passport MRZ and gets the gate or the desk."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from customs_portal.api.validation import validate_or_raise
from customs_portal.errors import ApplicationError
from declarations.tariff.interface import TRAVELLER_CATEGORIES
from declarations.travellers import services
from declarations.travellers.models import Airport, Kiosk, KioskDecision
from declarations.travellers.questions import QUESTIONS
from declarations.travellers.reasons import told_texts
from declarations.travellers.tokens import MAX_TOKEN_LENGTH, public_keys

MAX_FAMILY = 9
MAX_ITEMS = 30
MAX_QUANTITY = 1_000
MAX_VALUE_JPY = 100_000_000
TRAVELLER_LANGUAGES = ("ja", "en", "zh-hans", "ko")


# Kiosk authentication ---------------------------------------------------------------------


class KioskAuthentication(BaseAuthentication):
    """`Authorization: Kiosk <token>`: the kiosk becomes request.auth, its service user
    request.user. A revoked or unknown token is refused with 401."""

    keyword = "Kiosk"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the kiosk token after “Kiosk”."))
        kiosk = services.kiosk_authenticate(raw_token=header[1].decode(errors="replace"))
        if kiosk is None:
            raise exceptions.AuthenticationFailed(_("This kiosk is not registered or its token was revoked."))
        return kiosk.user, kiosk

    def authenticate_header(self, request) -> str:
        return self.keyword


class KioskAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = KioskAuthentication
    name = "kioskToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Kiosk <token>"}


class IsKiosk(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, Kiosk)


class KioskThrottle(SimpleRateThrottle):
    scope = "kiosk"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk if request.auth else "anonymous"}


# The phone's declaration -------------------------------------------------------------------


class TravellerPassportInput(serializers.Serializer):
    number = serializers.RegexField(
        r"^[A-Za-z0-9]{5,9}$", error_messages={"invalid": _("Give the passport number: 5 to 9 letters and digits.")}
    )
    nationality = serializers.RegexField(
        r"^[A-Z]{3}$", error_messages={"invalid": _("Choose the nationality printed in the passport.")}
    )
    birth_date = serializers.DateField()
    surname = serializers.CharField(max_length=60)
    given_names = serializers.CharField(max_length=60, allow_blank=True, default="")


class TravellerFamilyInput(serializers.Serializer):
    adults = serializers.IntegerField(min_value=0, max_value=MAX_FAMILY, default=0)
    minors = serializers.IntegerField(min_value=0, max_value=MAX_FAMILY, default=0)
    infants = serializers.IntegerField(min_value=0, max_value=MAX_FAMILY, default=0)


class TravellerGoodsInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=list(TRAVELLER_CATEGORIES.items()))
    description = serializers.CharField(max_length=100, allow_blank=True, default="")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    value_jpy = serializers.IntegerField(
        min_value=0, max_value=MAX_VALUE_JPY, help_text=_("Overseas retail value of one unit, in yen.")
    )
    volume_ml = serializers.IntegerField(min_value=1, max_value=20_000, required=False, allow_null=True, default=None)
    weight_g = serializers.IntegerField(min_value=1, max_value=20_000, required=False, allow_null=True, default=None)
    for_child_use = serializers.BooleanField(default=False)


class TravellerDeclarationInput(serializers.Serializer):
    client_id = serializers.UUIDField(help_text=_("Chosen by the phone; sending again with it files nothing twice."))
    language = serializers.ChoiceField(choices=TRAVELLER_LANGUAGES, default="ja")
    passport = TravellerPassportInput()
    flight_number = serializers.RegexField(
        r"^[A-Za-z0-9]{2}\d{1,4}[A-Za-z]?$", error_messages={"invalid": _("Give the flight number, e.g. NH204.")}
    )
    embarkation = serializers.RegexField(
        r"^[A-Za-z]{3}$", error_messages={"invalid": _("Give the airport code of departure, e.g. LAX.")}
    )
    arrival_airport = serializers.ChoiceField(choices=Airport.choices)
    arrival_date = serializers.DateField()
    family = TravellerFamilyInput(default=dict)
    answers = serializers.DictField(child=serializers.BooleanField())
    unaccompanied_packages = serializers.IntegerField(min_value=0, max_value=99, default=0)
    items = TravellerGoodsInput(many=True, default=list, max_length=MAX_ITEMS)
    address_in_japan = serializers.CharField(max_length=200, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, allow_blank=True, default="")

    def validate_answers(self, value: dict) -> dict:
        unknown = set(value) - set(QUESTIONS)
        missing = set(QUESTIONS) - set(value)
        if unknown:
            raise serializers.ValidationError(_("Unknown question: %(keys)s.") % {"keys": ", ".join(sorted(unknown))})
        if missing:
            raise serializers.ValidationError(_("Answer every question."))
        return value


def declaration_input(data: dict) -> services.DeclarationInput:
    passport, family = data["passport"], data["family"]
    return services.DeclarationInput(
        passport=services.PassportInput(
            number=passport["number"].upper(),
            nationality=passport["nationality"],
            birth_date=passport["birth_date"],
            surname=passport["surname"].strip(),
            given_names=passport["given_names"].strip(),
        ),
        flight_number=data["flight_number"].upper(),
        embarkation=data["embarkation"].upper(),
        arrival_airport=data["arrival_airport"],
        arrival_date=data["arrival_date"],
        adults=family.get("adults", 0),
        minors=family.get("minors", 0),
        infants=family.get("infants", 0),
        answers=data["answers"],
        unaccompanied_packages=data["unaccompanied_packages"],
        items=[dict(item) for item in data["items"]],
        address_in_japan=data["address_in_japan"],
        phone=data["phone"],
    )


EstimateOutput = inline_serializer(
    "TravellerDeclarationEstimateOutput",
    fields={
        "on": serializers.DateField(),
        "total_jpy": serializers.IntegerField(),
        "assessed_by_customs": serializers.BooleanField(),
        "lines": serializers.ListField(child=serializers.DictField()),
        "totals": serializers.ListField(child=serializers.DictField()),
    },
)


class TravellerDeclarationOutput(serializers.Serializer):
    reference = serializers.CharField()
    token = serializers.CharField(help_text=_("The QR code's content: a signed token with no personal data in clear."))
    token_expires_at = serializers.DateTimeField()
    duty_jpy = serializers.IntegerField()
    assessed_by_customs = serializers.BooleanField()
    estimate = serializers.JSONField()


class _PublicApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]


class TravellerDeclarationEstimateApi(_PublicApi):
    """The estimate of a declaration before the traveller confirms; nothing is stored."""

    throttle_scope = "traveller-estimate"

    @extend_schema(
        request=TravellerDeclarationInput, responses={200: EstimateOutput}, summary="Preview a declaration's duty"
    )
    def post(self, request):
        data = validate_or_raise(TravellerDeclarationInput(data=request.data))
        return Response(services.traveller_estimate_preview(data=declaration_input(data)))


class TravellerDeclarationCreateApi(_PublicApi):
    """Files a baggage declaration and returns its QR token. Sending the same
    declaration again with the same client_id returns the same token (200)."""

    throttle_scope = "traveller-declaration"

    @extend_schema(
        request=TravellerDeclarationInput,
        responses={201: TravellerDeclarationOutput, 200: TravellerDeclarationOutput},
        summary="File a baggage declaration (Form C5360)",
    )
    def post(self, request):
        data = validate_or_raise(TravellerDeclarationInput(data=request.data))
        before = services.TravellerDeclaration.objects.filter(client_id=data["client_id"]).exists()
        declaration = services.traveller_declaration_submit(
            data=declaration_input(data), client_id=data["client_id"], language=data["language"]
        )
        return Response(TravellerDeclarationOutput(declaration).data, status=200 if before else 201)


# The kiosk ----------------------------------------------------------------------------------


class KioskKeysApi(_PublicApi):
    """The public keys that verify QR tokens, by key id (base64url, raw Ed25519)."""

    throttle_scope = "traveller-estimate"

    @extend_schema(
        responses={
            200: inline_serializer("KioskKeysOutput", {"keys": serializers.DictField(child=serializers.CharField())})
        },
        summary="Public keys of the QR tokens",
    )
    def get(self, request):
        return Response({"keys": public_keys()})


class KioskDecisionInput(serializers.Serializer):
    token = serializers.CharField(max_length=MAX_TOKEN_LENGTH * 2, trim_whitespace=True)
    mrz = serializers.CharField(max_length=200, help_text=_("The passport's two MRZ lines."))
    language = serializers.ChoiceField(choices=TRAVELLER_LANGUAGES, required=False)


class KioskDecisionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    lane = serializers.CharField()
    reference = serializers.SerializerMethodField()
    duty_jpy = serializers.IntegerField()
    payment_required = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField()

    def get_reference(self, decision: KioskDecision) -> str:
        return decision.declaration.reference if decision.declaration_id else ""

    def get_payment_required(self, decision: KioskDecision) -> bool:
        return bool(
            decision.declaration_id
            and decision.declaration.status == services.Status.AWAITING_PAYMENT
            and decision.lane == "gate"
        )

    def get_messages(self, decision: KioskDecision) -> list[str]:
        return told_texts(decision.reasons)

    def get_language(self, decision: KioskDecision) -> str:
        return get_language()


class _KioskApi(APIView):
    authentication_classes = [KioskAuthentication]
    permission_classes = [IsKiosk]
    throttle_classes = [KioskThrottle]


class KioskDecisionApi(_KioskApi):
    """QR token and passport MRZ in, the gate or the desk out, with what the traveller
    may be told in their language. Retrying with the same Idempotency-Key returns the
    same decision."""

    @extend_schema(
        request=KioskDecisionInput,
        responses={200: KioskDecisionOutput},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)],
        summary="Decide a traveller at the kiosk",
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or len(key) > 64:
            raise ApplicationError(
                str(_("Send an Idempotency-Key header of 1 to 64 characters.")), code="idempotency_key_required"
            )
        data = validate_or_raise(KioskDecisionInput(data=request.data))
        decision = services.kiosk_decide(kiosk=request.auth, token=data["token"], mrz=data["mrz"], request_key=key)
        # The traveller's chosen language, else the one they declared in, else the kiosk's.
        language = data.get("language") or (
            decision.declaration.language if decision.declaration_id else translation.get_language()
        )
        with translation.override(language):
            return Response(KioskDecisionOutput(decision).data)


class KioskMeApi(_KioskApi):
    """Who the kiosk is (it checks its token when it starts and every minute)."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "KioskMeOutput",
                {
                    "code": serializers.CharField(),
                    "airport": serializers.CharField(),
                    "terminal": serializers.CharField(),
                    "idle_reset_seconds": serializers.IntegerField(),
                },
            )
        },
        summary="The kiosk itself",
    )
    def get(self, request):
        kiosk = request.auth
        return Response(
            {
                "code": kiosk.code,
                "airport": kiosk.airport,
                "terminal": kiosk.terminal,
                "idle_reset_seconds": settings.KIOSK_IDLE_RESET_SECONDS,
            }
        )
