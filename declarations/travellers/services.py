"""Every write of the travellers' package: filing a declaration from the phone, the
kiosk's decision, payment at the kiosk, officers' decisions, the gate's rules and the
erasure of personal data."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import Role, User
from customs_portal.personal_data import passport_hash, passport_number_normalise, personal_encrypt
from customs_portal.state_machine import StateMachine
from declarations import hooks
from declarations.tariff.interface import TravellerEstimate
from declarations.travellers import reasons, rules
from declarations.travellers.estimates import age_on, declaration_estimate, estimate_as_data
from declarations.travellers.models import (
    GateRiskRule,
    Kiosk,
    KioskDecision,
    Lane,
    TravellerDeclaration,
    TravellerOfficerDecision,
    WatchListEntry,
)
from declarations.travellers.mrz import PassportMrz, mrz_parse
from declarations.travellers.questions import OVER_ALLOWANCE, QUESTIONS
from declarations.travellers.tokens import TokenError, passport_binding, token_issue, token_verify

Status = TravellerDeclaration.Status

DECLARATION_MACHINE = StateMachine(
    statuses=Status,
    transitions={
        Status.SUBMITTED: (Status.GATE, Status.AWAITING_PAYMENT, Status.DESK),
        Status.AWAITING_PAYMENT: (Status.GATE, Status.DESK),
        Status.DESK: (Status.CLEARED, Status.DETAINED),
    },
    invalid_message=gettext_lazy("A declaration that is %(current)s cannot become %(target)s."),
    invalid_code="traveller_transition_not_allowed",
)

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_TOKEN_ERROR_REASONS = {
    "malformed": reasons.QR_MALFORMED,
    "bad_signature": reasons.QR_BAD_SIGNATURE,
    "unknown_key": reasons.QR_UNKNOWN_KEY,
    "expired": reasons.QR_EXPIRED,
    "not_yet_valid": reasons.QR_NOT_YET_VALID,
}


# Filing from the phone ----------------------------------------------------------------


@dataclass(frozen=True)
class PassportInput:
    number: str
    nationality: str
    birth_date: date
    surname: str
    given_names: str


@dataclass(frozen=True)
class DeclarationInput:
    """A validated Form C5360 (the API serializer builds it)."""

    passport: PassportInput
    flight_number: str
    embarkation: str
    arrival_airport: str
    arrival_date: date
    adults: int
    minors: int
    infants: int
    answers: dict[str, bool]
    unaccompanied_packages: int
    items: list[dict[str, Any]]
    address_in_japan: str = ""
    phone: str = ""


def _fingerprint(data: DeclarationInput) -> str:
    def plain(value: Any) -> Any:
        if hasattr(value, "__dataclass_fields__"):
            return {name: plain(getattr(value, name)) for name in value.__dataclass_fields__}
        if isinstance(value, date):
            return value.isoformat()
        return value

    return hashlib.sha256(json.dumps(plain(data), sort_keys=True, default=str).encode()).hexdigest()


def _check(data: DeclarationInput, today: date) -> None:
    """The rules between fields, every one reported at once."""
    errors: dict[str, list[str]] = {}
    latest = today + timedelta(days=settings.TRAVELLER_ARRIVAL_MAX_DAYS_AHEAD)
    if not today - timedelta(days=1) <= data.arrival_date <= latest:
        errors["arrival_date"] = [
            _("Give an arrival date between yesterday and %(latest)s.") % {"latest": latest.isoformat()}
        ]
    if data.passport.birth_date >= data.arrival_date or age_on(data.passport.birth_date, data.arrival_date) > 130:
        errors["passport.birth_date"] = [_("Give the date of birth printed in the passport.")]
    if data.answers.get(OVER_ALLOWANCE) and not data.items:
        errors["items"] = [_("List the goods over the duty-free allowance, or answer “no” to that question.")]
    if data.items and not data.answers.get(OVER_ALLOWANCE):
        errors["answers.over_allowance"] = [
            _("You listed goods: answer “yes” to the question on goods over the allowance.")
        ]
    if data.answers.get("unaccompanied") and data.unaccompanied_packages < 1:
        errors["unaccompanied_packages"] = [_("Give the number of unaccompanied packages.")]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], code="invalid_declaration", fields=errors)


def _new_reference() -> str:
    """T, eight letters or digits and three digits: random, and always read as a code."""
    head = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"T{head}{secrets.randbelow(1000):03d}"


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def traveller_estimate_preview(*, data: DeclarationInput) -> dict[str, Any]:
    """The estimate the phone shows before the traveller confirms; nothing is saved.
    Each line also carries the words of its allowance and its basis in the active
    language (`allowance_text`, `basis_text`), which a stored estimate keeps as codes."""
    _check(data, timezone.localdate())
    estimate = _engine_estimate(data)
    preview = estimate_as_data(estimate)
    for line, result in zip(preview["lines"], estimate.items, strict=True):
        line["allowance_text"], line["basis_text"] = result.allowance.text, result.basis.text
    return preview


def _engine_estimate(data: DeclarationInput) -> TravellerEstimate:
    return declaration_estimate(
        declarant_age=age_on(data.passport.birth_date, data.arrival_date),
        adults=data.adults,
        minors=data.minors,
        infants=data.infants,
        items=data.items,
        on=data.arrival_date,
    )


def _estimate(data: DeclarationInput) -> dict[str, Any]:
    return estimate_as_data(_engine_estimate(data))


def traveller_declaration_submit(*, data: DeclarationInput, client_id: UUID, language: str) -> TravellerDeclaration:
    """Files a declaration and signs its QR token. Sending the same declaration again
    with the same `client_id` (the phone retrying after the network dropped) gives back
    the one filed; a different declaration under a used `client_id` is refused (409)."""
    fingerprint = _fingerprint(data)
    existing = TravellerDeclaration.objects.filter(client_id=client_id).first()
    if existing is None:
        _check(data, timezone.localdate())
        try:
            existing = _declaration_create(data=data, client_id=client_id, language=language, fingerprint=fingerprint)
        except IntegrityError:
            existing = TravellerDeclaration.objects.filter(client_id=client_id).first()
            if existing is None:
                raise
    if existing.request_fingerprint != fingerprint:
        raise ApplicationError(
            _("This declaration was already sent with other answers. Start a new declaration to change it."),
            code="client_id_reused",
            status=409,
        )
    return existing


@transaction.atomic
def _declaration_create(
    *, data: DeclarationInput, client_id: UUID, language: str, fingerprint: str
) -> TravellerDeclaration:
    estimate = _estimate(data)
    now = timezone.now()
    reference = _new_reference()
    passport = data.passport
    expires_at = _end_of_day(data.arrival_date + timedelta(days=settings.TRAVELLER_TOKEN_GRACE_DAYS))
    declaration = TravellerDeclaration.objects.create(
        reference=reference,
        client_id=client_id,
        request_fingerprint=fingerprint,
        language=language,
        passport_hash=passport_hash(passport.number),
        personal_encrypted=personal_encrypt(
            {
                "surname": passport.surname,
                "given_names": passport.given_names,
                "passport_number": passport_number_normalise(passport.number),
                "birth_date": passport.birth_date.isoformat(),
                "address_in_japan": data.address_in_japan,
                "phone": data.phone,
            }
        ),
        nationality=passport.nationality,
        declarant_age=age_on(passport.birth_date, data.arrival_date),
        flight_number=data.flight_number,
        embarkation=data.embarkation,
        arrival_airport=data.arrival_airport,
        arrival_date=data.arrival_date,
        family_adults=data.adults,
        family_minors=data.minors,
        family_infants=data.infants,
        answers={key: bool(data.answers.get(key)) for key in QUESTIONS},
        unaccompanied_packages=data.unaccompanied_packages,
        items=data.items,
        estimate=estimate,
        duty_jpy=estimate["total_jpy"],
        assessed_by_customs=estimate["assessed_by_customs"],
        token=token_issue(
            reference=reference,
            binding=passport_binding(
                reference=reference, passport_number=passport.number, birth_date=passport.birth_date
            ),
            expires_at=expires_at,
            issued_at=now,
        ),
        token_expires_at=expires_at,
        purge_after=_end_of_day(data.arrival_date + timedelta(days=settings.TRAVELLER_RETENTION_DAYS)),
    )
    return declaration


# Kiosks --------------------------------------------------------------------------------


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def kiosk_register(
    *, code: str, airport: str, terminal: str, label: str, registered_by: User, request: HttpRequest | None = None
) -> tuple[Kiosk, str]:
    """Registers a kiosk and returns it with its token, shown once and kept only as a
    hash. The kiosk gets a service user (role kiosk, no password) for its payments."""
    if Kiosk.objects.filter(code=code).exists():
        raise ApplicationError(
            _("A kiosk with the code %(code)s is already registered.") % {"code": code},
            code="kiosk_code_taken",
            fields={"code": [_("This code is taken.")]},
        )
    raw = "kiosk_" + secrets.token_urlsafe(32)
    user = get_user_model().objects.create_user(username=f"kiosk-{code}", role=Role.KIOSK)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    kiosk = Kiosk.objects.create(
        code=code,
        airport=airport,
        terminal=terminal,
        label=label,
        token_hash=_token_hash(raw),
        token_hint=raw[-4:],
        user=user,
        registered_by=registered_by,
    )
    audit_record(
        action="traveller.kiosk_registered",
        actor=registered_by,
        obj=kiosk,
        after={"code": code, "airport": airport, "terminal": terminal},
        request=request,
    )
    return kiosk, raw


@transaction.atomic
def kiosk_revoke(*, kiosk: Kiosk, revoked_by: User, request: HttpRequest | None = None) -> Kiosk:
    """Revokes a kiosk's token: its next request is refused."""
    kiosk = Kiosk.objects.select_for_update().get(pk=kiosk.pk)
    if kiosk.revoked_at is not None:
        raise ApplicationError(_("This kiosk is already revoked."), code="kiosk_revoked", status=409)
    kiosk.revoked_at, kiosk.revoked_by = timezone.now(), revoked_by
    kiosk.save(update_fields=["revoked_at", "revoked_by"])
    user = kiosk.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(action="traveller.kiosk_revoked", actor=revoked_by, obj=kiosk, request=request)
    return kiosk


