"""Officers' work queues. Each queue is declared here with the roles that work it; the
app that fills a queue registers its counter when it lands. Until then the dashboard
shows the queue as not in service yet, rather than a misleading zero."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from customs_portal.models import Role, User


@dataclass(frozen=True)
class WorkQueue:
    key: str
    title: str | Promise
    description: str | Promise
    roles: frozenset[str]


@dataclass(frozen=True)
class QueueCount:
    queue: WorkQueue
    count: int | None  # None: no app fills this queue yet
    url: str


WORK_QUEUES = [
    WorkQueue(
        "declarations_review",
        _("Declarations to review"),
        _("Yellow-lane declarations waiting for document review."),
        frozenset({Role.CLEARANCE_OFFICER, Role.SUPERVISOR}),
    ),
    WorkQueue(
        "inspections",
        _("Physical inspections"),
        _("Red-lane declarations ranked by expected additional revenue."),
        frozenset({Role.INSPECTION_OFFICER, Role.SUPERVISOR}),
    ),
    WorkQueue(
        "xray_review",
        _("X-ray images to check"),
        _("Postal parcels the image model flagged."),
        frozenset({Role.INSPECTION_OFFICER, Role.SUPERVISOR}),
    ),
    WorkQueue(
        "post_clearance_audit",
        _("Post-clearance audit list"),
        _("Companies ranked by expected unpaid revenue."),
        frozenset({Role.AUDIT_OFFICER, Role.SUPERVISOR}),
    ),
    WorkQueue(
        "probably_wrong",
        _("Declarations probably wrong"),
        _("Tariff line, value or origin claims that look inconsistent."),
        frozenset({Role.CLEARANCE_OFFICER, Role.AUDIT_OFFICER, Role.SUPERVISOR}),
    ),
    WorkQueue(
        "applications",
        _("Applications to decide"),
        _("Duty relief and IP-rights suspension applications waiting for a decision."),
        frozenset({Role.CLEARANCE_OFFICER, Role.SUPERVISOR}),
    ),
    WorkQueue(
        "refund_approvals",
        _("Refunds awaiting approval"),
        _("Refunds over the threshold that need a second officer."),
        frozenset({Role.SUPERVISOR}),
    ),
]

_counters: dict[str, tuple[Callable[[User], int], str]] = {}


def register_queue_counter(key: str, *, counter: Callable[[User], int], url: str) -> None:
    if key not in {queue.key for queue in WORK_QUEUES}:
        raise KeyError(f"Unknown work queue {key!r}: declare it in WORK_QUEUES first.")
    _counters[key] = (counter, url)


def queue_counts_for_user(*, user: User) -> list[QueueCount]:
    counts = []
    for queue in WORK_QUEUES:
        if user.role not in queue.roles:
            continue
        counter, url = _counters.get(queue.key, (None, ""))
        counts.append(QueueCount(queue=queue, count=counter(user) if counter else None, url=url))
    return counts


# The trader's dashboard: each app that has something for it (open declarations, amounts
# due) registers a summary here, so the shared domain never imports the apps.
_trader_summaries: dict[str, Callable[[User], object]] = {}


def register_trader_summary(key: str, *, summary: Callable[[User], object]) -> None:
    _trader_summaries[key] = summary


def trader_summaries_for_user(*, user: User) -> dict[str, object]:
    """Each registered summary for this trader, by key ("declarations", "amounts_due")."""
    return {key: summary(user) for key, summary in _trader_summaries.items()}
