"""The audit trail as a hash chain: each event stores the hash of the event before it
and a SHA-256 of its own content together with that hash, and one chain-head row keeps
the length and the last hash. Editing, deleting or reordering events, or emptying the
table, then shows when the chain is walked (`manage.py verify_audit_trail`).

What it cannot show: someone who may write both tables (the table owner) can rewrite
the whole chain and its head consistently, or empty both. The application's database
role may do neither (see `grant_app_role`); keeping a copy of the head hash outside the
database makes a rewrite by the owner visible as well."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

GENESIS_HASH = "0" * 64

# The columns a hash covers, besides the previous event's hash.
CHAINED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "company_id",
    "before",
    "after",
    "ip_address",
)


def _canonical_json_value(value: Any) -> Any:
    """A JSON value as PostgreSQL's jsonb gives it back: a whole float (1.0, 1e16)
    comes back as an integer, so both are hashed as the integer."""
    if isinstance(value, dict):
        return {str(key): _canonical_json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical_json_value(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _canonical_field(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "occurred_at":
        return value.astimezone(datetime.UTC).isoformat()
    if name == "ip_address":
        return str(ipaddress.ip_address(value))
    if name in ("before", "after"):
        return _canonical_json_value(value)
    return value


def event_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    """SHA-256 (hex) of the canonical JSON of an event's chained fields and the previous
    event's hash. `fields` maps each name of CHAINED_FIELDS to its value."""
    content = {name: _canonical_field(name, fields[name]) for name in CHAINED_FIELDS}
    content["prev_hash"] = prev_hash
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first broken link: the event where the chain stops holding (None when the
    events are gone altogether), a problem code and a sentence for the operator."""

    problem: str  # content_changed, link_broken, gap, head_mismatch
    event_id: int | None
    seq: int | None
    detail: str


@dataclass(frozen=True)
class ChainReport:
    """The result of a walk: `events` counts those walked (up to the break), `head_hash`
    is the last good hash."""

    intact: bool
    events: int
    head_hash: str
    first_break: ChainBreak | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _link_problem(event: Mapping[str, Any], *, expected_seq: int, previous_hash: str) -> tuple[str, str] | None:
    """What is wrong with one event as the next link of the chain, or None."""
    if event["seq"] != expected_seq:
        return (
            "gap",
            f"event {event['id']} has position {event['seq']} where {expected_seq} was expected: events are missing",
        )
    if event["prev_hash"] != previous_hash:
        return "link_broken", f"event {event['id']} does not point to the event before it"
    if event_hash(event, event["prev_hash"]) != event["hash"]:
        return "content_changed", f"the content of event {event['id']} was changed after it was recorded"
    return None


def chain_verify(*, events: Iterable[Mapping[str, Any]], head_length: int, head_hash: str) -> ChainReport:
    """Walks `events` (each a mapping with "id", "prev_hash", "hash" and the chained
    fields, in increasing seq) and reports the first broken link, then checks the last
    event against the chain head."""
    count = 0
    previous_hash = GENESIS_HASH
    for event in events:
        count += 1
        problem = _link_problem(event, expected_seq=count, previous_hash=previous_hash)
        if problem is not None:
            return ChainReport(
                False, count, previous_hash, ChainBreak(problem[0], event["id"], event["seq"], problem[1])
            )
        previous_hash = event["hash"]
    if count != head_length or previous_hash != head_hash:
        detail = f"the chain head records {head_length} events, the trail holds {count}: events are missing at the end"
        if count == head_length:
            detail = "the last event's hash differs from the one the chain head records"
        return ChainReport(False, count, previous_hash, ChainBreak("head_mismatch", None, None, detail))
    return ChainReport(True, count, previous_hash, None)


def audit_trail_verify() -> ChainReport:
    """Walks the stored audit trail against its chain head."""
    from customs_portal.models import AuditChainHead, AuditEvent

    head = AuditChainHead.objects.filter(pk=1).first()
    events = AuditEvent.objects.order_by("seq").values("id", "prev_hash", "hash", *CHAINED_FIELDS)
    return chain_verify(
        events=events.iterator(chunk_size=2000),
        head_length=head.length if head else 0,
        head_hash=head.last_hash if head else GENESIS_HASH,
    )
