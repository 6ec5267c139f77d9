"""Where other apps plug into the declaration workflow; declarations never imports them.

- `lane_assigner`: the inspection app registers its risk scorer here (in its
  AppConfig.ready). Until one is registered, `declarations.core.screening.rule_based_lane`
  decides.
- `declaration_awaiting_payment`: sent (on commit) when customs has cleared an import
  declaration that owes tax; the payments app creates the assessment.
- `declaration_status_changed`: sent (on commit) after every transition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.dispatch import Signal

declaration_awaiting_payment = Signal()  # kwargs: declaration
declaration_status_changed = Signal()  # kwargs: declaration, from_status, to_status


@dataclass(frozen=True)
class LaneDecision:
    lane: str  # a Declaration.Lane value
    # Why, for officers only: {"code", "params"} dicts (customs_portal.reasons), never text.
    reasons: list[dict] = field(default_factory=list)
    decided_by: str = "rule"  # "rule", or the model name and version that scored it


LaneAssigner = Callable[..., LaneDecision]  # called as assigner(declaration=...)

_lane_assigner: LaneAssigner | None = None


def register_lane_assigner(assigner: LaneAssigner | None) -> None:
    global _lane_assigner
    _lane_assigner = assigner


def lane_assigner() -> LaneAssigner | None:
    return _lane_assigner
