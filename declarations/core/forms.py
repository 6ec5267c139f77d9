"""Forms of the declaration pages: filters, the header and line forms, amendments,
attachments, withdrawal and officers' decisions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from customs_portal.forms import REASON_ERRORS
from customs_portal.models import CustomsOffice
from declarations.core.models import Declaration, DeclarationAttachment, Preference
from declarations.core.selectors import DeclarationFilters
from declarations.core.services.decisions import Decision
from declarations.tariff import interface as tariff


class DeclarationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any"))] + Declaration.Status.choices)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any"))] + Declaration.Kind.choices)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    number = forms.CharField(label=_("Number"), required=False, max_length=20)

    def filters(self) -> DeclarationFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return DeclarationFilters(
            status=data.get("status") or "",
            kind=data.get("kind") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            number=data.get("number") or "",
        )


class ReviewQueueFilterForm(forms.Form):
    office = forms.ModelChoiceField(label=_("Office"), queryset=CustomsOffice.objects.all(), required=False)
    lane = forms.ChoiceField(label=_("Lane"), required=False, choices=[("", _("Any"))] + Declaration.Lane.choices)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any")),
            (Declaration.Status.DOCUMENT_REVIEW, Declaration.Status.DOCUMENT_REVIEW.label),
            (Declaration.Status.INSPECTION, Declaration.Status.INSPECTION.label),
        ],
    )

    def filters(self) -> DeclarationFilters:
        data = self.cleaned_data if self.is_valid() else {}
        office = data.get("office")
        return DeclarationFilters(
            status=data.get("status") or "", office_id=office.pk if office else None, lane=data.get("lane") or ""
        )


class DeclarationHeaderForm(forms.Form):
    """Types only; the domain rules (tariff, rates, EPA coverage) are the service's."""

    office = forms.ModelChoiceField(label=_("Customs office"), queryset=CustomsOffice.objects.all())
    party_name = forms.CharField(label=_("Importer/exporter name"), max_length=200)
    party_corporate_number = forms.CharField(
        label=_("Corporate number"),
        max_length=13,
        required=False,
        widget=forms.TextInput(attrs={"pattern": "[0-9]{13}", "inputmode": "numeric"}),
    )
    consignee_name = forms.CharField(label=_("Consignor (import) / consignee (export)"), max_length=200, required=False)
    consignee_country = forms.CharField(
        label=_("Their country"), max_length=2, required=False, widget=forms.TextInput(attrs={"pattern": "[A-Za-z]{2}"})
    )
    transport_mode = forms.ChoiceField(label=_("Transport mode"), choices=Declaration.TransportMode.choices)
    vessel_or_flight = forms.CharField(label=_("Vessel or flight"), max_length=50, required=False)
    transport_document = forms.CharField(label=_("B/L or air waybill number"), max_length=50, required=False)
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=50, required=False)
    invoice_currency = forms.CharField(
        label=_("Invoice currency"),
        max_length=3,
        initial="JPY",
        widget=forms.TextInput(attrs={"pattern": "[A-Za-z]{3}"}),
    )
    incoterm = forms.ChoiceField(label=_("Incoterm"), choices=Declaration.Incoterm.choices, initial="CIF")
    freight = forms.DecimalField(label=_("Freight"), min_value=0, max_digits=16, decimal_places=2, initial=0)
    insurance = forms.DecimalField(label=_("Insurance"), min_value=0, max_digits=16, decimal_places=2, initial=0)
    declaration_date = forms.DateField(label=_("Declaration date"), widget=forms.DateInput(attrs={"type": "date"}))


class DeclarationLineForm(forms.Form):
    hs_code = forms.CharField(
        label=_("Tariff code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"pattern": "[0-9.\\- ]{9,12}", "inputmode": "numeric", "data-estimate": "hs_code"}
        ),
    )
    description = forms.CharField(label=_("Goods description"), max_length=500)
    origin_country = forms.CharField(
        label=_("Origin"),
        max_length=2,
        widget=forms.TextInput(attrs={"pattern": "[A-Za-z]{2}", "data-estimate": "origin"}),
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=16,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"min": "0.001", "step": "any", "data-estimate": "quantity"}),
    )
    unit = forms.CharField(label=_("Unit"), max_length=8)
    net_weight_kg = forms.DecimalField(
        label=_("Net weight (kg)"),
        max_digits=14,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"min": "0", "step": "any"}),
    )
    invoice_value = forms.DecimalField(
        label=_("Invoice value"),
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.01", "data-estimate": "value"}),
    )
    preference = forms.ChoiceField(
        label=_("Preference"),
        choices=Preference.choices,
        required=False,
        widget=forms.Select(attrs={"data-estimate": "preference"}),
    )
    epa_agreement = forms.CharField(
        label=_("EPA"), max_length=20, required=False, widget=forms.TextInput(attrs={"data-estimate": "agreement"})
    )
    origin_proof = forms.ChoiceField(
        label=_("Origin proof"),
        choices=[("", "—"), *tariff.OriginProof.choices],
        required=False,
        widget=forms.Select(attrs={"data-estimate": "origin_proof"}),
    )
    origin_proof_reference = forms.CharField(label=_("Proof reference"), max_length=100, required=False)
    export_licence_number = forms.CharField(label=_("Export licence (METI)"), max_length=50, required=False)


class DeclarationLineBaseFormSet(forms.BaseFormSet):
    """The lines of a declaration, with a message about goods instead of Django's "forms"."""

    default_error_messages = {"too_few_forms": _("Add at least one line of goods.")}


DeclarationLineFormSet = forms.formset_factory(
    DeclarationLineForm,
    formset=DeclarationLineBaseFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    can_delete=True,
    max_num=999,
    validate_max=True,
)


class AmendmentReasonForm(forms.Form):
    # Needed to send, not to preview: the service asks for it.
    reason = forms.CharField(
        label=_("Reason for the amendment"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DeclarationAttachment.Kind.choices)
    file = forms.FileField(
        label=_("File (PDF, JPEG or PNG, at most 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=1000, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Decision.CLEAR, _("Clear (permit, or release after payment)")),
            (Decision.REJECT, _("Reject")),
            (Decision.ESCALATE, _("Escalate to physical inspection")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), error_messages=REASON_ERRORS
    )
