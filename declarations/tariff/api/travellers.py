"""API of the travellers' estimate (the duty-free allowances and the simplified-rate
tax on a family's goods) and of the rules in force, for anyone (no login), throttled
per address."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from customs_portal.api.validation import validate_or_raise
from declarations.tariff.selectors import traveller_estimate, traveller_rules_in_force
from declarations.tariff.travellers import TRAVELLER_CATEGORIES, Traveller, TravellerItem

# Sizes past any family's luggage are refused before any work is done.
MAX_TRAVELLERS = 20
MAX_ITEMS = 200
MAX_QUANTITY = 10_000
MAX_VALUE_JPY = 10**10
MAX_AGE = 130
MAX_MEASURE = 100_000


class TravellerInput(serializers.Serializer):
    age = serializers.IntegerField(
        min_value=0,
        max_value=MAX_AGE,
        help_text=gettext_lazy("Age in whole years on the day of entry."),
        error_messages={"min_value": gettext_lazy("The age cannot be negative.")},
    )


class TravellerItemInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=list(TRAVELLER_CATEGORIES.items()))
    quantity = serializers.IntegerField(
        min_value=1,
        max_value=MAX_QUANTITY,
        help_text=gettext_lazy("Bottles, sticks, packs, pouches or articles, by category."),
        error_messages={"min_value": gettext_lazy("The quantity must be at least 1.")},
    )
    value_jpy = serializers.IntegerField(
        min_value=0,
        max_value=MAX_VALUE_JPY,
        help_text=gettext_lazy("Overseas retail value of one unit, in yen."),
        error_messages={"min_value": gettext_lazy("The value cannot be negative.")},
    )
    traveller = serializers.IntegerField(
        min_value=0,
        default=0,
        allow_null=True,
        help_text=gettext_lazy(
            "Index of the traveller in `travellers` who carries the goods; null for the family's goods, which the "
            "estimate shares among the travellers entitled to them in the way most favourable to the family."
        ),
        error_messages={"min_value": gettext_lazy("There is no such traveller.")},
    )
    volume_ml = serializers.IntegerField(
        min_value=1,
        max_value=MAX_MEASURE,
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("Volume of one bottle in ml; required for alcohol and perfume."),
    )
    weight_g = serializers.IntegerField(
        min_value=1,
        max_value=MAX_MEASURE,
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("Weight of one unit in grams; required for other tobacco."),
    )
    item_type = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy(
            "Groups other goods for the ¥10,000 rule (ties, chocolates); the description by default."
        ),
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    for_child_use = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("A child's own goods (toys, clothes): they use the child's allowance."),
    )


class TravellerEstimateInput(serializers.Serializer):
    travellers = TravellerInput(many=True, allow_empty=False, max_length=MAX_TRAVELLERS)
    items = TravellerItemInput(many=True, allow_empty=True, max_length=MAX_ITEMS)
    date = serializers.DateField(required=False, allow_null=True, default=None)


class TravellerItemOutput(serializers.Serializer):
    index = serializers.IntegerField()
    traveller = serializers.IntegerField()
    category = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.IntegerField()
    value_jpy = serializers.IntegerField()
    free_quantity = serializers.IntegerField()
    taxed_quantity = serializers.IntegerField()
    allowance = serializers.CharField(source="allowance.code", help_text=gettext_lazy("The allowance rule applied."))
    allowance_text = serializers.CharField(source="allowance.text")
    allowance_source = serializers.CharField(source="allowance.source")
    treatment = serializers.ChoiceField(choices=["free", "simplified_rate", "general_rate"])
    tax_type = serializers.ChoiceField(choices=["alcohol", "tobacco", "other_goods"])
    taxable_value_jpy = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text=gettext_lazy("0.6 × the overseas value of the taxed units.")
    )
    rate = serializers.CharField(source="rate_text", help_text=gettext_lazy("e.g. 800 JPY/L, 15%."))
    rate_amount = serializers.DecimalField(
        source="rate.amount", max_digits=12, decimal_places=2, default=None, allow_null=True
    )
    rate_unit = serializers.CharField(source="rate.unit", default="", help_text=gettext_lazy("L, stick, pack or %."))
    basis = serializers.CharField(source="basis.code", help_text=gettext_lazy("The legal basis of the tax."))
    basis_text = serializers.CharField(source="basis.text")
    basis_source = serializers.CharField(source="basis.source")
    tax_jpy = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        allow_null=True,
        help_text=gettext_lazy("Exact; null where customs assesses the general rate."),
    )
    assessed_by_customs = serializers.BooleanField()


class TaxTypeTotalOutput(serializers.Serializer):
    tax_type = serializers.CharField()
    tax_jpy = serializers.DecimalField(max_digits=20, decimal_places=2, help_text=gettext_lazy("Exact sum."))
    total_jpy = serializers.IntegerField(help_text=gettext_lazy("The sum truncated below ¥100."))


class TravellerAllowanceOutput(serializers.Serializer):
    index = serializers.IntegerField()
    age = serializers.IntegerField()
    other_goods_free_jpy = serializers.IntegerField()
    other_goods_allowance_jpy = serializers.IntegerField()


class TravellerEstimateOutput(serializers.Serializer):
    date = serializers.DateField(source="on")
    items = TravellerItemOutput(many=True)
    totals = TaxTypeTotalOutput(many=True)
    total_jpy = serializers.IntegerField(
        help_text=gettext_lazy("The simplified-rate tax; general-rate items are not in it.")
    )
    travellers = TravellerAllowanceOutput(many=True)
    assessed_by_customs = serializers.BooleanField(
        help_text=gettext_lazy("Some goods take the general rate, which customs assesses.")
    )
    combination_proven_best = serializers.BooleanField(
        help_text=gettext_lazy("False only where sharing the family's goods was cut short: the best found is given.")
    )
    general_rate_items = serializers.ListField(child=serializers.IntegerField())
    general_rate_taxable_value_jpy = serializers.DecimalField(max_digits=20, decimal_places=2)


class TravellerEstimateApi(APIView):
    """The duty-free allowances and the simplified-rate tax on travellers' goods. Open to
    anyone (no login, so no CSRF check), throttled per address; nothing is stored."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "traveller-estimate"

    @extend_schema(
        request=TravellerEstimateInput,
        responses={200: TravellerEstimateOutput},
        summary="Estimate the tax on travellers' goods over the duty-free allowances",
    )
    def post(self, request):
        data = validate_or_raise(TravellerEstimateInput(data=request.data))
        estimate = traveller_estimate(
            travellers=[Traveller(**traveller) for traveller in data["travellers"]],
            items=[TravellerItem(**item) for item in data["items"]],
            on=data["date"],
        )
        return Response(TravellerEstimateOutput(estimate).data)


