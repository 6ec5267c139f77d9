"""The officers' intake forms: a scanner to register, a parcel with its declared
contents, an X-ray image to upload."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xray.parcels import services
from xray.parcels.models import Parcel
from xray.parcels.s10 import s10_is_valid, s10_normalise

MAX_LINES = 20


class ScannerRegisterForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"),
        max_length=30,
        regex=r"^[A-Za-z0-9][A-Za-z0-9-]{2,29}$",
        error_messages={"invalid": _("Use 3 to 30 letters, digits and hyphens, e.g. NRT-XR-01.")},
    )
    office = forms.CharField(label=_("Mail office"), max_length=100)
    label = forms.CharField(label=_("Label"), max_length=100, required=False)

    def clean_code(self) -> str:
        return self.cleaned_data["code"].upper()


class ParcelForm(forms.Form):
    item_number = forms.CharField(
        label=_("Item number"),
        max_length=20,
        help_text=_("As on the label: two letters, nine digits, two letters (RR123456785JP)."),
    )
    origin_country = forms.RegexField(
        label=_("Country of origin"),
        regex=r"^[A-Za-z]{2}$",
        max_length=2,
        error_messages={"invalid": _("Give the two-letter country code, e.g. US.")},
    )
    sender_name = forms.CharField(label=_("Sender"), max_length=200)
    sender_address = forms.CharField(label=_("Sender's address"), max_length=300, required=False)
    addressee_name = forms.CharField(label=_("Addressee"), max_length=200)
    addressee_address = forms.CharField(label=_("Addressee's address"), max_length=300)
    customs_form = forms.ChoiceField(label=_("Customs form"), choices=Parcel.Form.choices, initial=Parcel.Form.CN23)
    weight_grams = forms.IntegerField(label=_("Weight (g)"), min_value=1, max_value=100_000)

    def clean_item_number(self) -> str:
        value = s10_normalise(self.cleaned_data["item_number"])
        if not s10_is_valid(value):
            raise forms.ValidationError(
                _("Not a valid item number: two letters, nine digits (the last a check digit), two letters.")
            )
        return value

    def clean_origin_country(self) -> str:
        return self.cleaned_data["origin_country"].upper()


class DeclaredItemForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=200)
    hs_code = forms.RegexField(
        label=_("HS code"),
        regex=r"^(\d{4}|\d{6})$",
        required=False,
        error_messages={"invalid": _("An HS code has 4 or 6 digits.")},
    )
    # No initial value: a row left empty must stay unchanged to be skipped; blank is 1.
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100_000, required=False)
    value_jpy = forms.IntegerField(label=_("Value (JPY)"), min_value=0, max_value=100_000_000)


class DeclaredItemBaseFormSet(forms.BaseFormSet):
    """The declared lines; rows left empty are skipped."""

    default_error_messages = {"too_few_forms": _("Give at least one line of the declared contents.")}

    def items(self) -> tuple[services.DeclaredItemInput, ...]:
        return tuple(
            services.DeclaredItemInput(
                description=form.cleaned_data["description"],
                hs_code=form.cleaned_data.get("hs_code") or "",
                quantity=form.cleaned_data.get("quantity") or 1,
                value_jpy=form.cleaned_data["value_jpy"],
            )
            for form in self.forms
            if form.cleaned_data
        )


DeclaredItemFormSet = forms.formset_factory(
    DeclaredItemForm,
    formset=DeclaredItemBaseFormSet,
    extra=3,
    min_num=1,
    validate_min=True,
    max_num=MAX_LINES,
    validate_max=True,
)


class ImageUploadForm(forms.Form):
    image = forms.FileField(
        label=_("X-ray image"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/tiff"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Worded when the form is made, in the reader's language, with the limit in force.
        self.fields["image"].help_text = gettext("PNG, JPEG or TIFF, at most %(size)s MB.") % {
            "size": f"{settings.XRAY_IMAGE_MAX_BYTES / 1024 / 1024:g}"
        }