@transaction.atomic
def kiosk_token_rotate(*, kiosk: Kiosk, rotated_by: User, request: HttpRequest | None = None) -> str:
    """Gives an active kiosk a new token (shown once); the old one stops working."""
    kiosk = Kiosk.objects.select_for_update().get(pk=kiosk.pk)
    if kiosk.revoked_at is not None:
        raise ApplicationError(_("This kiosk is already revoked."), code="kiosk_revoked", status=409)
    raw = "kiosk_" + secrets.token_urlsafe(32)
    kiosk.token_hash, kiosk.token_hint = _token_hash(raw), raw[-4:]
    kiosk.save(update_fields=["token_hash", "token_hint"])
    audit_record(action="traveller.kiosk_token_rotated", actor=rotated_by, obj=kiosk, request=request)
    return raw


def _one(queryset):
    """The row a unique look-up finds, or None, without the ORDER BY that `.first()` adds
    (it costs more to compile than the query takes to run, on the kiosk's hot path)."""
    return next(iter(queryset.order_by()[:1]), None)


def kiosk_authenticate(*, raw_token: str) -> Kiosk | None:
    """The active kiosk holding this token, or None. Notes when it was last seen (at
    most once a minute, to keep the write off every request)."""
    if not raw_token or len(raw_token) > 100:
        return None
    kiosk = _one(
        Kiosk.objects.select_related("user").filter(token_hash=_token_hash(raw_token), revoked_at__isnull=True)
    )
    if kiosk is not None:
        now = timezone.now()
        if kiosk.last_seen_at is None or now - kiosk.last_seen_at > timedelta(minutes=1):
            Kiosk.objects.filter(pk=kiosk.pk).update(last_seen_at=now)
            kiosk.last_seen_at = now
    return kiosk


