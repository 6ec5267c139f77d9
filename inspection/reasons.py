"""The risk model's reasons in plain words. Stored as codes with parameters; worded in
the reader's language by `customs_portal.reasons`, where InspectionConfig.ready registers
`reason_text` as the wording of these codes."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from customs_portal.reasons import reasons_text

__all__ = ["reason_text", "reasons_text"]  # reasons_text: the one rendering, for this app's views


def figure(value):
    """A number of a reason as the reader reads it: thousands separators, no decimals from
    100 up (a median unit value of 191785.59 reads "191,786") and at most two below (0.4,
    12.35); anything that is not a number is left as it is."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, float) and abs(value) < 100 and not value.is_integer():
        return number_format(round(value, 2))
    return number_format(round(value), force_grouping=True)


def reason_text(reason: dict) -> str | None:
    """The text of one of the risk model's reason codes; None for another app's code."""
    code = reason.get("code", "")
    params = {key: figure(value) for key, value in (reason.get("params") or {}).items()}
    if code == "unit_value_low":
        if params.get("country"):
            if params.get("basis") == "kg":
                return _("unit value per kg %(percent)s %% below the median of %(median)s from %(country)s") % params
            return _("unit value per unit %(percent)s %% below the median of %(median)s from %(country)s") % params
        return _("unit value %(percent)s %% below the median of %(median)s for this tariff line") % params
    if code == "importer_findings":
        return _("importer had %(count)s findings in the last 12 months") % params
    if code == "importer_new":
        return _("first declaration of this importer")
    if code == "declarant_rate":
        return _("%(percent)s %% of this declarant's past declarations had a discrepancy") % params
    if code == "tax_low":
        return _("taxes %(points)s points below the usual rate of this tariff line") % params
    if code == "origin_rare":
        return _("origin %(country)s supplies only %(percent)s %% of this tariff line") % params
    if code == "description_chapter":
        return _("the description reads like chapter %(suggested)s, not chapter %(chapter)s") % params
    if code == "line_rate":
        return _("%(percent)s %% of past declarations of this tariff line had a discrepancy") % params
    if code == "exploration":
        return _("chosen at random to keep the model learning")
    return None
