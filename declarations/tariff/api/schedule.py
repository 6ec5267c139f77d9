"""API of the tariff engine's reference data and duty estimates: tariff search, duty
estimates and the weekly exchange rates."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from customs_portal.api.validation import validate_or_raise
from declarations.tariff import selectors
from declarations.tariff.duty import DutyLine, duty_estimate, rate_label
from declarations.tariff.models import OriginProof, TariffLine

# No single declaration comes near ¥1 trillion; a bigger figure is a typing error.
MAX_CUSTOMS_VALUE_JPY = 10**12


MAX_LINES = 1_000


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
    rate_label = serializers.SerializerMethodField(help_text=gettext_lazy("The rate as a person reads it."))
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

    def get_rate_label(self, line) -> str:
        return rate_label(line.rate)


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


class ExchangeRateInput(serializers.Serializer):
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", max_length=3)
    date = serializers.DateField()


class ExchangeRateOutput(serializers.Serializer):
    currency = serializers.CharField()
    date = serializers.DateField()
    rate_jpy = serializers.DecimalField(max_digits=18, decimal_places=6)


class ExchangeRateApi(APIView):
    """The customs exchange rate of a currency for the week holding a date (the live
    estimate on the declaration form converts foreign invoices with it)."""

    @extend_schema(parameters=[ExchangeRateInput], responses=ExchangeRateOutput, summary="Customs exchange rate")
    def get(self, request):
        params = validate_or_raise(ExchangeRateInput(data=request.query_params))
        currency = params["currency"].upper()
        rate = selectors.exchange_rate_for(currency=currency, on=params["date"])
        return Response(ExchangeRateOutput({"currency": currency, "date": params["date"], "rate_jpy": rate}).data)
