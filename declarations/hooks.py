"""Where other apps plug into the declaration workflow; declarations never imports them.

- `lane_assigner`: the inspection app registers its risk scorer here (in its
  AppConfig.ready). Until one is registered, `declarations.core.screening.rule_based_lane`
  decides. An assigner may come with a bulk variant (`bulk_lane_assigner`) that decides
  the lanes of many declarations at once, as the single one would one by one, in order;
  bulk manifest screening uses it, and calls the single one per parcel where there is none.
- `declaration_awaiting_payment`: sent (on commit) when customs has cleared an import
  declaration that owes tax; the payments app creates the assessment.
- `declarations_awaiting_payment`: the same for many declarations at once, sent by bulk
  manifest screening inside its transaction, so that parcels and their assessments are
  written together; without a receiver, `declaration_awaiting_payment` is sent for each.
- `declaration_status_changed`: sent (on commit) after every transition.
- `traveller_duty_due`: sent inside the transaction of a kiosk's decision that lets a
  traveller through the gate once the duty is paid; the payments app writes the
  assessment (kind "traveller") in that transaction and calls
  `declarations.travellers.services.traveller_duty_paid` once it is paid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.dispatch import Signal

declaration_awaiting_payment = Signal()  # kwargs: declaration
declarations_awaiting_payment = Signal()  # kwargs: declarations (a list)
declaration_status_changed = Signal()  # kwargs: declaration, from_status, to_status
traveller_duty_due = Signal()  # kwargs: declaration (a TravellerDeclaration), kiosk


@dataclass(frozen=True)
class LaneDecision:
    lane: str  # a Declaration.Lane value
    # Why, for officers only: {"code", "params"} dicts (customs_portal.reasons), never text.
    reasons: list[dict] = field(default_factory=list)
    decided_by: str = "rule"  # "rule", or the model name and version that scored it


LaneAssigner = Callable[..., LaneDecision]  # called as assigner(declaration=...)
# Called as bulk(declarations=[...]); returns {declaration id: LaneDecision}.
BulkLaneAssigner = Callable[..., dict[int, LaneDecision]]

_lane_assigner: LaneAssigner | None = None
# Each bulk variant belongs to its single assigner: registering another assigner (a test's)
# leaves none, and registering the first one again brings its bulk variant back.
_bulk_variants: dict[LaneAssigner, BulkLaneAssigner] = {}


def register_lane_assigner(assigner: LaneAssigner | None, *, bulk: BulkLaneAssigner | None = None) -> None:
    global _lane_assigner
    _lane_assigner = assigner
    if assigner is not None and bulk is not None:
        _bulk_variants[assigner] = bulk


def lane_assigner() -> LaneAssigner | None:
    return _lane_assigner


def bulk_lane_assigner() -> BulkLaneAssigner | None:
    """The bulk variant of the registered assigner, if it has one."""
    return _bulk_variants.get(_lane_assigner) if _lane_assigner is not None else None
