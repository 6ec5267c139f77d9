"""Reads of the travellers' package, with the permissions they need."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from customs_portal.audit import audit_record
from customs_portal.models import Role, User
from customs_portal.permissions import user_has_role
from customs_portal.personal_data import passport_hash, personal_decrypt
from declarations.travellers.models import (
    GateRiskRule,
    Kiosk,
    KioskDecision,
    Lane,
    TravellerDeclaration,
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


def traveller_declarations_by_passport(*, user: User, passport_number: str) -> QuerySet[TravellerDeclaration]:
    """The declarations filed with this passport, looked up by its keyed hash."""
    _require(user, TRAVELLER_OFFICER)
    return TravellerDeclaration.objects.filter(passport_hash=passport_hash(passport_number), purged_at__isnull=True)


def traveller_personal_data_for_officer(
    *, user: User, declaration: TravellerDeclaration, request=None
) -> dict[str, Any]:
    """The decrypted personal data; every opening is audited."""
    _require(user, PERSONAL_DATA_READER)
    audit_record(action="traveller.personal_data_viewed", actor=user, obj=declaration, request=request)
    return personal_decrypt(declaration.personal_encrypted)


def kiosk_decisions_recent(*, user: User, after_id: int = 0, limit: int = 50, airport: str = "") -> list[KioskDecision]:
    """The latest kiosk decisions (newest first), only those after `after_id` when given:
    the officer console polls with the last id it has."""
    _require(user, TRAVELLER_OFFICER)
    decisions = KioskDecision.objects.select_related("kiosk", "declaration").order_by("-id")
    if after_id:
        decisions = decisions.filter(id__gt=after_id)
    if airport:
        decisions = decisions.filter(kiosk__airport=airport)
    return list(decisions[:limit])


def red_lane_queue(*, user: User, airport: str = "") -> QuerySet[TravellerDeclaration]:
    """Declarations sent to the desk and not yet decided, oldest first, with the kiosk
    that sent them (`desk_kiosk_code`, `desk_terminal`)."""
    _require(user, TRAVELLER_OFFICER)
    queue = TravellerDeclaration.objects.filter(status=TravellerDeclaration.Status.DESK)
    if airport:
        queue = queue.filter(arrival_airport=airport)
    return queue.order_by("decided_at", "id")


def desk_decision_of(declaration: TravellerDeclaration) -> KioskDecision | None:
    return declaration.kiosk_decisions.filter(lane=Lane.DESK).select_related("kiosk").order_by("-id").first()


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


def watch_list_for_supervisor(*, user: User) -> QuerySet[WatchListEntry]:
    _require(user, GATE_SUPERVISOR)
    return WatchListEntry.objects.filter(in_force(timezone.now())).select_related("added_by")