# The kiosk's decision ----------------------------------------------------------------


def kiosk_decide(*, kiosk: Kiosk, token: str, mrz: str, request_key: str) -> KioskDecision:
    """Verifies the QR token and the passport and decides: the gate (perhaps after
    paying the duty at the kiosk) or the desk. A retry with the same request key gets
    the first decision back; a QR code already decided goes to the desk. An MRZ that
    cannot be read raises ApplicationError (nothing is saved: the traveller scans again).
    """
    previous = _one(KioskDecision.objects.filter(kiosk=kiosk, request_key=request_key))
    if previous is not None:
        return previous
    passport = mrz_parse(mrz)
    try:
        return _decide(kiosk=kiosk, token=token, passport=passport, request_key=request_key)
    except IntegrityError:
        # The same request raced itself (a kiosk retrying before the first answer came).
        return KioskDecision.objects.get(kiosk=kiosk, request_key=request_key)


@transaction.atomic
def _decide(*, kiosk: Kiosk, token: str, passport: PassportMrz, request_key: str) -> KioskDecision:
    now = timezone.now()

    def record(lane: str, found: list[dict[str, Any]], declaration=None, duty_jpy: int = 0) -> KioskDecision:
        decision = KioskDecision.objects.create(
            kiosk=kiosk,
            request_key=request_key,
            declaration=declaration,
            lane=lane,
            reasons=found,
            duty_jpy=duty_jpy,
        )
        audit_record(
            action="traveller.kiosk_decision",
            actor=kiosk.user,
            obj=declaration or decision,
            after={"lane": lane, "reasons": [item["code"] for item in found], "kiosk": kiosk.code},
        )
        return decision

    try:
        claims = token_verify(token)
    except TokenError as error:
        return record(Lane.DESK, [reasons.reason(_TOKEN_ERROR_REASONS[error.code])])
    declaration = _one(
        TravellerDeclaration.objects.select_for_update().filter(reference=claims.reference, purged_at__isnull=True)
    )
    if declaration is None:
        return record(Lane.DESK, [reasons.reason(reasons.QR_UNKNOWN)])
    binding = passport_binding(
        reference=declaration.reference, passport_number=passport.number, birth_date=passport.birth_date
    )
    if binding != claims.passport_binding or passport_hash(passport.number) != declaration.passport_hash:
        return record(Lane.DESK, [reasons.reason(reasons.PASSPORT_MISMATCH)], declaration)
    if passport.expiry_date < timezone.localdate():
        return record(Lane.DESK, [reasons.reason(reasons.PASSPORT_EXPIRED)], declaration)
    if declaration.status != Status.SUBMITTED:
        return record(Lane.DESK, [reasons.reason(reasons.QR_ALREADY_USED)], declaration)
    found = rules.desk_reasons(declaration=declaration, at=now)
    if found:
        DECLARATION_MACHINE.transition(declaration, to=Status.DESK, decided_at=now)
        return record(Lane.DESK, found, declaration, duty_jpy=declaration.duty_jpy)
    if declaration.duty_jpy > 0:
        DECLARATION_MACHINE.transition(declaration, to=Status.AWAITING_PAYMENT, decided_at=now)
        decision = record(
            Lane.GATE,
            [reasons.reason(reasons.DUTY_DUE, amount_jpy=declaration.duty_jpy)],
            declaration,
            duty_jpy=declaration.duty_jpy,
        )
        # In this transaction: the payments app writes the assessment with the decision.
        hooks.traveller_duty_due.send(sender=TravellerDeclaration, declaration=declaration, kiosk=kiosk)
        return decision
    DECLARATION_MACHINE.transition(declaration, to=Status.GATE, decided_at=now, closed_at=now)
    return record(Lane.GATE, [reasons.reason(reasons.NOTHING_TO_DECLARE)], declaration)


