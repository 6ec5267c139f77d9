"""Screening as each side sees it.

Officers see why a declaration got its lane: the reasons the screening rule and the
export-control check write (their codes are worded here, registered with
`customs_portal.reasons` in DeclarationsConfig.ready), and those of the risk model (worded
by the inspection app). Traders see the lane and what they must do next
(`required_action`), never the reasons, a score or who decided.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from declarations.core.models import Declaration

NEWCOMER_LARGE_VALUE = "newcomer_large_value"
PREFERENCE_CLAIMED = "preference_claimed"
NO_RULE_APPLIES = "no_rule_applies"
END_USER_LISTED = "end_user_listed"


def reason_wording(reason: dict) -> str | None:
    """The text of a reason code written by declarations, or None for another app's code."""
    code, params = reason["code"], reason["params"]
    if code == NEWCOMER_LARGE_VALUE:
        return _("First declaration of this importer/exporter with a customs value over ¥1,000,000.")
    if code == PREFERENCE_CLAIMED:
        return _("Preferential rate claimed on line(s) %(lines)s.") % {
            "lines": ", ".join(str(line) for line in params["lines"])
        }
    if code == NO_RULE_APPLIES:
        return _("No screening rule applies.")
    if code == END_USER_LISTED:
        return _(
            "Consignee matches “%(name)s” (%(country)s) of the end-user list with similarity %(similarity).2f "
            "(%(concern)s)."
        ) % {**params, "concern": params.get("concern") or _("listed entity")}
    return None


@dataclass(frozen=True)
class RequiredAction:
    """What customs asks of the trader while the declaration waits in a lane."""

    code: str
    title: Promise
    message: Promise


REQUIRED_ACTIONS = {
    Declaration.Status.DOCUMENT_REVIEW: RequiredAction(
        "documents_requested",
        gettext_lazy("Documents requested"),
        gettext_lazy(
            "Customs will review the declaration and its documents. Upload the invoice, the packing list and "
            "any origin documents or licences under Documents; the officer may ask for more."
        ),
    ),
    Declaration.Status.INSPECTION: RequiredAction(
        "goods_selected_for_inspection",
        gettext_lazy("Goods selected for inspection"),
        gettext_lazy(
            "Customs will inspect the goods. Keep them available, unopened, where they are stored; the "
            "office will tell you when and where the inspection takes place."
        ),
    ),
}


def required_action(declaration: Declaration) -> RequiredAction | None:
    """What the trader must do now, if anything: documents for a review, the goods for an
    inspection. Worded the same whichever rule or model chose the lane."""
    return REQUIRED_ACTIONS.get(declaration.status)
