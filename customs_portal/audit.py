"""The one way to write the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from customs_portal import bulk
from customs_portal.models import AuditEvent, Company, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The caller's address; behind PROXY_COUNT proxies, the one the outermost proxy saw."""
    if request is None:
        return None
    if settings.PROXY_COUNT:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= settings.PROXY_COUNT:
            return hops[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    system: str = "",
    obj: models.Model | None = None,
    company: Company | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Appends one event. `actor` is the user who acted; `system` names the component
    (a task, the payment gateway) when no user did."""
    if actor is None and not system:
        raise ValueError("An audit event needs an actor or the name of the system component that acted.")
    if company is None and obj is not None:
        company = getattr(obj, "company", None) if isinstance(getattr(obj, "company", None), Company) else None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=actor.get_username() if actor else system,
        actor_role=actor.role if actor else "system",
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        company=company,
        before=before,
        after=after,
        ip_address=client_ip(request),
    )


@dataclass(frozen=True)
class SystemEvent:
    """One event of `audit_record_many`: what a system component did to one object."""

    action: str
    system: str
    obj: models.Model
    company_id: int | None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def audit_record_many(events: list[SystemEvent]) -> None:
    """Appends many system events at once (bulk screening of a manifest, its
    assessments): the same rows `audit_record` writes one by one, in one COPY."""
    if not events:
        return
    copier = bulk.Copier(
        AuditEvent,
        AuditEvent(actor=None, actor_role="system", ip_address=None),
        varying=["action", "actor_label", "object_type", "object_id", "object_repr", "company_id", "before", "after"],
    )
    copier.copy(
        [
            {
                "action": event.action,
                "actor_label": event.system,
                "object_type": event.obj._meta.label,
                "object_id": str(event.obj.pk),
                "object_repr": str(event.obj)[:200],
                "company_id": event.company_id,
                "before": event.before,
                "after": event.after,
            }
            for event in events
        ]
    )
