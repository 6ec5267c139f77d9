"""Reads of the travellers' package, with the permissions they need."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from customs_portal.audit import audit_record
from customs_portal.models import AuditEvent, Role, User
from customs_portal.permissions import user_has_role
from customs_portal.personal_data import passport_hash, personal_decrypt
from declarations.travellers.models import (
    GateRiskRule,
    Kiosk,
    KioskDecision,
    Lane,
    TravellerDeclaration,
    TravellerOfficerDecision,
    WatchListEntry,
)
from declarations.travellers.rules import in_force

# Officers who work the arrivals hall: they see declarations and kiosk decisions.
TRAVELLER_OFFICER = (Role.CLEARANCE_OFFICER, Role.INSPECTION_OFFICER, Role.SUPERVISOR)
# Officers who may open a traveller's name, passport number and address (audited).
PERSONAL_DATA_READER = (Role.CLEARANCE_OFFICER, Role.SUPERVISOR)
# Who registers and revokes kiosks and edits the gate's rules and the watch list.
GATE_SUPERVISOR = (Role.SUPERVISOR,)


def _require(user: User, roles: tuple[str, ...]) -> None:
    if not user_has_role(user, roles):
        raise PermissionDenied


def traveller_declaration_get_for_officer(*, user: User, declaration_id: int) -> TravellerDeclaration:
    _require(user, TRAVELLER_OFFICER)
    declaration = TravellerDeclaration.objects.filter(pk=declaration_id).first()
    if declaration is None:
        raise Http404
    return declaration


def traveller_declarations_by_passport(*, user: User, passport_number: str, request=None) -> list[TravellerDeclaration]:
    """The declarations filed with this passport (newest first), looked up by its keyed
    hash. The look-up is audited with what it found, never with the number."""
    _require(user, TRAVELLER_OFFICER)
    found = list(
        TravellerDeclaration.objects.filter(passport_hash=passport_hash(passport_number), purged_at__isnull=True)
    )
    audit_record(
        action="traveller.passport_looked_up",
        actor=user,
        after={"found": [declaration.reference for declaration in found]},
        request=request,
    )
    return found


def traveller_personal_data_for_officer(
    *, user: User, declaration: TravellerDeclaration, request=None
) -> dict[str, Any]:
    """The decrypted personal data; every opening is audited."""
    _require(user, PERSONAL_DATA_READER)
    audit_record(action="traveller.personal_data_viewed", actor=user, obj=declaration, request=request)
    return personal_decrypt(declaration.personal_encrypted)


def kiosk_decisions_recent(
    *, user: User, after_id: int = 0, limit: int = 50, airport: str = "", lane: str = ""
) -> list[KioskDecision]:
    """The latest kiosk decisions (newest first), only those after `after_id` when given:
    the officer console polls with the last id it has."""
    _require(user, TRAVELLER_OFFICER)
    decisions = KioskDecision.objects.select_related("kiosk", "declaration").order_by("-id")
    if after_id:
        decisions = decisions.filter(id__gt=after_id)
    if airport:
        decisions = decisions.filter(kiosk__airport=airport)
    if lane:
        decisions = decisions.filter(lane=lane)
    return list(decisions[:limit])


def kiosk_decision_counts_today(*, user: User, airport: str = "") -> dict[str, int]:
    """How many decisions each lane got since midnight (local time), in one query."""
    _require(user, TRAVELLER_OFFICER)
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    decisions = KioskDecision.objects.filter(created_at__gte=midnight)
    if airport:
        decisions = decisions.filter(kiosk__airport=airport)
    counts = dict(decisions.order_by().values("lane").annotate(count=Count("id")).values_list("lane", "count"))
    return {lane: counts.get(lane, 0) for lane in Lane.values}


def red_lane_queue(*, user: User, airport: str = "") -> QuerySet[TravellerDeclaration]:
    """Declarations sent to the desk and not yet decided, oldest first, with the kiosk
    that last decided on them (`desk_kiosk_code`, `desk_airport`, `desk_terminal`); a
    traveller who chose the desk instead of paying at the kiosk is found by that kiosk."""
    _require(user, TRAVELLER_OFFICER)
    latest = KioskDecision.objects.filter(declaration=OuterRef("pk")).order_by("-id")
    queue = TravellerDeclaration.objects.filter(status=TravellerDeclaration.Status.DESK).annotate(
        desk_kiosk_code=Subquery(latest.values("kiosk__code")[:1]),
        desk_airport=Subquery(latest.values("kiosk__airport")[:1]),
        desk_terminal=Subquery(latest.values("kiosk__terminal")[:1]),
    )
    if airport:
        queue = queue.filter(desk_airport=airport)
    return queue.order_by("decided_at", "id")


def traveller_declaration_history(*, user: User, declaration: TravellerDeclaration) -> dict[str, Any]:
    """What happened to a declaration: the kiosks' decisions, the officers' decisions and
    its audit trail (which holds the payments notified by the payments app)."""
    _require(user, TRAVELLER_OFFICER)
    return {
        "kiosk_decisions": list(declaration.kiosk_decisions.select_related("kiosk").order_by("-id")),
        "officer_decisions": list(
            TravellerOfficerDecision.objects.filter(declaration=declaration).select_related("officer")
        ),
        "audit_events": list(
            AuditEvent.objects.filter(
                object_type=TravellerDeclaration._meta.label, object_id=str(declaration.pk)
            ).order_by("-occurred_at", "-id")[:100]
        ),
    }


def kiosks_for_supervisor(*, user: User) -> QuerySet[Kiosk]:
    _require(user, GATE_SUPERVISOR)
    return Kiosk.objects.select_related("registered_by", "revoked_by")


def gate_rules_for_supervisor(*, user: User, at: datetime | None = None) -> dict[str, QuerySet]:
    """The rules in force, those still to come and the ended ones."""
    _require(user, GATE_SUPERVISOR)
    at = at or timezone.now()
    rules = GateRiskRule.objects.select_related("created_by", "ended_by")
    return {
        "in_force": rules.filter(in_force(at)),
        "upcoming": rules.filter(valid_from__gt=at),
        "ended": rules.filter(valid_until__lte=at).order_by("-valid_until")[:50],
    }


def gate_rule_get_for_supervisor(*, user: User, rule_id: int) -> GateRiskRule:
    _require(user, GATE_SUPERVISOR)
    rule = GateRiskRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    return rule


def watch_list_for_supervisor(*, user: User) -> QuerySet[WatchListEntry]:
    _require(user, GATE_SUPERVISOR)
    return WatchListEntry.objects.filter(in_force(timezone.now())).select_related("added_by")