class TravellerRulesInput(serializers.Serializer):
    date = serializers.DateField(required=False, allow_null=True, default=None)


class AllowancesOutput(serializers.Serializer):
    adult_age = serializers.IntegerField()
    child_age = serializers.IntegerField()
    alcohol_bottles = serializers.IntegerField()
    bottle_ml = serializers.IntegerField()
    cigarettes = serializers.IntegerField()
    cigars = serializers.IntegerField()
    heated_tobacco_packs = serializers.IntegerField()
    sticks_per_pack = serializers.IntegerField()
    other_tobacco_g = serializers.IntegerField()
    perfume_ml = serializers.IntegerField()
    other_goods_jpy = serializers.IntegerField()
    small_value_per_item_type_jpy = serializers.IntegerField()


class SimplifiedRateOutput(serializers.Serializer):
    category = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    unit = serializers.CharField(help_text=gettext_lazy("L, stick, pack or %."))
    text = serializers.CharField(help_text=gettext_lazy("e.g. 800 JPY/L, 15%."))


class TravellerRulesOutput(serializers.Serializer):
    date = serializers.DateField()
    valid_from = serializers.DateField()
    allowances = AllowancesOutput()
    taxable_ratio = serializers.DecimalField(max_digits=4, decimal_places=3)
    article_limit_jpy = serializers.IntegerField()
    rates = SimplifiedRateOutput(many=True)


class TravellerRulesApi(APIView):
    """The travellers' duty-free allowances and simplified rates in force on a day
    (today by default). Open to anyone, throttled with the estimate."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "traveller-estimate"

    @extend_schema(parameters=[TravellerRulesInput], responses=TravellerRulesOutput, summary="Travellers' rules")
    def get(self, request):
        on = validate_or_raise(TravellerRulesInput(data=request.query_params))["date"] or timezone.localdate()
        rules = traveller_rules_in_force(on=on)
        body = {
            "date": on,
            "valid_from": rules.valid_from,
            "allowances": rules.allowances,
            "taxable_ratio": rules.rates.taxable_ratio,
            "article_limit_jpy": rules.rates.article_limit_jpy,
            "rates": [
                {"category": category, "amount": rate.amount, "unit": rate.unit, "text": str(rate)}
                for category, rate in rules.rates.rates.items()
            ],
        }
        return Response(TravellerRulesOutput(body).data)
