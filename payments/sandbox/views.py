"""The sandbox gateway's hosted payment page: the payer is redirected here by the
portal, pays by the chosen method, and is sent back to the portal's return URL."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from payments.sandbox import gateway
from payments.sandbox.models import GatewayCharge


class CardForm(forms.Form):
    card_number = forms.CharField(label=_("Card number"), max_length=23)
    expiry_month = forms.IntegerField(label=_("Expiry month"), min_value=1, max_value=12)
    expiry_year = forms.IntegerField(label=_("Expiry year"), min_value=2000, max_value=2100)
    cvc = forms.RegexField(label=_("Security code"), regex=r"^\d{3,4}$")


class ApproveForm(forms.Form):
    bank_account = forms.CharField(label=_("Registered account"), max_length=30, required=False)


def hosted_page(request: HttpRequest, token: str) -> HttpResponse:
    charge = get_object_or_404(GatewayCharge, token=token)
    form_class = CardForm if charge.method == "card" else ApproveForm
    form = form_class(request.POST or None)
    if charge.status != GatewayCharge.Status.REQUIRES_PAYMENT:
        return render(request, "sandbox/pay.html", {"charge": charge, "form": None, "closed": True})
    if request.method == "POST" and form.is_valid():
        try:
            if charge.method == "card":
                gateway.charge_pay_card(
                    token=token,
                    card_number=form.cleaned_data["card_number"],
                    expiry_month=form.cleaned_data["expiry_month"],
                    expiry_year=form.cleaned_data["expiry_year"],
                )
            else:
                gateway.charge_approve(token=token, bank_account=form.cleaned_data.get("bank_account", ""))
        except gateway.GatewayError as error:
            form.add_error(None, str(error))
        else:
            return redirect(charge.return_url)
    return render(request, "sandbox/pay.html", {"charge": charge, "form": form, "closed": False})