@transaction.atomic
def traveller_duty_paid(*, declaration_id: int, payment_reference: str, system: str = "payments") -> bool:
    """The duty of a declaration waiting at the kiosk was paid: the gate opens. False
    when the declaration was not waiting for payment (a repeated notification)."""
    declaration = TravellerDeclaration.objects.select_for_update().filter(pk=declaration_id).first()
    if declaration is None or declaration.status != Status.AWAITING_PAYMENT:
        return False
    now = timezone.now()
    DECLARATION_MACHINE.transition(declaration, to=Status.GATE, closed_at=now)
    audit_record(action="traveller.duty_paid", system=system, obj=declaration, after={"payment": payment_reference})
    return True


@transaction.atomic
def traveller_choose_desk(*, declaration: TravellerDeclaration, kiosk: Kiosk) -> TravellerDeclaration:
    """The traveller chose to pay at the desk instead of at the kiosk."""
    declaration = TravellerDeclaration.objects.select_for_update().get(pk=declaration.pk)
    DECLARATION_MACHINE.transition(declaration, to=Status.DESK)
    audit_record(action="traveller.desk_chosen", actor=kiosk.user, obj=declaration)
    return declaration


# Officers -------------------------------------------------------------------------------


@transaction.atomic
def traveller_officer_decide(
    *,
    declaration: TravellerDeclaration,
    officer: User,
    outcome: str,
    duty_jpy: int = 0,
    note: str = "",
    request: HttpRequest | None = None,
) -> TravellerOfficerDecision:
    """An officer's decision at the desk: cleared (with or without duty) or goods detained."""
    if outcome not in TravellerOfficerDecision.Outcome.values:
        raise ApplicationError(
            _("Choose an outcome."), code="invalid_outcome", fields={"outcome": [_("Choose an outcome.")]}
        )
    if duty_jpy < 0 or (outcome == TravellerOfficerDecision.Outcome.DUTY_COLLECTED) != (duty_jpy > 0):
        message = _("Give the duty collected (more than ¥0) only when the outcome is “duty collected”.")
        raise ApplicationError(message, code="invalid_duty", fields={"duty_jpy": [message]})
    declaration = TravellerDeclaration.objects.select_for_update().get(pk=declaration.pk)
    target = Status.DETAINED if outcome == TravellerOfficerDecision.Outcome.DETAINED else Status.CLEARED
    before = {"status": declaration.status}
    DECLARATION_MACHINE.transition(declaration, to=target, closed_at=timezone.now())
    decision = TravellerOfficerDecision.objects.create(
        declaration=declaration, officer=officer, outcome=outcome, duty_jpy=duty_jpy, note=note
    )
    audit_record(
        action="traveller.officer_decision",
        actor=officer,
        obj=declaration,
        before=before,
        after={"status": target, "outcome": outcome, "duty_jpy": duty_jpy},
        request=request,
    )
    return decision


