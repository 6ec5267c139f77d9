from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from customs_portal.models import Company, Role
from payments.models import PaymentIntent, PaymentMethod


class PayForm(forms.Form):
    """Only the method is chosen here: the amount comes from the assessment, so a
    tampered amount in the browser has nowhere to go."""

    method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices, widget=forms.RadioSelect)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
            self.initial.setdefault("method", PaymentMethod.CARD)


class RefundForm(forms.Form):
    amount_jpy = forms.IntegerField(label=_("Amount (JPY)"), min_value=1, max_value=10**12)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class PaymentSearchForm(forms.Form):
    q = forms.CharField(label=_("Assessment reference"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any"))] + list(PaymentIntent.Status.choices)
    )
    method = forms.ChoiceField(
        label=_("Method"), required=False, choices=[("", _("Any"))] + list(PaymentMethod.choices)
    )


class DeferralApproveForm(forms.Form):
    """A supervisor approves a trader company for deferred payment, or changes the
    registered security of one already approved (the service updates it in place)."""

    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.none())
    security_jpy = forms.IntegerField(label=_("Registered security (JPY)"), min_value=1, max_value=10**13)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.filter(users__role=Role.TRADER).distinct().order_by("name")
