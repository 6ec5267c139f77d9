"""The gate's risk rules in force at a moment, and what they say about one declaration."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q

from declarations.travellers import reasons
from declarations.travellers.models import GateRiskRule, TravellerDeclaration, WatchListEntry


def in_force(at: datetime) -> Q:
    return Q(valid_from__lte=at) & (Q(valid_until__isnull=True) | Q(valid_until__gt=at))


@dataclass(frozen=True)
class GateRules:
    random_share: Decimal
    flights: frozenset[str]
    origins: frozenset[str]
    answers: frozenset[str]


def gate_rules_in_force(*, at: datetime) -> GateRules:
    """One query for every rule in force (the largest random share counts)."""
    random_share, flights, origins, answers = Decimal(0), set(), set(), set()
    in_force_now = GateRiskRule.objects.filter(in_force(at)).order_by()
    for kind, value, share in in_force_now.values_list("kind", "value", "share_percent"):
        if kind == GateRiskRule.Kind.RANDOM_SHARE:
            random_share = max(random_share, share or Decimal(0))
        elif kind == GateRiskRule.Kind.FLIGHT:
            flights.add(value)
        elif kind == GateRiskRule.Kind.ORIGIN:
            origins.add(value)
        elif kind == GateRiskRule.Kind.ANSWER:
            answers.add(value)
    return GateRules(random_share, frozenset(flights), frozenset(origins), frozenset(answers))


def on_watch_list(*, passport_hash: str, at: datetime) -> bool:
    return WatchListEntry.objects.filter(in_force(at), passport_hash=passport_hash).exists()


def _random_pick(share: Decimal) -> bool:
    """True for `share` percent of calls, from the operating system's randomness so that
    nobody can predict a pick."""
    return share > 0 and secrets.randbelow(10_000) < int(share * 100)


def desk_reasons(*, declaration: TravellerDeclaration, at: datetime) -> list[dict[str, Any]]:
    """Every reason the gate's rules give to send this declaration to the desk."""
    rules = gate_rules_in_force(at=at)
    found = [
        reasons.reason(reasons.ANSWER, question=key)
        for key, answer in sorted(declaration.answers.items())
        if answer and key in rules.answers
    ]
    if declaration.assessed_by_customs:
        found.append(reasons.reason(reasons.GOODS_FOR_CUSTOMS))
    if declaration.flight_number in rules.flights:
        found.append(reasons.reason(reasons.FLIGHT_FLAGGED, flight=declaration.flight_number))
    if declaration.embarkation in rules.origins:
        found.append(reasons.reason(reasons.ORIGIN_FLAGGED, origin=declaration.embarkation))
    if declaration.passport_hash and on_watch_list(passport_hash=declaration.passport_hash, at=at):
        found.append(reasons.reason(reasons.WATCH_LIST))
    if not found and _random_pick(rules.random_share):
        found.append(reasons.reason(reasons.RANDOM_SELECTION))
    return found
