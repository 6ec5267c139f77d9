"""The one way to write the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from customs_portal import bulk
from customs_portal.audit_chain import CHAINED_FIELDS, event_hash
from customs_portal.models import AuditChainHead, AuditEvent, Company, User


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
    event = AuditEvent(
        occurred_at=timezone.now(),
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
    with transaction.atomic():
        head = _chain_head_locked()
        _chain_link(event, seq=head.length + 1, prev_hash=head.last_hash)
        event.save()
        _chain_head_move(head, length=event.seq, last_hash=event.hash)
    return event


def _chain_head_locked() -> AuditChainHead:
    """The chain head, locked until the transaction ends: appends wait for each other,
    so each event links to the one committed before it."""
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    return head


def _chain_link(event: AuditEvent, *, seq: int, prev_hash: str) -> None:
    event.seq = seq
    event.prev_hash = prev_hash
    event.hash = event_hash({name: getattr(event, name) for name in CHAINED_FIELDS}, prev_hash)


def _chain_head_move(head: AuditChainHead, *, length: int, last_hash: str) -> None:
    AuditChainHead.objects.filter(pk=head.pk).update(length=length, last_hash=last_hash)


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
    assessments): the same rows, chained the same way, that `audit_record` writes one
    by one, in one COPY."""
    if not events:
        return
    copier = bulk.Copier(
        AuditEvent,
        AuditEvent(actor=None, actor_role="system", ip_address=None),
        varying=[
            "occurred_at", "action", "actor_label", "object_type", "object_id", "object_repr", "company_id",
            "before", "after", "seq", "prev_hash", "hash",
        ],
    )  # fmt: skip
    now = timezone.now()
    with transaction.atomic():
        head = _chain_head_locked()
        rows = []
        prev_hash = head.last_hash
        for seq, event in enumerate(events, start=head.length + 1):
            row = {
                "seq": seq,
                "occurred_at": now,
                "actor_id": None,
                "actor_label": event.system,
                "actor_role": "system",
                "action": event.action,
                "object_type": event.obj._meta.label,
                "object_id": str(event.obj.pk),
                "object_repr": str(event.obj)[:200],
                "company_id": event.company_id,
                "before": event.before,
                "after": event.after,
                "ip_address": None,
                "prev_hash": prev_hash,
            }
            row["hash"] = prev_hash = event_hash(row, prev_hash)
            rows.append(row)
        copier.copy(rows)
        _chain_head_move(head, length=rows[-1]["seq"], last_hash=prev_hash)


# How the audit trail reads. Actions are stored as codes, "<what>.<what happened>"
# ("declaration.submitted", "risk_model.promoted"); pages word them in the reader's
# language when shown. A code not listed here reads as its own words ("evidence added").

_SUBJECTS = {
    "aeo_certificate": pgettext_lazy("audit subject", "AEO certificate"),
    "api_token": pgettext_lazy("audit subject", "API token"),
    "assessment": pgettext_lazy("audit subject", "Assessment"),
    "company": pgettext_lazy("audit subject", "Company"),
    "controlled_goods": pgettext_lazy("audit subject", "Controlled goods list"),
    "declaration": pgettext_lazy("audit subject", "Declaration"),
    "deferral": pgettext_lazy("audit subject", "Deferred payment"),
    "end_users": pgettext_lazy("audit subject", "End-user list"),
    "exchange_rate": pgettext_lazy("audit subject", "Exchange rate"),
    "exchange_rates": pgettext_lazy("audit subject", "Exchange rates"),
    "gateway.charge": pgettext_lazy("audit subject", "Gateway charge"),
    "inspection": pgettext_lazy("audit subject", "Inspection"),
    "manifest": pgettext_lazy("audit subject", "Manifest"),
    "payment": pgettext_lazy("audit subject", "Payment"),
    "reconciliation": pgettext_lazy("audit subject", "Reconciliation"),
    "refund": pgettext_lazy("audit subject", "Refund"),
    "risk_model": pgettext_lazy("audit subject", "Risk model"),
    "settlement": pgettext_lazy("audit subject", "Settlement"),
    "tariff": pgettext_lazy("audit subject", "Tariff"),
    "traveller": pgettext_lazy("audit subject", "Traveller declaration"),
    "webhook_subscription": pgettext_lazy("audit subject", "Webhook subscription"),
    "xray": pgettext_lazy("audit subject", "X-ray screening"),
    "xray_model": pgettext_lazy("audit subject", "X-ray model"),
    "xray_parcel": pgettext_lazy("audit subject", "Postal parcel"),
    "xray_settings": pgettext_lazy("audit subject", "X-ray screening settings"),
    "xray_tip": pgettext_lazy("audit subject", "TIP test image"),
}

