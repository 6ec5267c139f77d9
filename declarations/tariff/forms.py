"""The tariff search form and the form of a travellers' rule set."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from declarations.tariff.travellers import (
    RATE_UNIT_LABELS,
    RATE_UNITS,
    TRAVELLER_ALLOWANCE_FIELDS,
    TRAVELLER_CATEGORIES,
    Allowances,
    SimplifiedRate,
    SimplifiedRates,
    TravellerRules,
)


class TariffSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tariff code or words"),
        required=False,
        max_length=200,
        help_text=_("A code prefix such as 2204 or 2204.21, or words in English or Japanese such as wine or ぶどう酒."),
    )
    date = forms.DateField(
        label=_("In force on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Today if left empty."),
    )


class TravellerRuleSetForm(forms.Form):
    """A travellers' rule set: its start, the allowances per traveller, the simplified
    rates (a category left empty takes the general rate) and the source. `rules()`
    gives what the engine computes with."""

    valid_from = forms.DateField(
        label=_("Valid from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A day after today. The set applies until a later one starts."),
    )
    adult_age = forms.IntegerField(label=_("Adult age"), min_value=0, max_value=130)
    child_age = forms.IntegerField(label=_("Child age"), min_value=0, max_value=130)
    alcohol_bottles = forms.IntegerField(label=_("Alcohol (bottles)"), min_value=0, max_value=1_000)
    bottle_ml = forms.IntegerField(label=_("Bottle size (ml)"), min_value=1, max_value=100_000)
    cigarettes = forms.IntegerField(label=_("Cigarettes (sticks)"), min_value=0, max_value=100_000)
    cigars = forms.IntegerField(label=_("Cigars"), min_value=0, max_value=100_000)
    heated_tobacco_packs = forms.IntegerField(label=_("Heated tobacco (packs)"), min_value=0, max_value=10_000)
    sticks_per_pack = forms.IntegerField(label=_("Sticks per heated tobacco pack"), min_value=1, max_value=1_000)
    other_tobacco_g = forms.IntegerField(label=_("Other tobacco (g)"), min_value=0, max_value=100_000)
    perfume_ml = forms.IntegerField(label=_("Perfume (ml)"), min_value=0, max_value=100_000)
    other_goods_jpy = forms.IntegerField(
        label=_("Other goods (yen, overseas value)"), min_value=0, max_value=10_000_000
    )
    small_value_per_item_type_jpy = forms.IntegerField(
        label=_("Small-value limit per item type (yen)"), min_value=0, max_value=10_000_000
    )
    taxable_ratio = forms.DecimalField(
        label=_("Taxable ratio"),
        min_value=Decimal("0.001"),
        max_value=Decimal(1),
        max_digits=4,
        decimal_places=3,
        help_text=_("The taxable value is this share of the overseas value (0.6)."),
    )
    article_limit_jpy = forms.IntegerField(
        label=_("Simplified-rate limit per article (yen, taxable value)"), min_value=0, max_value=10_000_000
    )
    source = forms.CharField(label=_("Source"), max_length=500, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for category, name in TRAVELLER_CATEGORIES.items():
            self.fields[f"rate_{category}"] = forms.DecimalField(
                label=format_lazy("{name} ({unit})", name=name, unit=RATE_UNIT_LABELS[RATE_UNITS[category]]),
                required=False,
                min_value=Decimal(0),
                max_digits=10,
                decimal_places=2,
            )

    @property
    def rate_fields(self) -> list[forms.BoundField]:
        return [self[f"rate_{category}"] for category in TRAVELLER_CATEGORIES]

    @property
    def allowance_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in TRAVELLER_ALLOWANCE_FIELDS]

    @classmethod
    def initial_from(cls, rules: TravellerRules, *, valid_from: date | None = None, source: str = "") -> dict:
        """Initial values showing `rules` (from another day when `valid_from` is given)."""
        return {
            "valid_from": valid_from or rules.valid_from,
            **{name: getattr(rules.allowances, name) for name in TRAVELLER_ALLOWANCE_FIELDS},
            "taxable_ratio": rules.rates.taxable_ratio,
            "article_limit_jpy": rules.rates.article_limit_jpy,
            "source": source,
            **{f"rate_{category}": rate.amount for category, rate in rules.rates.rates.items()},
        }

    def rules(self) -> TravellerRules:
        data = self.cleaned_data
        return TravellerRules(
            allowances=Allowances(
                valid_from=data["valid_from"], **{name: data[name] for name in TRAVELLER_ALLOWANCE_FIELDS}
            ),
            rates=SimplifiedRates(
                valid_from=data["valid_from"],
                taxable_ratio=data["taxable_ratio"],
                article_limit_jpy=data["article_limit_jpy"],
                rates={
                    category: SimplifiedRate(data[f"rate_{category}"], RATE_UNITS[category])
                    for category in TRAVELLER_CATEGORIES
                    if data.get(f"rate_{category}") is not None
                },
            ),
        )
