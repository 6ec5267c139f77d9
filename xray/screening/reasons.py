"""The X-ray screening's reasons in plain words. Stored as codes with parameters in
`Parcel.mismatch_reasons`; worded in the reader's language by `customs_portal.reasons`,
where XrayConfig.ready registers `reason_text` as the wording of these codes."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from customs_portal.reasons import reasons_text

__all__ = ["reason_text", "reasons_text", "threat_label"]


def threat_label(code: str) -> str:
    """A model class in the reader's language."""
    labels = {
        "gun": _("a gun"),
        "blade": _("a blade or knife"),
        "shuriken": _("a shuriken-like weapon"),
        "other": _("no threat"),
    }
    return labels.get(code, code)


def reason_text(reason: dict) -> str | None:
    """The text of one of the X-ray screening's reason codes; None for another app's code."""
    code = reason.get("code", "")
    params = reason.get("params") or {}
    if code == "declared_without_threat":
        return _(
            "the image shows %(seen)s (probability %(percent)s %%), but the declared contents (%(declared)s) "
            "include none"
        ) % {
            "seen": threat_label(str(params.get("seen", ""))),
            "percent": number_format(round(float(params.get("probability", 0)) * 100)),
            "declared": params.get("declared", ""),
        }
    return None
