"""The tariff search form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
