"""What a declaration is waiting for, and how long that step typically takes at its
office.

The typical time of a step is computed from the status history (DeclarationStatusChange)
of the last `HISTORY_DAYS` days: for every entry into the step's status, the time until
the declaration's next status change. The median and the 90th percentile are taken over
the declaration's own office, or over all offices when the office has fewer than
`MIN_OFFICE_SAMPLES` finished steps; with no finished step at all there is no figure.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from declarations.core.models import Declaration, DeclarationStatusChange

HISTORY_DAYS = 90
MIN_OFFICE_SAMPLES = 5

Status = Declaration.Status


@dataclass(frozen=True)
class Step:
    key: str
    label: Promise
    description: Promise


STEPS: dict[str, Step] = {
    Status.SUBMITTED: Step("screening", _("Screening"), _("Customs is screening the declaration to assign a lane.")),
    Status.SCREENING: Step("screening", _("Screening"), _("Customs is screening the declaration to assign a lane.")),
    Status.DOCUMENT_REVIEW: Step(
        "document_review", _("Document review"), _("An officer is reviewing the declaration and its documents.")
    ),
    Status.INSPECTION: Step("inspection", _("Physical inspection"), _("The goods are to be inspected by customs.")),
    Status.AWAITING_PAYMENT: Step(
        "payment", _("Payment"), _("The goods are released once the duty and taxes are paid.")
    ),
}


@dataclass(frozen=True)
class StepTiming:
    median: timedelta
    p90: timedelta
    samples: int
    scope: str  # "office" or "all"

    @property
    def median_label(self) -> str:
        return duration_label(self.median)

    @property
    def p90_label(self) -> str:
        return duration_label(self.p90)


def duration_label(value: timedelta) -> str:
    """'2 hours, 5 minutes' in the active language."""
    reference = timezone.now()
    return timesince(reference - value, reference, depth=2)


@dataclass(frozen=True)
class WaitingFor:
    step: str  # screening, document_review, inspection or payment
    label: str
    description: str
    status: str
    since: datetime | None
    waited: timedelta | None
    typical: StepTiming | None  # None: no finished step in the history window


def _percentile(sorted_values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (as numpy's default)."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    position = (len(sorted_values) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (position - lower)


def _timing(seconds: list[float], scope: str) -> StepTiming:
    ordered = sorted(seconds)
    return StepTiming(
        median=timedelta(seconds=statistics.median(ordered)),
        p90=timedelta(seconds=_percentile(ordered, 0.9)),
        samples=len(ordered),
        scope=scope,
    )


def step_durations(*, status: str, now: datetime | None = None) -> list[tuple[int, float]]:
    """(office id, seconds spent) for each time a declaration entered `status` in the
    history window and has since left it."""
    now = now or timezone.now()
    since = now - timedelta(days=HISTORY_DAYS)
    changes = DeclarationStatusChange._meta.db_table
    declarations = Declaration._meta.db_table
    # LEAD pairs each change with the declaration's next one; the window runs over all
    # changes since `since`, so a step entered in the window always finds its exit.
    sql = f"""
        SELECT d.office_id, seq.changed_at, seq.left_at
        FROM (
            SELECT declaration_id, to_status, changed_at,
                   LEAD(changed_at) OVER (PARTITION BY declaration_id ORDER BY changed_at, id) AS left_at
            FROM {changes}
            WHERE changed_at >= %s
        ) seq
        JOIN {declarations} d ON d.id = seq.declaration_id
        WHERE seq.to_status = %s AND seq.left_at IS NOT NULL
    """  # noqa: S608 - table names come from the models, values are parameters.
    with connection.cursor() as cursor:
        cursor.execute(sql, [since, status])
        rows = cursor.fetchall()
    return [
        (office_id, (_as_datetime(left_at) - _as_datetime(entered_at)).total_seconds())
        for office_id, entered_at, left_at in rows
    ]


def _as_datetime(value: datetime | str) -> datetime:
    """Raw SQL on SQLite (`make run`) returns timestamps as ISO text in UTC."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def step_timing(*, status: str, office_id: int, now: datetime | None = None) -> StepTiming | None:
    """Median and p90 of the time spent in `status` at the office (or at all offices
    when the office has fewer than MIN_OFFICE_SAMPLES); None with no data."""
    durations = step_durations(status=status, now=now)
    at_office = [seconds for office, seconds in durations if office == office_id]
    if len(at_office) >= MIN_OFFICE_SAMPLES:
        return _timing(at_office, "office")
    if durations:
        return _timing([seconds for _office, seconds in durations], "all")
    return None


def declaration_waiting_for(*, declaration: Declaration, now: datetime | None = None) -> WaitingFor | None:
    """What the declaration waits for now and the typical time of that step; None for a
    draft (waiting for its trader) or a closed declaration (permitted, rejected,
    withdrawn)."""
    step = STEPS.get(declaration.status)
    if step is None:
        return None
    now = now or timezone.now()
    entered = (
        DeclarationStatusChange.objects.filter(declaration=declaration, to_status=declaration.status)
        .order_by("-changed_at", "-id")
        .values_list("changed_at", flat=True)
        .first()
    )
    # Screening is one step for the trader: from submission until a lane is assigned.
    status = Status.SCREENING if step.key == "screening" else declaration.status
    return WaitingFor(
        step=step.key,
        label=str(step.label),
        description=str(step.description),
        status=declaration.status,
        since=entered,
        waited=now - entered if entered else None,
        typical=step_timing(status=status, office_id=declaration.office_id, now=now),
    )
