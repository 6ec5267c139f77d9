"""Forms of the officer console: the filters of the live list, the passport look-up, the
officer's decision at the desk, and the supervisor's kiosks, gate rules and watch list.
The forms check the shape of what is typed; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customs_portal.errors import ApplicationError
from customs_portal.personal_data import passport_number_normalise
from declarations.travellers.models import Airport, GateRiskRule, Lane, TravellerOfficerDecision
from declarations.travellers.mrz import mrz_parse
from declarations.travellers.questions import QUESTIONS

_DATETIME_WIDGET = {"attrs": {"type": "datetime-local"}, "format": "%Y-%m-%dT%H:%M"}
# A passport number as printed in the MRZ: letters and digits, at most 9 there, but some
# states print longer numbers on the data page.
_PASSPORT_MIN, _PASSPORT_MAX = 5, 20


class _NoEchoTextInput(forms.TextInput):
    """A text field that comes back empty when the form is shown again with errors, so
    that a passport number typed once never reaches a page."""

    def format_value(self, value: Any) -> None:
        return None


class _NoEchoTextarea(forms.Textarea):
    def format_value(self, value: Any) -> None:
        return None


def _passport_number_clean(value: str) -> str:
    """The passport number from what was typed: the number itself, or a passport's
    machine-readable zone (two lines of 44 characters), whose check digits must hold."""
    text = (value or "").strip()
    if "\n" in text or len(text.replace(" ", "")) >= 88:
        try:
            return mrz_parse(text).number
        except ApplicationError as error:
            raise forms.ValidationError(error.message, code=error.code) from error
    number = passport_number_normalise(text)
    if not (_PASSPORT_MIN <= len(number) <= _PASSPORT_MAX and number.isalnum() and number.isascii()):
        raise forms.ValidationError(
            _("Give a passport number of %(min)s to %(max)s letters and digits, or the passport's two MRZ lines."),
            code="invalid_passport",
            params={"min": _PASSPORT_MIN, "max": _PASSPORT_MAX},
        )
    return number


class DecisionFilterForm(forms.Form):
    """The filters of the live list of kiosk decisions (and of its JSON feed)."""

    airport = forms.ChoiceField(label=_("Airport"), required=False, choices=[("", _("All airports"))] + Airport.choices)
    lane = forms.ChoiceField(label=_("Lane"), required=False, choices=[("", _("Both lanes"))] + Lane.choices)
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class QueueFilterForm(forms.Form):
    airport = forms.ChoiceField(label=_("Airport"), required=False, choices=[("", _("All airports"))] + Airport.choices)


class PassportLookupForm(forms.Form):
    passport = forms.CharField(
        label=_("Passport number or MRZ"),
        max_length=200,
        widget=_NoEchoTextarea(attrs={"rows": 2, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The number is looked up by its keyed hash; it is neither kept nor logged."),
    )

    def clean_passport(self) -> str:
        return _passport_number_clean(self.cleaned_data["passport"])


class OfficerDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=TravellerOfficerDecision.Outcome.choices, widget=forms.RadioSelect
    )
    duty_jpy = forms.IntegerField(
        label=_("Duty collected (JPY)"),
        required=False,
        min_value=0,
        max_value=100_000_000,
        help_text=_("Only when the duty was collected."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_duty_jpy(self) -> int:
        return self.cleaned_data["duty_jpy"] or 0


class KioskRegisterForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"),
        max_length=30,
        regex=r"^[A-Za-z0-9][A-Za-z0-9-]{2,29}$",
        error_messages={"invalid": _("Use 3 to 30 letters, digits and hyphens, e.g. NRT-T1-01.")},
    )
    airport = forms.ChoiceField(label=_("Airport"), choices=Airport.choices)
    terminal = forms.CharField(label=_("Terminal"), max_length=20)
    label = forms.CharField(label=_("Label"), max_length=100, required=False)

    def clean_code(self) -> str:
        return self.cleaned_data["code"].upper()


class GateRuleForm(forms.Form):
    """A new gate rule. Flights and points of embarkation are typed; an answer rule picks
    one of the declaration's questions."""

    kind = forms.ChoiceField(label=_("Kind of rule"), choices=GateRiskRule.Kind.choices)
    value = forms.CharField(
        label=_("Flight or point of embarkation"),
        max_length=20,
        required=False,
        help_text=_("A flight number (NH204) or an airport code (LAX)."),
    )
    question = forms.ChoiceField(
        label=_("Question answered “yes”"),
        required=False,
        choices=[("", "—")] + [(key, question.short) for key, question in QUESTIONS.items()],
    )
    share_percent = forms.DecimalField(
        label=_("Share of travellers (%)"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    valid_from = forms.DateTimeField(label=_("Valid from"), widget=forms.DateTimeInput(**_DATETIME_WIDGET))
    valid_until = forms.DateTimeField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateTimeInput(**_DATETIME_WIDGET),
        help_text=_("Leave empty for a rule without an end."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"valid_from": timezone.localtime().replace(second=0, microsecond=0)})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == GateRiskRule.Kind.ANSWER:
            if not data.get("question"):
                self.add_error("question", _("Choose the question."))
            data["value"] = data.get("question", "")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "value": data["value"],
            "share_percent": data["share_percent"],
            "valid_from": data["valid_from"],
            "valid_until": data["valid_until"],
            "note": data["note"],
        }


class WatchListForm(forms.Form):
    passport_number = forms.CharField(
        label=_("Passport number"),
        max_length=40,
        widget=_NoEchoTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Kept only as its keyed hash: the list cannot show it again."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    valid_until = forms.DateTimeField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateTimeInput(**_DATETIME_WIDGET),
        help_text=_("Leave empty for an entry without an end."),
    )

    def clean_passport_number(self) -> str:
        return _passport_number_clean(self.cleaned_data["passport_number"])