_EVENTS = {
    "amended": pgettext_lazy("audit action", "amended"),
    "answered": pgettext_lazy("audit action", "answered"),
    "approved": pgettext_lazy("audit action", "approved"),
    "attachment_added": pgettext_lazy("audit action", "attachment added"),
    "awaiting_payment": pgettext_lazy("audit action", "released after payment"),
    "canceled": pgettext_lazy("audit action", "canceled"),
    "changed": pgettext_lazy("audit action", "changed"),
    "created": pgettext_lazy("audit action", "created"),
    "deactivated": pgettext_lazy("audit action", "deactivated"),
    "deferred": pgettext_lazy("audit action", "deferred"),
    "deferred_monthly_created": pgettext_lazy("audit action", "monthly deferred assessment created"),
    "desk_chosen": pgettext_lazy("audit action", "officer desk chosen"),
    "document_review": pgettext_lazy("audit action", "sent to document review"),
    "draft_created": pgettext_lazy("audit action", "draft created"),
    "draft_updated": pgettext_lazy("audit action", "draft updated"),
    "duty_paid": pgettext_lazy("audit action", "duty paid"),
    "evidence_added": pgettext_lazy("audit action", "evidence added"),
    "expired": pgettext_lazy("audit action", "expired"),
    "failed": pgettext_lazy("audit action", "failed"),
    "finding_recorded": pgettext_lazy("audit action", "finding recorded"),
    "gate_rule_created": pgettext_lazy("audit action", "gate rule created"),
    "gate_rule_ended": pgettext_lazy("audit action", "gate rule ended"),
    "granted": pgettext_lazy("audit action", "granted"),
    "image_failed": pgettext_lazy("audit action", "image could not be read"),
    "image_received": pgettext_lazy("audit action", "image received"),
    "imported": pgettext_lazy("audit action", "imported"),
    "inspection": pgettext_lazy("audit action", "sent to physical inspection"),
    "inspection_result": pgettext_lazy("audit action", "inspection result recorded"),
    "kiosk_decision": pgettext_lazy("audit action", "kiosk decision"),
    "kiosk_registered": pgettext_lazy("audit action", "kiosk registered"),
    "kiosk_revoked": pgettext_lazy("audit action", "kiosk revoked"),
    "kiosk_token_rotated": pgettext_lazy("audit action", "kiosk token rotated"),
    "officer_decision": pgettext_lazy("audit action", "officer's decision"),
    "paid": pgettext_lazy("audit action", "paid"),
    "parcel_duty_assessed": pgettext_lazy("audit action", "parcel duty assessed"),
    "parcel_registered": pgettext_lazy("audit action", "parcel registered"),
    "parcel_screened": pgettext_lazy("audit action", "parcel screened"),
    "passport_looked_up": pgettext_lazy("audit action", "passport looked up"),
    "pending": pgettext_lazy("audit action", "pending"),
    "permitted": pgettext_lazy("audit action", "permitted"),
    "personal_data_purged": pgettext_lazy("audit action", "personal data erased"),
    "personal_data_viewed": pgettext_lazy("audit action", "personal data viewed"),
    "post_clearance_audit_result": pgettext_lazy("audit action", "post-clearance audit result recorded"),
    "presented": pgettext_lazy("audit action", "shown"),
    "promoted": pgettext_lazy("audit action", "promoted"),
    "refunded": pgettext_lazy("audit action", "refunded"),
    "rejected": pgettext_lazy("audit action", "rejected"),
    "requested": pgettext_lazy("audit action", "requested"),
    "resolved": pgettext_lazy("audit action", "resolved"),
    "reviewed": pgettext_lazy("audit action", "reviewed"),
    "revoked": pgettext_lazy("audit action", "revoked"),
    "rotated": pgettext_lazy("audit action", "rotated"),
    "scanner_registered": pgettext_lazy("audit action", "scanner registered"),
    "scanner_revoked": pgettext_lazy("audit action", "scanner revoked"),
    "screening": pgettext_lazy("audit action", "screening started"),
    "set": pgettext_lazy("audit action", "set"),
    "submitted": pgettext_lazy("audit action", "submitted"),
    "succeeded": pgettext_lazy("audit action", "succeeded"),
    "trained": pgettext_lazy("audit action", "trained"),
    "updated": pgettext_lazy("audit action", "updated"),
    "uploaded": pgettext_lazy("audit action", "uploaded"),
    "watch_list_added": pgettext_lazy("audit action", "watch list entry added"),
    "watch_list_ended": pgettext_lazy("audit action", "watch list entry ended"),
    "withdrawn": pgettext_lazy("audit action", "withdrawn"),
}


def audit_object_type_label(object_type: str) -> str:
    """The name of an audited object's model ("customs_portal.ModelVersion") in the
    reader's language ("Model version"); the code itself for a model that is gone."""
    if not object_type:
        return ""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return capfirst(model._meta.verbose_name)


def audit_action_label(action: str, object_type: str = "") -> str:
    """An action code in the reader's language: "declaration.submitted" reads
    "Declaration: submitted". A subject not listed is named by the audited object's model
    when there is one ("ipsuspensionapplication.created" on an application)."""
    subject, _dot, event = action.rpartition(".")
    if not subject:
        return str(_EVENTS.get(event, event.replace("_", " ")))
    subject_label = _SUBJECTS.get(subject) or audit_object_type_label(object_type) or subject.replace("_", " ")
    event_label = _EVENTS.get(event, event.replace("_", " "))
    return _("%(subject)s: %(event)s") % {"subject": subject_label, "event": event_label}
