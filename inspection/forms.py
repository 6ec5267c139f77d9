"""Filters of the officers' lists and the form of an inspection or audit result."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from customs_portal.models import CustomsOffice
from declarations.models import Declaration
from inspection.models import InspectionResult


class OfficeField(forms.ModelChoiceField):
    """A customs office chosen by its code (the lists' URLs carry codes: ?office=1A)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            queryset=CustomsOffice.objects.order_by("code"),
            to_field_name="code",
            empty_label=_("All offices"),
            **kwargs,
        )

    def label_from_instance(self, obj: CustomsOffice) -> str:
        return f"{obj.code} {obj.name}"


class ListFilterForm(forms.Form):
    """The filters every list shares. An invalid filter lists nothing: `filters()` is only
    called once the form is valid."""

    office = OfficeField(label=_("Office"), required=False)

    def filters(self) -> dict:
        """The selector's keyword arguments for the filters given."""
        data = {key: value for key, value in self.cleaned_data.items() if value}
        if data.get("office"):
            data["office"] = data["office"].code
        return data


class InspectionListFilterForm(ListFilterForm):
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
        choices=[
            ("", _("Any")),
            ("chapter", _("Tariff chapter")),
            ("customs_value_jpy", _("Customs value")),
            ("origin", _("Origin")),
        ],
    )


class AuditListFilterForm(ListFilterForm):
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
    # No outcome is preselected: the officer says what was found, never a default.
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Choose the outcome")), *InspectionResult.Outcome.choices],
        error_messages={"required": _("Choose what the inspection or audit found.")},
    )
    additional_duty_jpy = forms.IntegerField(label=_("Additional duty and taxes found (JPY)"), min_value=0, initial=0)
    fraud_type = forms.ChoiceField(
        label=_("Kind of discrepancy"), choices=InspectionResult.FraudType.choices, required=False
    )
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        error_messages={
            "max_length": ngettext_lazy(
                "The notes can be at most %(limit_value)d character (you wrote %(show_value)d).",
                "The notes can be at most %(limit_value)d characters (you wrote %(show_value)d).",
                "limit_value",
            )
        },
    )

    def __init__(self, *args, kinds: list[str] | None = None, **kwargs) -> None:
        """`kinds`: the kinds of result the officer may record here (all when not given)."""
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [(k, label) for k, label in InspectionResult.Kind.choices if k in kinds]

    def clean(self):
        data = super().clean()
        if data.get("outcome") == InspectionResult.Outcome.DISCREPANCY and not data.get("fraud_type"):
            self.add_error("fraud_type", _("Choose the kind of discrepancy."))
        if data.get("outcome") == InspectionResult.Outcome.NO_DISCREPANCY and data.get("additional_duty_jpy"):
            self.add_error("additional_duty_jpy", _("No discrepancy means no additional duty."))
        return data
