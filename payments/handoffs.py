"""The periodic repair of the handoffs between declarations and payments. Both handoffs
run once the write commits (an assessment when a declaration awaits payment, the permit
once its assessment is paid or deferred); a process that dies or a step that fails in
between leaves a declaration in a state this sweep finds and completes."""

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

logger = logging.getLogger(__name__)

SYSTEM = "payments:handoff-sweep"
# The handoffs after commit normally finish within a second; a declaration left waiting
# longer than this is considered stuck.
STUCK_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class HandoffRepair:
    assessed: int
    permitted: int


def handoffs_repair(*, older_than: timedelta = STUCK_AFTER) -> HandoffRepair:
    """Creates the missing assessment of each declaration awaiting payment, and permits
    each declaration awaiting payment whose assessment is paid or deferred. Safe to run
    any number of times."""
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
    if assessed or permitted:
        logger.warning("Handoff sweep: %s assessment(s) created, %s declaration(s) permitted", assessed, permitted)
    return HandoffRepair(assessed=assessed, permitted=permitted)
