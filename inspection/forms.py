from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from declarations.models import Declaration
from inspection.models import InspectionResult


class InspectionListFilterForm(forms.Form):
    office = forms.CharField(label=_("Office code"), required=False, max_length=8)
    date_from = forms.DateField(
        label=_("Declared from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("Declared until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    chapter = forms.RegexField(label=_("Tariff chapter"), regex=r"^[0-9]{2}$", required=False, max_length=2)
    importer = forms.CharField(label=_("Importer"), required=False, max_length=100)
    lane = forms.ChoiceField(label=_("Lane"), required=False, choices=[("", _("Any"))] + Declaration.Lane.choices)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("expected", _("Expected additional revenue")), ("probability", _("Probability of a discrepancy"))],
    )


class ProbablyWrongFilterForm(InspectionListFilterForm):
    kind = forms.ChoiceField(
        label=_("Kind of inconsistency"),
        required=False,
        choices=[("", _("Any")), ("chapter", _("Tariff chapter")), ("customs_value_jpy", _("Customs value"))],
    )


class AuditListFilterForm(forms.Form):
    office = forms.CharField(label=_("Office code"), required=False, max_length=8)
    date_from = forms.DateField(
        label=_("Declared from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("Declared until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    chapter = forms.RegexField(label=_("Tariff chapter"), regex=r"^[0-9]{2}$", required=False, max_length=2)
    importer = forms.CharField(label=_("Company name"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("expected", _("Expected unpaid revenue")),
            ("findings", _("Number of findings")),
            ("probability", _("Average probability of a discrepancy")),
        ],
    )


class InspectionResultForm(forms.Form):
    kind = forms.ChoiceField(label=_("Result of"), choices=InspectionResult.Kind.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=InspectionResult.Outcome.choices)
    additional_duty_jpy = forms.IntegerField(label=_("Additional duty and taxes found (JPY)"), min_value=0, initial=0)
    fraud_type = forms.ChoiceField(
        label=_("Kind of discrepancy"), choices=InspectionResult.FraudType.choices, required=False
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == InspectionResult.Outcome.DISCREPANCY and not data.get("fraud_type"):
            self.add_error("fraud_type", _("Choose the kind of discrepancy."))
        if data.get("outcome") == InspectionResult.Outcome.NO_DISCREPANCY and data.get("additional_duty_jpy"):
            self.add_error("additional_duty_jpy", _("No discrepancy means no additional duty."))
        return data
