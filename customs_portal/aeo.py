"""Authorised Economic Operators: granting, changing and revoking a company's AEO
certificates (supervisors only, every change audited), and the reads that say whether a
company or a declaration is AEO on a date.

Validity is a half-open period: a certificate covers the dates d with
`valid_from <= d < valid_to`, and, once revoked, only the dates before `revoked_on`. The
end date is therefore the first day without the benefit; a declaration dated on it is
not AEO. A declaration is AEO when its importer (for an import) or exporter (for an
export) holds a certificate of that kind valid on the declaration date; the party is the
declaration's importer/exporter corporate number, or the filing company when none is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import AeoCertificate, Company, Role, User

Kind = AeoCertificate.Kind

# The certificate kind that makes a declaration of each kind (Declaration.Kind values) AEO.
KIND_FOR_DECLARATION = {"import": Kind.IMPORTER, "export": Kind.EXPORTER}
_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9-]{2,19}")


# Reads.


def valid_on_q(day: date, prefix: str = "") -> Q:
    """The certificates that cover `day` (a filter on AeoCertificate, or through `prefix`)."""
    return Q(**{f"{prefix}valid_from__lte": day, f"{prefix}valid_to__gt": day}) & (
        Q(**{f"{prefix}revoked_on__isnull": True}) | Q(**{f"{prefix}revoked_on__gt": day})
    )


def certificate_end(certificate: AeoCertificate) -> date:
    """The first day the certificate no longer covers: its end date, or the revocation."""
    if certificate.revoked_on is not None:
        return min(certificate.valid_to, certificate.revoked_on)
    return certificate.valid_to


def certificate_valid_on(certificate: AeoCertificate, day: date) -> bool:
    return certificate.valid_from <= day < certificate_end(certificate)


@dataclass(frozen=True)
class CertificateStatus:
    """How a certificate stands today, for the pages that show it."""

    certificate: AeoCertificate
    state: str  # "valid", "not_yet_valid", "expired" or "revoked"
    days_left: int | None  # valid ones: days until the end date
    expiring: bool  # valid, and ends within AEO_EXPIRY_WARNING_DAYS


def certificate_status(certificate: AeoCertificate, *, today: date) -> CertificateStatus:
    end = certificate_end(certificate)
    if certificate.revoked_on is not None and certificate.revoked_on <= today:
        state = "revoked"
    elif today < certificate.valid_from:
        state = "not_yet_valid"
    elif today >= end:
        state = "expired"
    else:
        state = "valid"
    days_left = (end - today).days if state == "valid" else None
    expiring = days_left is not None and days_left <= settings.AEO_EXPIRY_WARNING_DAYS
    return CertificateStatus(certificate=certificate, state=state, days_left=days_left, expiring=expiring)


def aeo_certificate_list() -> QuerySet[AeoCertificate]:
    """Every certificate of every company, for supervisors."""
    return AeoCertificate.objects.select_related("company", "granted_by")


def aeo_certificate_get(*, certificate_id: int) -> AeoCertificate:
    try:
        return aeo_certificate_list().get(pk=certificate_id)
    except AeoCertificate.DoesNotExist as error:
        raise Http404 from error


def aeo_statuses_for_user(*, user: User, today: date | None = None) -> list[CertificateStatus]:
    """A trader's own company's certificates with their standing today, newest first."""
    if not user.is_trader:
        raise Http404
    today = today or timezone.localdate()
    certificates = AeoCertificate.objects.filter(company_id=user.company_id).order_by("kind", "-valid_from", "-id")
    return [certificate_status(certificate, today=today) for certificate in certificates]


def party_certificate(*, corporate_number: str, declaration_kind: str, on: date) -> AeoCertificate | None:
    """The certificate that makes a declaration of `declaration_kind` by the party with
    `corporate_number` AEO on `on`, or None."""
    kind = KIND_FOR_DECLARATION.get(declaration_kind)
    if kind is None or not corporate_number:
        return None
    return (
        AeoCertificate.objects.filter(valid_on_q(on), company__corporate_number=corporate_number, kind=kind)
        .order_by("-valid_to", "-id")
        .first()
    )


def declaration_certificate(*, declaration) -> AeoCertificate | None:
    """The certificate that makes this declaration AEO on its declaration date, or None."""
    corporate_number = declaration.party_corporate_number or declaration.company.corporate_number
    return party_certificate(
        corporate_number=corporate_number, declaration_kind=declaration.kind, on=declaration.declaration_date
    )


def aeo_flags(parties: Iterable[tuple[str, str, date]]) -> list[bool]:
    """For each (corporate number, declaration kind, declaration date): whether that
    declaration is AEO. One query for any number of declarations."""
    parties = list(parties)
    numbers = {number for number, _kind, _day in parties if number}
    if not numbers:
        return [False] * len(parties)
    periods: dict[tuple[str, str], list[tuple[date, date]]] = {}
    rows = AeoCertificate.objects.filter(
        company__corporate_number__in=numbers, kind__in=list(KIND_FOR_DECLARATION.values())
    ).values_list("company__corporate_number", "kind", "valid_from", "valid_to", "revoked_on")
    for number, kind, valid_from, valid_to, revoked_on in rows:
        end = valid_to if revoked_on is None else min(valid_to, revoked_on)
        periods.setdefault((number, kind), []).append((valid_from, end))
    flags = []
    for number, declaration_kind, day in parties:
        spans = periods.get((number, KIND_FOR_DECLARATION.get(declaration_kind, "")), ())
        flags.append(any(start <= day < end for start, end in spans))
    return flags


def aeo_company_ids(*, on: date) -> set[int]:
    """Companies holding any certificate valid on `on`."""
    return set(AeoCertificate.objects.filter(valid_on_q(on)).values_list("company_id", flat=True))


# Writes.


def _require_supervisor(user: User) -> None:
    if not (user and user.is_active and user.role == Role.SUPERVISOR):
        raise ApplicationError(_("Only supervisors may manage AEO certificates."), code="forbidden", status=403)


def _clean_number(certificate_number: str) -> str:
    number = certificate_number.strip().upper()
    if not _NUMBER.fullmatch(number):
        raise ApplicationError(
            _("Enter the certificate number: 3 to 20 letters, digits or hyphens."),
            code="invalid_certificate_number",
            fields={"certificate_number": [_("Use 3 to 20 letters, digits or hyphens.")]},
        )
    return number


def _check_period(*, valid_from: date, valid_to: date) -> None:
    if valid_to <= valid_from:
        raise ApplicationError(
            _("The end date must be after the start date."),
            code="invalid_period",
            fields={"valid_to": [_("The end date must be after the start date.")]},
        )


def _check_no_overlap(
    *, company: Company, kind: str, valid_from: date, valid_to: date, exclude_id: int | None = None
) -> None:
    """A company holds at most one certificate of a kind for any day."""
    others = AeoCertificate.objects.select_for_update().filter(company=company, kind=kind).exclude(pk=exclude_id)
    for other in others:
        if valid_from < certificate_end(other) and other.valid_from < valid_to:
            raise ApplicationError(
                _("%(company)s already holds certificate %(number)s of this kind for part of this period.")
                % {"company": company.name, "number": other.certificate_number},
                code="overlapping_certificate",
                fields={"valid_from": [_("Overlaps certificate %(number)s.") % {"number": other.certificate_number}]},
            )


def _snapshot(certificate: AeoCertificate) -> dict:
    return {
        "kind": certificate.kind,
        "certificate_number": certificate.certificate_number,
        "valid_from": certificate.valid_from.isoformat(),
        "valid_to": certificate.valid_to.isoformat(),
        "revoked_on": certificate.revoked_on.isoformat() if certificate.revoked_on else None,
        "revocation_reason": certificate.revocation_reason,
    }


def _duplicate_number(number: str) -> ApplicationError:
    return ApplicationError(
        _("Certificate number %(number)s is already registered.") % {"number": number},
        code="duplicate_certificate_number",
        fields={"certificate_number": [_("This certificate number is already registered.")]},
    )


@transaction.atomic
def aeo_certificate_grant(
    *,
    company: Company,
    kind: str,
    certificate_number: str,
    valid_from: date,
    valid_to: date,
    granted_by: User,
    request: HttpRequest | None = None,
) -> AeoCertificate:
    """Records a new certificate for `company`; refuses a bad period, a number already
    registered and a second certificate of the same kind for overlapping days."""
    _require_supervisor(granted_by)
    if kind not in Kind.values:
        raise ApplicationError(
            _("Unknown kind of AEO certificate."), code="invalid_kind", fields={"kind": [_("Choose a kind.")]}
        )
    number = _clean_number(certificate_number)
    _check_period(valid_from=valid_from, valid_to=valid_to)
    if AeoCertificate.objects.filter(certificate_number=number).exists():
        raise _duplicate_number(number)
    Company.objects.select_for_update().filter(pk=company.pk).first()  # serialises grants per company
    _check_no_overlap(company=company, kind=kind, valid_from=valid_from, valid_to=valid_to)
    try:
        with transaction.atomic():
            certificate = AeoCertificate.objects.create(
                company=company, kind=kind, certificate_number=number, valid_from=valid_from, valid_to=valid_to,
                granted_by=granted_by,
            )  # fmt: skip
    except IntegrityError as error:  # a concurrent grant took the number first
        raise _duplicate_number(number) from error
    audit_record(
        action="aeo_certificate.granted", actor=granted_by, obj=certificate, company=company,
        after=_snapshot(certificate), request=request,
    )  # fmt: skip
    return certificate


@transaction.atomic
def aeo_certificate_change(
    *,
    certificate: AeoCertificate,
    valid_from: date,
    valid_to: date,
    changed_by: User,
    request: HttpRequest | None = None,
) -> AeoCertificate:
    """Changes the validity of a certificate that is not revoked."""
    _require_supervisor(changed_by)
    certificate = AeoCertificate.objects.select_for_update().select_related("company").get(pk=certificate.pk)
    if certificate.revoked_on is not None:
        raise ApplicationError(_("A revoked certificate cannot be changed."), code="certificate_revoked")
    _check_period(valid_from=valid_from, valid_to=valid_to)
    if (valid_from, valid_to) == (certificate.valid_from, certificate.valid_to):
        return certificate
    Company.objects.select_for_update().filter(pk=certificate.company_id).first()
    _check_no_overlap(
        company=certificate.company, kind=certificate.kind, valid_from=valid_from, valid_to=valid_to,
        exclude_id=certificate.pk,
    )  # fmt: skip
    before = _snapshot(certificate)
    certificate.valid_from, certificate.valid_to = valid_from, valid_to
    certificate.save(update_fields=["valid_from", "valid_to", "updated_at"])
    audit_record(
        action="aeo_certificate.changed", actor=changed_by, obj=certificate, company=certificate.company,
        before=before, after=_snapshot(certificate), request=request,
    )  # fmt: skip
    return certificate


@transaction.atomic
def aeo_certificate_revoke(
    *, certificate: AeoCertificate, reason: str, revoked_by: User, request: HttpRequest | None = None
) -> AeoCertificate:
    """Revokes a certificate from today: declarations dated today or later are not AEO."""
    _require_supervisor(revoked_by)
    certificate = AeoCertificate.objects.select_for_update().select_related("company").get(pk=certificate.pk)
    if certificate.revoked_on is not None:
        raise ApplicationError(_("This certificate is already revoked."), code="certificate_revoked")
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason for the revocation."), code="reason_required", fields={"reason": [_("Required.")]}
        )
    before = _snapshot(certificate)
    certificate.revoked_on, certificate.revocation_reason = timezone.localdate(), reason[:500]
    certificate.save(update_fields=["revoked_on", "revocation_reason", "updated_at"])
    audit_record(
        action="aeo_certificate.revoked", actor=revoked_by, obj=certificate, company=certificate.company,
        before=before, after=_snapshot(certificate), request=request,
    )  # fmt: skip
    return certificate
