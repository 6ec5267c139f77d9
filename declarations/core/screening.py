"""The screening rule used until a risk model is registered (declarations.hooks).

The rule, in order:
1. red when the importer/exporter has never had a declaration permitted before and the
   customs value exceeds ¥1,000,000 (a newcomer with a large consignment);
2. yellow when any line claims a preferential rate (EPA, GSP or LDC): the origin
   documents need a look;
3. green otherwise;
and, whatever the lane, an export consignee matching the end-user list is at least
yellow (`declarations.export_control.services.end_user_escalate`, also applied after a risk model).
"""

from __future__ import annotations

from customs_portal.reasons import reason
from declarations.core import reasons
from declarations.core.models import Declaration, Preference
from declarations.export_control.services import end_user_escalate
from declarations.hooks import LaneDecision

NEWCOMER_VALUE_LIMIT_JPY = 1_000_000
PREFERENTIAL = {Preference.EPA, Preference.GSP, Preference.LDC}


def rule_based_lane(*, declaration: Declaration) -> LaneDecision:
    return end_user_escalate(declaration=declaration, decision=interim_rule_lane(declaration=declaration))


def interim_rule_lane(*, declaration: Declaration) -> LaneDecision:
    has_history = (
        Declaration.objects.filter(
            party_corporate_number=declaration.party_corporate_number,
            party_name=declaration.party_name,
            status=Declaration.Status.PERMITTED,
        )
        .exclude(pk=declaration.pk)
        .exists()
    )
    if not has_history and (declaration.customs_value_jpy or 0) > NEWCOMER_VALUE_LIMIT_JPY:
        return LaneDecision(
            lane=Declaration.Lane.RED,
            reasons=[reason(reasons.NEWCOMER_LARGE_VALUE, limit_jpy=NEWCOMER_VALUE_LIMIT_JPY)],
        )
    claims = [line.line_no for line in declaration.lines.all() if line.preference in PREFERENTIAL]
    if claims:
        return LaneDecision(lane=Declaration.Lane.YELLOW, reasons=[reason(reasons.PREFERENCE_CLAIMED, lines=claims)])
    return LaneDecision(lane=Declaration.Lane.GREEN, reasons=[reason(reasons.NO_RULE_APPLIES)])
