"""Forms shared by the apps, and the one mapper from a service's `ApplicationError` to
form errors."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from customs_portal.errors import ApplicationError
from customs_portal.models import AeoCertificate, Company

# The error of a reason an officer writes that is too long: what the limit is and how
# long the text was, so the officer knows how much to cut. For a reason field's
# `error_messages`.
REASON_ERRORS = {
    "max_length": ngettext_lazy(
        "The reason can be at most %(limit_value)d character (you wrote %(show_value)d).",
        "The reason can be at most %(limit_value)d characters (you wrote %(show_value)d).",
        "limit_value",
    )
}

_ROW_KEY = re.compile(r"(\w+)\[(\d+)\]\.(\w+)")


def form_add_application_error(
    error: ApplicationError,
    *page_forms: forms.Form,
    rows: Mapping[str, Sequence[forms.Form]] | None = None,
    fallback_field: str | None = None,
    summary: bool = False,
) -> None:
    """Shows a service's refusal on the forms of a page.

    Each message of `error.fields` goes on the field it names: `party_name` on the first
    of `page_forms` that has that field, `lines[2].origin_country` on form 2 of
    `rows["lines"]`. A message that fits no field goes at the top of the first form (or
    on `fallback_field`), so nothing the service said is lost; an error without field
    messages shows its own message there.
    """
    unplaced = []
    for key, messages in error.fields.items():
        for message in messages if isinstance(messages, (list, tuple)) else [messages]:
            if not _place_on_field(key, message, page_forms, rows or {}):
                unplaced.append(message)
    if summary or not error.fields:
        unplaced.insert(0, error.message)
    for message in unplaced:
        page_forms[0].add_error(fallback_field, message)


def _place_on_field(key: str, message, page_forms, rows) -> bool:
    row_key = _ROW_KEY.fullmatch(key)
    if row_key:
        row_forms = rows.get(row_key[1], ())
        index, field = int(row_key[2]), row_key[3]
        if index < len(row_forms) and field in row_forms[index].fields:
            row_forms[index].add_error(field, message)
            return True
        return False
    for form in page_forms:
        if key in form.fields:
            form.add_error(key, message)
            return True
    return False


class WebhookSubscriptionForm(forms.Form):
    url = forms.URLField(label=_("Receiver URL"), max_length=500, assume_scheme="https")
    events = forms.CharField(
        label=_("Events"),
        required=False,
        help_text=_("Comma-separated event names; leave empty to receive every event."),
    )

    def clean_events(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["events"].split(",") if name.strip()]


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


class AeoValidityForm(forms.Form):
    valid_from = _date_field(_("Valid from"))
    valid_to = _date_field(
        _("Ends on"), help_text=_("The first day without AEO benefits: declarations dated on or after it are not AEO.")
    )


class AeoCertificateForm(AeoValidityForm):
    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.order_by("name"))
    kind = forms.ChoiceField(label=_("Kind"), choices=AeoCertificate.Kind.choices)
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=20)

    field_order = ["company", "kind", "certificate_number", "valid_from", "valid_to"]


class AeoRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=REASON_ERRORS,
    )
