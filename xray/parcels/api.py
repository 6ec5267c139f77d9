"""The X-ray intake API: a registered scanner (`Authorization: Scanner <token>`) or an
inspection officer registers a parcel with its declared contents, sends its X-ray images
and reads the model's results. Risk scores are customs-internal: traders see nothing."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    TokenAuthentication,
    get_authorization_header,
)
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from customs_portal.api.validation import validate_or_raise
from customs_portal.errors import ApplicationError
from customs_portal.reasons import reasons_text
from xray.parcels import selectors, services
from xray.parcels.images import image_size_check
from xray.parcels.models import Parcel, Scanner, XrayImage
from xray.parcels.s10 import s10_is_valid, s10_normalise

MAX_ITEMS = 50
MAX_VALUE_JPY = 100_000_000

# Scanner authentication ----------------------------------------------------------------


class ScannerAuthentication(BaseAuthentication):
    """`Authorization: Scanner <token>`: the scanner becomes request.auth, its service user
    request.user. A revoked or unknown token is refused with 401."""

    keyword = "Scanner"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the scanner token after “Scanner”."))
        scanner = services.scanner_authenticate(raw_token=header[1].decode(errors="replace"))
        if scanner is None:
            raise exceptions.AuthenticationFailed(_("This scanner is not registered or its token was revoked."))
        return scanner.user, scanner

    def authenticate_header(self, request) -> str:
        return self.keyword


class ScannerAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ScannerAuthentication
    name = "scannerToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Scanner <token>"}


class IsScannerOrIntakeOfficer(BasePermission):
    """A registered scanner, or an inspection officer or supervisor (writes)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if isinstance(request.auth, Scanner):
            return True
        return bool(user and user.is_authenticated and user.role in services.INTAKE_ROLES)


class IsScannerOrOfficer(BasePermission):
    """A registered scanner, or any officer (reads)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if isinstance(request.auth, Scanner):
            return True
        return bool(user and user.is_authenticated and user.is_officer)


class _XrayApi(APIView):
    authentication_classes = [ScannerAuthentication, TokenAuthentication, SessionAuthentication]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "xray-scanner"

    def scanner(self) -> Scanner | None:
        return self.request.auth if isinstance(self.request.auth, Scanner) else None


# Serializers ---------------------------------------------------------------------------


class DeclaredItemInput(serializers.Serializer):
    description = serializers.CharField(max_length=200)
    hs_code = serializers.RegexField(
        r"^(\d{4}|\d{6})$",
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid": _("An HS code has 4 or 6 digits.")},
    )
    quantity = serializers.IntegerField(min_value=1, max_value=100_000, default=1)
    value_jpy = serializers.IntegerField(min_value=0, max_value=MAX_VALUE_JPY)


class ParcelInput(serializers.Serializer):
    item_number = serializers.CharField(max_length=20, help_text="UPU S10 item number, e.g. RR123456785JP.")
    origin_country = serializers.CharField(max_length=2, min_length=2)
    sender_name = serializers.CharField(max_length=200)
    sender_address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    addressee_name = serializers.CharField(max_length=200)
    addressee_address = serializers.CharField(max_length=300)
    customs_form = serializers.ChoiceField(choices=Parcel.Form.choices, default=Parcel.Form.CN23)
    weight_grams = serializers.IntegerField(min_value=1, max_value=100_000)
    items = DeclaredItemInput(many=True, min_length=1, max_length=MAX_ITEMS)

    def validate_item_number(self, value: str) -> str:
        value = s10_normalise(value)
        if not s10_is_valid(value):
            raise serializers.ValidationError(
                _("Not a valid item number: two letters, nine digits (the last a check digit), two letters.")
            )
        return value


def parcel_input(data: dict) -> services.ParcelInput:
    """The validated body as the service's input."""
    return services.ParcelInput(
        item_number=data["item_number"],
        origin_country=data["origin_country"],
        sender_name=data["sender_name"],
        sender_address=data["sender_address"],
        addressee_name=data["addressee_name"],
        addressee_address=data["addressee_address"],
        customs_form=data["customs_form"],
        weight_grams=data["weight_grams"],
        items=tuple(services.DeclaredItemInput(**item) for item in data["items"]),
    )


class DeclaredItemOutput(serializers.Serializer):
    line_number = serializers.IntegerField()
    description = serializers.CharField()
    hs_code = serializers.CharField()
    quantity = serializers.IntegerField()
    value_jpy = serializers.IntegerField()


class ScreeningResultOutput(serializers.Serializer):
    model_name = serializers.CharField()
    model_version = serializers.IntegerField(source="model_version_number")
    threshold = serializers.FloatField()
    probabilities = serializers.DictField(child=serializers.FloatField())
    top_class = serializers.CharField()
    threat_score = serializers.FloatField()
    decision = serializers.CharField()
    created_at = serializers.DateTimeField()


class XrayImageOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sha256 = serializers.CharField()
    status = serializers.ChoiceField(choices=XrayImage.Status.choices)
    error_code = serializers.CharField()
    original_format = serializers.CharField()
    original_mode = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    queued_at = serializers.DateTimeField()
    processed_at = serializers.DateTimeField(allow_null=True)
    result = serializers.SerializerMethodField()

    @extend_schema_field(ScreeningResultOutput(allow_null=True))
    def get_result(self, image: XrayImage) -> dict | None:
        results = list(image.results.all())
        return ScreeningResultOutput(results[0]).data if results else None


class MismatchReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    params = serializers.DictField()
    text = serializers.CharField()


class ParcelOutput(serializers.Serializer):
    item_number = serializers.CharField()
    status = serializers.ChoiceField(choices=Parcel.Status.choices)
    origin_country = serializers.CharField()
    customs_form = serializers.CharField()
    weight_grams = serializers.IntegerField()
    declared_value_jpy = serializers.IntegerField()
    items = DeclaredItemOutput(many=True)
    threat_score = serializers.FloatField(allow_null=True)
    machine_decision = serializers.CharField()
    mismatch_reasons = serializers.SerializerMethodField()
    screened_at = serializers.DateTimeField(allow_null=True)
    images = XrayImageOutput(many=True)

    @extend_schema_field(MismatchReasonOutput(many=True))
    def get_mismatch_reasons(self, parcel: Parcel) -> list[dict]:
        texts = reasons_text(parcel.mismatch_reasons)
        return [
            {"code": item.get("code", ""), "params": item.get("params") or {}, "text": text}
            for item, text in zip(parcel.mismatch_reasons, texts, strict=True)
        ]


class ImageInput(serializers.Serializer):
    image = serializers.FileField(help_text="PNG, JPEG or TIFF, 8- or 16-bit, at most 20 MB and 8,000 px a side.")


class ImageAddOutput(serializers.Serializer):
    duplicate = serializers.BooleanField(help_text="True: this image was received before; nothing new is queued.")
    image = XrayImageOutput()


# Views ---------------------------------------------------------------------------------


def _parcel_body(item_number: str, user) -> dict:
    return ParcelOutput(selectors.parcel_get_for_user(user=user, item_number=item_number)).data


class ParcelRegisterApi(_XrayApi):
    """Registers a parcel with its CN22/CN23 declared contents (idempotent on the item number)."""

    permission_classes = [IsScannerOrIntakeOfficer]

    @extend_schema(
        operation_id="xray_parcel_register",
        request=ParcelInput,
        responses={
            201: OpenApiResponse(ParcelOutput, description="Registered."),
            200: OpenApiResponse(ParcelOutput, description="Registered before with the same data."),
        },
    )
    def post(self, request):
        data = validate_or_raise(ParcelInput(data=request.data))
        parcel, created = services.parcel_register(data=parcel_input(data), created_by=request.user, request=request)
        if not created:
            # Only the one who registered it (or an officer) is told it exists.
            selectors.parcel_get_for_user(user=request.user, item_number=parcel.item_number)
        return Response(
            _parcel_body(parcel.item_number, request.user),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ParcelImageAddApi(_XrayApi):
    """Sends one X-ray image of a parcel (multipart field `image`); it is read by the model in a worker."""

    permission_classes = [IsScannerOrIntakeOfficer]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="xray_parcel_image_add",
        request={"multipart/form-data": ImageInput},
        responses={
            201: OpenApiResponse(ImageAddOutput, description="Stored and queued for the model."),
            200: OpenApiResponse(ImageAddOutput, description="Received before: the stored image, nothing queued."),
        },
    )
    def post(self, request, item_number: str):
        parcel = selectors.parcel_get_for_user(user=request.user, item_number=item_number)
        upload = request.FILES.get("image")
        if upload is None:
            message = _("Send the image as the multipart field “image”.")
            raise ApplicationError(str(message), code="image_missing", fields={"image": [str(message)]})
        image_size_check(size_bytes=upload.size)
        image, created = services.xray_image_add(
            parcel=parcel, data=upload.read(), uploaded_by=request.user, scanner=self.scanner(), request=request
        )
        return Response(
            {"duplicate": not created, "image": XrayImageOutput(image).data},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ParcelDetailApi(_XrayApi):
    """A parcel: its status, declared contents, images and the model's latest reading of each."""

    permission_classes = [IsScannerOrOfficer]

    @extend_schema(operation_id="xray_parcel_detail", responses={200: ParcelOutput})
    def get(self, request, item_number: str):
        return Response(_parcel_body(item_number, request.user))
