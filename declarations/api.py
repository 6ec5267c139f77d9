"""API of the declarations app: tariff search and duty estimates."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from customs_portal.errors import ApplicationError
from declarations import selectors
from declarations.duty import DutyLine, duty_estimate
from declarations.models import OriginProof, TariffLine

# No single declaration comes near ¥1 trillion; a bigger figure is a typing error.
MAX_CUSTOMS_VALUE_JPY = 10**12
MAX_LINES = 1_000


def _flatten(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as flat paths: {"lines[1].origin": ["..."]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(key, int):  # DRF keys a list's errors by the item's index.
                child = f"{path}[{key}]"
            elif key == "non_field_errors" and path:
                child = path
            else:
                child = f"{path}.{key}" if path else key
            flat.update(_flatten(value, child))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{path}[{index}]"))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {path or "non_field_errors": [str(message) for message in messages]} if messages else {}


def validate_or_raise(serializer: serializers.Serializer) -> dict[str, Any]:
    """Validates, raising ApplicationError whose fields name each nested field by its
    path, so a bad line says which line and which field."""
    if serializer.is_valid():
        return serializer.validated_data
    fields = _flatten(serializer.errors)
    problems = "; ".join(f"{name}: {messages[0]}" for name, messages in fields.items())
    raise ApplicationError(
        _("The request is invalid: %(problems)s") % {"problems": problems}, code="validation_error", fields=fields
    )


class TariffRateOutput(serializers.Serializer):
    column = serializers.CharField(help_text=gettext_lazy("general, wto, gsp, ldc or epa:<AGREEMENT>"))
    kind = serializers.CharField()
    agreement = serializers.CharField()
    expression = serializers.CharField()


class TariffLineOutput(serializers.ModelSerializer):
    rates = TariffRateOutput(many=True)

    class Meta:
        model = TariffLine
        fields = [
            "hs_code",
            "formatted_code",
            "description_en",
            "description_ja",
            "unit",
            "reduced_consumption_tax",
            "small_value_exclusion",
            "valid_from",
            "valid_to",
            "rates",
        ]


class TariffSearchInput(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    date = serializers.DateField(required=False, allow_null=True, default=None)


class TariffLineListApi(ListAPIView):
    """Tariff lines in force, by code prefix or by words of the English or Japanese
    description."""

    serializer_class = TariffLineOutput

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="Code prefix (2204, 2204.21) or words (wine, ぶどう酒)."
            ),
            OpenApiParameter("date", OpenApiTypes.DATE, description="In force on this day; today by default."),
        ],
        summary="Search the tariff schedule",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = validate_or_raise(TariffSearchInput(data=self.request.query_params))
        return selectors.tariff_lines_search(query=params["q"], on=params["date"] or timezone.localdate())


class DutyEstimateLineInput(serializers.Serializer):
    hs_code = serializers.CharField(max_length=20, help_text=gettext_lazy("9-digit tariff code, e.g. 220421020."))
    origin = serializers.CharField(max_length=2, min_length=2, help_text=gettext_lazy("ISO 3166 alpha-2 country."))
    preference = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20,
        help_text=gettext_lazy("general, wto, gsp, ldc or an EPA (JP-EU, CPTPP, …); empty: the best non-EPA rate."),
    )
    origin_proof = serializers.ChoiceField(
        choices=OriginProof.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Required with an EPA preference."),
    )
    customs_value_jpy = serializers.IntegerField(
        min_value=0,
        max_value=MAX_CUSTOMS_VALUE_JPY,
        error_messages={"min_value": gettext_lazy("The customs value cannot be negative.")},
    )
    quantity = serializers.DecimalField(
        max_digits=15,
        decimal_places=3,
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("In the tariff line's unit; needed for specific rates."),
    )

    def validate_hs_code(self, value: str) -> str:
        code = value.replace(".", "").replace("-", "").replace(" ", "")
        if not (len(code) == 9 and code.isascii() and code.isdigit()):
            raise serializers.ValidationError(_("A tariff code has 9 digits, e.g. 220421020."))
        return code


class DutyEstimateInput(serializers.Serializer):
    lines = DutyEstimateLineInput(many=True, allow_empty=False, max_length=MAX_LINES)
    date = serializers.DateField(required=False, allow_null=True, default=None)


class DutyLineOutput(serializers.Serializer):
    index = serializers.IntegerField()
    hs_code = serializers.CharField()
    description_en = serializers.CharField()
    description_ja = serializers.CharField()
    origin = serializers.CharField()
    customs_value_jpy = serializers.IntegerField()
    quantity = serializers.DecimalField(max_digits=15, decimal_places=3, allow_null=True)
    unit = serializers.CharField()
    rate = serializers.CharField(help_text=gettext_lazy("The rate applied, e.g. 15%, free, min(15%, 125 JPY/L)."))
    basis = serializers.CharField(help_text=gettext_lazy("general, wto, gsp, ldc or epa."))
    agreement = serializers.CharField()
    basis_label = serializers.CharField(help_text=gettext_lazy("The legal basis, e.g. “WTO bound rate”."))
    note = serializers.CharField()
    exempt = serializers.BooleanField(help_text=gettext_lazy("Exempt under the ¥10,000 small-value rule."))
    duty_base_jpy = serializers.IntegerField()
    customs_duty_jpy = serializers.IntegerField()
    customs_duty_truncated_jpy = serializers.IntegerField()
    consumption_tax_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    consumption_tax_base_jpy = serializers.IntegerField()
    consumption_tax_jpy = serializers.IntegerField()
    consumption_tax_truncated_jpy = serializers.IntegerField()
    local_consumption_tax_jpy = serializers.IntegerField()


class DutyTotalOutput(serializers.Serializer):
    customs_duty_jpy = serializers.IntegerField()
    consumption_tax_jpy = serializers.IntegerField()
    local_consumption_tax_jpy = serializers.IntegerField()
    total_jpy = serializers.IntegerField()


class DutyEstimateOutput(serializers.Serializer):
    date = serializers.DateField(source="on")
    lines = DutyLineOutput(many=True)
    total = DutyTotalOutput()
    total_customs_value_jpy = serializers.IntegerField()
    small_value_exemption = serializers.BooleanField()
    small_value_limit_jpy = serializers.IntegerField()


class DutyEstimateApi(APIView):
    """Customs duty, consumption tax and local consumption tax for lines of goods, with
    the rate applied to each line and its legal basis. Nothing is stored."""

    @extend_schema(
        request=DutyEstimateInput,
        responses={200: DutyEstimateOutput},
        summary="Estimate duty and taxes for lines of goods",
    )
    def post(self, request):
        data = validate_or_raise(DutyEstimateInput(data=request.data))
        result = duty_estimate(lines=[DutyLine(**line) for line in data["lines"]], on=data["date"])
        return Response(DutyEstimateOutput(result).data)
