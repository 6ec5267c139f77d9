from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class WebhookSubscriptionForm(forms.Form):
    url = forms.URLField(label=_("Receiver URL"), max_length=500, assume_scheme="https")
    events = forms.CharField(
        label=_("Events"),
        required=False,
        help_text=_("Comma-separated event names; leave empty to receive every event."),
    )

    def clean_events(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["events"].split(",") if name.strip()]
