"""The periodic repair of the handoffs between declarations and payments, and between
postal parcels and payments. The handoffs run once the write commits (an assessment when
a declaration awaits payment or a released parcel owes duty, the permit once its
assessment is paid or deferred); a process that dies or a step that fails in between
leaves a declaration or parcel in a state this sweep finds and completes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from customs_portal.errors import ApplicationError
from declarations.models import Declaration
from payments import services
from payments.models import Assessment
from xray.parcels.models import Decision, Parcel

logger = logging.getLogger(__name__)

SYSTEM = "payments:handoff-sweep"
# The handoffs after commit normally finish within a second; a declaration left waiting
# longer than this is considered stuck.
STUCK_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class HandoffRepair:
    assessed: int
    permitted: int
    parcels_assessed: int = 0


def handoffs_repair(*, older_than: timedelta = STUCK_AFTER) -> HandoffRepair:
    """Creates the missing assessment of each declaration awaiting payment, and permits
    each declaration awaiting payment whose assessment is paid or deferred; creates the
    missing assessment of each released postal parcel that owes duty. Safe to run any
    number of times."""
    waiting = Declaration.objects.filter(
        status=Declaration.Status.AWAITING_PAYMENT, updated_at__lte=timezone.now() - older_than
    )
    assessed = 0
    for declaration in waiting.filter(~Exists(Assessment.objects.filter(declaration=OuterRef("pk")))):
        services.assessment_create_for_declaration(declaration=declaration)
        assessed += 1
    permitted = 0
    settled = Assessment.objects.filter(
        declaration=OuterRef("pk"), status__in=[Assessment.Status.PAID, Assessment.Status.DEFERRED]
    )
    for declaration in waiting.filter(Exists(settled)):
        from declarations.core.workflow import declaration_payment_settled

        try:
            declaration_payment_settled(declaration=declaration, system=SYSTEM)
        except ApplicationError:
            logger.exception("Declaration %s could not be permitted by the handoff sweep", declaration.pk)
            continue
        permitted += 1
    parcels_assessed = 0
    released = Parcel.objects.filter(
        status=Parcel.Status.DECIDED,
        final_decision=Decision.RELEASE,
        duty_jpy__gt=0,
        decided_at__lte=timezone.now() - older_than,
    )
    for parcel in released.filter(~Exists(Assessment.objects.filter(postal_parcel=OuterRef("pk")))):
        services.assessment_create_for_parcel(parcel=parcel)
        parcels_assessed += 1
    if assessed or permitted or parcels_assessed:
        logger.warning(
            "Handoff sweep: %s assessment(s) created, %s declaration(s) permitted, %s parcel assessment(s) created",
            assessed,
            permitted,
            parcels_assessed,
        )
    return HandoffRepair(assessed=assessed, permitted=permitted, parcels_assessed=parcels_assessed)
