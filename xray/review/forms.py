"""The officers' forms: the queue's filters, the decision on a parcel, the finding after
opening it and the supervisor's screening settings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from customs_portal.forms import REASON_ERRORS
from xray.parcels.models import Decision, Parcel
from xray.review.models import Finding, ParcelReview


class QueueFilterForm(forms.Form):
    """The queue's filters. An invalid filter lists nothing: `filters()` is only called
    once the form is valid."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any"))] + Parcel.Status.choices,
        initial=Parcel.Status.SCREENED,
    )
    machine_decision = forms.ChoiceField(
        label=_("Model's decision"), required=False, choices=[("", _("Any"))] + Decision.choices
    )
    mismatch_only = forms.BooleanField(label=_("Only contents that contradict the declaration"), required=False)
    control_sample = forms.ChoiceField(
        label=_("Random control sample"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Only the control sample")), ("no", _("Without the control sample"))],
    )
    date_from = forms.DateField(
        label=_("Registered from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Registered until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> dict:
        """The selector's keyword arguments for the filters given (screened parcels when
        the status is not in the query at all)."""
        data = dict(self.cleaned_data)
        control = data.pop("control_sample")
        data["control_sample"] = {"yes": True, "no": False}.get(control)
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.ChoiceField(label=_("Reason"), choices=ParcelReview.Reason.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=REASON_ERRORS,
    )


class FindingForm(forms.Form):
    finding = forms.ChoiceField(label=_("What was found"), choices=Finding.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=REASON_ERRORS,
    )


class ReviewSettingsForm(forms.Form):
    tip_share_percent = forms.IntegerField(
        label=_("Share of reviews with a projected threat (%)"), min_value=0, max_value=50
    )
    control_sample_percent = forms.IntegerField(label=_("Random control sample (%)"), min_value=0, max_value=50)