# The gate's rules -----------------------------------------------------------------------


# The first electronic declaration gate opened at Narita on 2019-04-15.
GATE_RULES_START = datetime(2019, 4, 15, tzinfo=timezone.get_fixed_timezone(9 * 60))


def gate_rules_seed_load() -> int:
    """The gate's first rules, as migration 0010 stores them: a "yes" to any desk
    question of Form C5360 sends to the desk. Adds only what is missing (a test database
    that was emptied gets them back); returns how many it added."""
    added = 0
    for key, question in QUESTIONS.items():
        if not question.desk_by_default:
            continue
        _rule, created = GateRiskRule.objects.get_or_create(
            kind=GateRiskRule.Kind.ANSWER,
            value=key,
            valid_until=None,
            defaults={"valid_from": GATE_RULES_START},
        )
        added += created
    return added


@transaction.atomic
def gate_rule_create(
    *,
    kind: str,
    value: str = "",
    share_percent=None,
    valid_from: datetime,
    valid_until: datetime | None = None,
    note: str = "",
    created_by: User,
    request: HttpRequest | None = None,
) -> GateRiskRule:
    """Adds a rule in force from `valid_from` (never in the past)."""
    errors: dict[str, list[str]] = {}
    if valid_from < timezone.now() - timedelta(minutes=5):
        errors["valid_from"] = [_("A rule cannot start in the past.")]
    if valid_until is not None and valid_until <= valid_from:
        errors["valid_until"] = [_("The end must come after the start.")]
    if kind == GateRiskRule.Kind.RANDOM_SHARE:
        if share_percent is None or not 0 <= share_percent <= 100:
            errors["share_percent"] = [_("Give a share between 0 and 100 %.")]
        value = ""
    else:
        value = (value or "").strip().upper().replace(" ", "")
        if not value:
            errors["value"] = [_("Give the value the rule looks for.")]
        if kind == GateRiskRule.Kind.ANSWER and value.lower() not in QUESTIONS:
            errors["value"] = [_("Choose one of the declaration's questions.")]
        if kind == GateRiskRule.Kind.ANSWER:
            value = value.lower()
        share_percent = None
    if kind not in GateRiskRule.Kind.values:
        errors["kind"] = [_("Choose a kind of rule.")]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], code="invalid_rule", fields=errors)
    rule = GateRiskRule.objects.create(
        kind=kind,
        value=value,
        share_percent=share_percent,
        valid_from=valid_from,
        valid_until=valid_until,
        note=note,
        created_by=created_by,
    )
    audit_record(
        action="traveller.gate_rule_created",
        actor=created_by,
        obj=rule,
        after={
            "kind": kind,
            "value": value,
            "share_percent": str(share_percent) if share_percent is not None else None,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
        request=request,
    )
    return rule


@transaction.atomic
def gate_rule_end(*, rule: GateRiskRule, ended_by: User, request: HttpRequest | None = None) -> GateRiskRule:
    """Ends a rule now (a rule that has not started yet ends before it starts: it is
    then never in force)."""
    rule = GateRiskRule.objects.select_for_update().get(pk=rule.pk)
    now = timezone.now()
    if rule.valid_until is not None and rule.valid_until <= now:
        raise ApplicationError(_("This rule has already ended."), code="rule_ended", status=409)
    before = {"valid_until": rule.valid_until.isoformat() if rule.valid_until else None}
    if rule.valid_from >= now:
        rule.valid_from = now - timedelta(microseconds=1)
    rule.valid_until, rule.ended_by = now, ended_by
    rule.save(update_fields=["valid_from", "valid_until", "ended_by"])
    audit_record(
        action="traveller.gate_rule_ended",
        actor=ended_by,
        obj=rule,
        before=before,
        after={"valid_until": now.isoformat()},
        request=request,
    )
    return rule


@transaction.atomic
def watch_list_add(
    *,
    passport_number: str,
    note: str,
    valid_until: datetime | None,
    added_by: User,
    request: HttpRequest | None = None,
) -> WatchListEntry:
    """Puts a passport on the watch list by its keyed hash; the number itself is not kept."""
    if len(passport_number_normalise(passport_number)) < 5:
        message = _("Give the passport number.")
        raise ApplicationError(message, code="invalid_passport", fields={"passport_number": [message]})
    now = timezone.now()
    if valid_until is not None and valid_until <= now:
        message = _("The end must come after the start.")
        raise ApplicationError(message, code="invalid_rule", fields={"valid_until": [message]})
    entry = WatchListEntry.objects.create(
        passport_hash=passport_hash(passport_number),
        note=note,
        valid_from=now,
        valid_until=valid_until,
        added_by=added_by,
    )
    audit_record(action="traveller.watch_list_added", actor=added_by, obj=entry, after={"note": note}, request=request)
    return entry


@transaction.atomic
def watch_list_end(*, entry: WatchListEntry, ended_by: User, request: HttpRequest | None = None) -> WatchListEntry:
    entry = WatchListEntry.objects.select_for_update().get(pk=entry.pk)
    now = timezone.now()
    if entry.valid_until is not None and entry.valid_until <= now:
        raise ApplicationError(_("This entry has already ended."), code="rule_ended", status=409)
    entry.valid_until, entry.ended_by = now, ended_by
    entry.save(update_fields=["valid_until", "ended_by"])
    audit_record(action="traveller.watch_list_ended", actor=ended_by, obj=entry, request=request)
    return entry


# Retention -------------------------------------------------------------------------------


def traveller_personal_data_purge(*, now: datetime | None = None, batch: int = 1000) -> int:
    """Erases the personal data (name, passport, birth date, address, its hash, the QR
    token) of declarations past their retention date; the goods, the estimate and the
    decisions stay for statistics. Returns how many were erased."""
    now = now or timezone.now()
    erased = 0
    while True:
        with transaction.atomic():
            ids = list(
                TravellerDeclaration.objects.select_for_update(skip_locked=True)
                .filter(purge_after__lt=now, purged_at__isnull=True)
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return erased
            TravellerDeclaration.objects.filter(pk__in=ids).update(
                passport_hash="", personal_encrypted="", token="", purged_at=now
            )
            audit_record(action="traveller.personal_data_purged", system="retention", after={"count": len(ids)})
            erased += len(ids)
