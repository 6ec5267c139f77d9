"""Writes of the intake: registered scanners, parcels with their declared contents, their
X-ray images (checked, cleaned, stored once, queued for the model) and the duty of a
released parcel. The HTML pages, the scanners' API and the admin all call these."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import asdict, dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import Role, User
from customs_portal.outbox import outbox_enqueue
from declarations.tariff import interface as tariff
from xray import hooks
from xray.parcels.images import image_clean
from xray.parcels.models import DeclaredItem, Parcel, Scanner, XrayImage
from xray.parcels.s10 import s10_is_valid, s10_normalise

logger = logging.getLogger(__name__)

SCREEN_TASK = "xray.tasks.xray_screen"
# Who registers parcels and sends images from the officers' pages.
INTAKE_ROLES = (Role.INSPECTION_OFFICER, Role.SUPERVISOR)
SCANNER_LAST_SEEN_EVERY_SECONDS = 60


# Scanners ------------------------------------------------------------------------------


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _refuse_unless_supervisor(user: User) -> None:
    if user.role != Role.SUPERVISOR:
        raise ApplicationError(
            _("Only a supervisor registers or revokes scanners."), code="permission_denied", status=403
        )


@transaction.atomic
def scanner_register(
    *, code: str, office: str, label: str = "", registered_by: User, request: HttpRequest | None = None
) -> tuple[Scanner, str]:
    """Registers a scanner and returns it with its token, shown once and kept only as a
    hash. The scanner gets a service user (role scanner, no password) that its images
    and parcels are recorded under."""
    _refuse_unless_supervisor(registered_by)
    code = code.strip()
    if Scanner.objects.filter(code=code).exists():
        raise ApplicationError(
            _("A scanner with the code %(code)s is already registered.") % {"code": code},
            code="scanner_code_taken",
            fields={"code": [_("This code is taken.")]},
        )
    raw = "scanner_" + secrets.token_urlsafe(32)
    user = get_user_model().objects.create_user(username=f"scanner-{code}", role=Role.SCANNER)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    scanner = Scanner.objects.create(
        code=code,
        office=office.strip(),
        label=label.strip(),
        token_hash=_token_hash(raw),
        token_hint=raw[-4:],
        user=user,
        registered_by=registered_by,
    )
    audit_record(
        action="xray.scanner_registered",
        actor=registered_by,
        obj=scanner,
        after={"code": code, "office": scanner.office},
        request=request,
    )
    return scanner, raw


@transaction.atomic
def scanner_revoke(*, scanner: Scanner, revoked_by: User, request: HttpRequest | None = None) -> Scanner:
    """Revokes a scanner's token: its next request is refused."""
    _refuse_unless_supervisor(revoked_by)
    scanner = Scanner.objects.select_for_update().get(pk=scanner.pk)
    if scanner.revoked_at is not None:
        raise ApplicationError(_("This scanner is already revoked."), code="scanner_revoked", status=409)
    scanner.revoked_at, scanner.revoked_by = timezone.now(), revoked_by
    scanner.save(update_fields=["revoked_at", "revoked_by"])
    user = scanner.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(action="xray.scanner_revoked", actor=revoked_by, obj=scanner, request=request)
    return scanner


def scanner_authenticate(*, raw_token: str) -> Scanner | None:
    """The active scanner whose token this is, or None. Notes when it was last seen (at
    most once a minute, so that a busy scanner does not write on every request)."""
    if not raw_token or len(raw_token) > 200:
        return None
    scanner = (
        Scanner.objects.select_related("user")
        .filter(token_hash=_token_hash(raw_token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if scanner is None:
        return None
    now = timezone.now()
    if scanner.last_seen_at is None or (now - scanner.last_seen_at).total_seconds() > SCANNER_LAST_SEEN_EVERY_SECONDS:
        Scanner.objects.filter(pk=scanner.pk).update(last_seen_at=now)
        scanner.last_seen_at = now
    return scanner


# Parcels -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclaredItemInput:
    description: str
    value_jpy: int
    hs_code: str = ""
    quantity: int = 1


@dataclass(frozen=True)
class ParcelInput:
    item_number: str
    origin_country: str
    sender_name: str
    addressee_name: str
    addressee_address: str
    weight_grams: int
    sender_address: str = ""
    customs_form: str = Parcel.Form.CN23
    items: tuple[DeclaredItemInput, ...] = field(default_factory=tuple)


def _normalised(data: ParcelInput) -> ParcelInput:
    return ParcelInput(
        item_number=s10_normalise(data.item_number),
        origin_country=data.origin_country.strip().upper(),
        sender_name=data.sender_name.strip(),
        sender_address=data.sender_address.strip(),
        addressee_name=data.addressee_name.strip(),
        addressee_address=data.addressee_address.strip(),
        customs_form=data.customs_form,
        weight_grams=int(data.weight_grams),
        items=tuple(
            DeclaredItemInput(
                description=item.description.strip(),
                value_jpy=int(item.value_jpy),
                hs_code=item.hs_code.strip().replace(".", ""),
                quantity=int(item.quantity),
            )
            for item in data.items
        ),
    )


def _check(data: ParcelInput) -> None:
    """The rules of a parcel's data, every one reported at once."""
    errors: dict[str, list[str]] = {}
    if not s10_is_valid(data.item_number):
        errors["item_number"] = [
            _(
                "“%(number)s” is not a valid item number: two letters, nine digits (the last a check digit), two letters."
            )
            % {"number": data.item_number}
        ]
    if not tariff.is_country(data.origin_country):
        errors["origin_country"] = [_("Give the two-letter code of the country of origin.")]
    if data.weight_grams <= 0:
        errors["weight_grams"] = [_("The weight must be more than zero.")]
    if not data.items:
        errors["items"] = [_("Give at least one line of the declared contents.")]
    for index, item in enumerate(data.items):
        if item.value_jpy < 0:
            errors[f"items[{index}].value_jpy"] = [_("The value cannot be negative.")]
        if item.quantity <= 0:
            errors[f"items[{index}].quantity"] = [_("The quantity must be at least 1.")]
        if item.hs_code and (not item.hs_code.isdigit() or len(item.hs_code) not in (4, 6)):
            errors[f"items[{index}].hs_code"] = [_("An HS code has 4 or 6 digits.")]
    if errors:
        raise ApplicationError(
            _("The parcel's data is invalid: %(problems)s")
            % {"problems": "; ".join(f"{name}: {messages[0]}" for name, messages in errors.items())},
            code="validation_error",
            fields=errors,
        )


def _as_input(parcel: Parcel) -> ParcelInput:
    return ParcelInput(
        item_number=parcel.item_number,
        origin_country=parcel.origin_country,
        sender_name=parcel.sender_name,
        sender_address=parcel.sender_address,
        addressee_name=parcel.addressee_name,
        addressee_address=parcel.addressee_address,
        customs_form=parcel.customs_form,
        weight_grams=parcel.weight_grams,
        items=tuple(
            DeclaredItemInput(
                description=item.description, value_jpy=item.value_jpy, hs_code=item.hs_code, quantity=item.quantity
            )
            for item in parcel.items.order_by("line_number")
        ),
    )


def _conflict(parcel: Parcel) -> ApplicationError:
    return ApplicationError(
        _("The parcel %(number)s is already registered with other data.") % {"number": parcel.item_number},
        code="parcel_conflict",
        fields={"item_number": [_("Registered already, with other data.")]},
        status=409,
    )


def parcel_register(*, data: ParcelInput, created_by: User, request: HttpRequest | None = None) -> tuple[Parcel, bool]:
    """Registers a parcel with its declared contents; returns (parcel, created). The item
    number is the key: the same data again returns the parcel registered before, other
    data for a registered number is refused (409)."""
    data = _normalised(data)
    _check(data)
    existing = Parcel.objects.filter(item_number=data.item_number).first()
    if existing is not None:
        if _as_input(existing) != data:
            raise _conflict(existing)
        return existing, False
    try:
        with transaction.atomic():
            parcel = Parcel.objects.create(
                item_number=data.item_number,
                origin_country=data.origin_country,
                sender_name=data.sender_name,
                sender_address=data.sender_address,
                addressee_name=data.addressee_name,
                addressee_address=data.addressee_address,
                customs_form=data.customs_form,
                weight_grams=data.weight_grams,
                declared_value_jpy=sum(item.value_jpy for item in data.items),
                created_by=created_by,
            )
            DeclaredItem.objects.bulk_create(
                DeclaredItem(parcel=parcel, line_number=number, **asdict(item))
                for number, item in enumerate(data.items, start=1)
            )
            audit_record(
                action="xray.parcel_registered",
                actor=created_by,
                obj=parcel,
                after={"item_number": parcel.item_number, "declared_value_jpy": parcel.declared_value_jpy},
                request=request,
            )
    except IntegrityError:
        # Another request registered the same number in between: answer as if it came first.
        existing = Parcel.objects.get(item_number=data.item_number)
        if _as_input(existing) != data:
            raise _conflict(existing) from None
        return existing, False
    return parcel, True


# Images --------------------------------------------------------------------------------


def _image_of_another_parcel(image: XrayImage) -> ApplicationError:
    return ApplicationError(
        _("This image was already sent for another parcel."),
        code="image_of_another_parcel",
        fields={"image": [_("This image was already sent for another parcel.")]},
        status=409,
    )


def _duplicate(*, parcel: Parcel, sha256: str) -> XrayImage | None:
    existing = XrayImage.objects.filter(sha256=sha256).first()
    if existing is not None and existing.parcel_id != parcel.pk:
        raise _image_of_another_parcel(existing)
    return existing


def xray_image_add(
    *,
    parcel: Parcel,
    data: bytes,
    uploaded_by: User,
    scanner: Scanner | None = None,
    request: HttpRequest | None = None,
) -> tuple[XrayImage, bool]:
    """Checks an image of `parcel`, stores it cleaned and queues it for the model (the
    task is sent once this commits; a broker that is down delays it). Returns (image,
    created): the same image sent again returns the stored one and queues nothing."""
    clean = image_clean(data=data)
    existing = _duplicate(parcel=parcel, sha256=clean.sha256)
    if existing is not None:
        return existing, False
    image = XrayImage(
        parcel=parcel,
        sha256=clean.sha256,
        original_format=clean.original_format,
        original_mode=clean.original_mode,
        width=clean.width,
        height=clean.height,
        size_bytes=len(clean.content),
        scanner=scanner,
        uploaded_by=uploaded_by,
    )
    try:
        with transaction.atomic():
            locked = Parcel.objects.select_for_update().get(pk=parcel.pk)
            if locked.status == Parcel.Status.DECIDED:
                raise ApplicationError(
                    _("This parcel is decided: no more images are taken."), code="parcel_decided", status=409
                )
            image.file.save(f"{clean.sha256[:16]}.png", ContentFile(clean.content), save=False)
            image.save()
            if locked.status != Parcel.Status.SCREENING:
                locked.status = Parcel.Status.SCREENING
                locked.save(update_fields=["status"])
            outbox_enqueue(SCREEN_TASK, image.pk, key=f"{SCREEN_TASK}:{image.pk}")
            audit_record(
                action="xray.image_received",
                actor=uploaded_by,
                obj=image,
                after={"parcel": parcel.item_number, "sha256": clean.sha256, "format": clean.original_format},
                request=request,
            )
    except IntegrityError:
        _file_remove(image)
        # The same image sent twice at once: the other request stored it first.
        existing = _duplicate(parcel=parcel, sha256=clean.sha256)
        if existing is None:
            raise
        return existing, False
    except BaseException:
        _file_remove(image)
        raise
    return image, True


def _file_remove(image: XrayImage) -> None:
    """Deletes the file of an image whose row was not saved (nothing is left on disk)."""
    if image.file and image.file.name:
        image.file.storage.delete(image.file.name)


# Duty ----------------------------------------------------------------------------------


def _duty_lines(parcel: Parcel, on: date) -> list[tariff.DutyLine]:
    """The parcel's declared lines as the tariff engine rates them: a 6-digit HS code
    becomes the tariff line under it (the first, where several are in force)."""
    items = list(parcel.items.order_by("line_number"))
    missing = {
        f"items[{index}].hs_code": [_("An HS code is needed to assess the duty.")]
        for index, item in enumerate(items)
        if len(item.hs_code) != 6
    }
    if missing:
        raise ApplicationError(
            _("The duty cannot be assessed: a declared line has no 6-digit HS code."),
            code="hs_code_missing",
            fields=missing,
        )
    codes = tariff.tariff_codes_under_hs6(prefixes={item.hs_code for item in items}, on=on)
    unknown = {
        f"items[{index}].hs_code": [_("No tariff line under %(code)s is in force.") % {"code": item.hs_code}]
        for index, item in enumerate(items)
        if not codes.get(item.hs_code)
    }
    if unknown:
        raise ApplicationError(
            _("The duty cannot be assessed: a declared HS code has no tariff line in force."),
            code="hs_code_not_in_force",
            fields=unknown,
        )
    return [
        tariff.DutyLine(
            hs_code=sorted(codes[item.hs_code])[0], origin=parcel.origin_country, customs_value_jpy=item.value_jpy
        )
        for item in items
    ]


def parcel_duty_compute(*, parcel: Parcel, on: date | None = None) -> tariff.DutyTotals:
    """Customs duty and consumption taxes of the parcel's declared contents, by the tariff
    in force on `on` (today): nothing where the taxable value is at most the small-value
    limit (¥10,000 for postal items)."""
    on = on or timezone.localdate()
    return tariff.duty_estimate(lines=_duty_lines(parcel, on), on=on).total


@transaction.atomic
def parcel_duty_assess(*, parcel: Parcel) -> int:
    """Computes and stores the parcel's duty and taxes (`duty_jpy`); when there is any,
    `xray.hooks.parcel_duty_due` is sent once this commits (payments writes the
    assessment). Returns the amount in yen."""
    parcel = Parcel.objects.select_for_update().get(pk=parcel.pk)
    duty = parcel_duty_compute(parcel=parcel).total_jpy
    if parcel.duty_jpy != duty:
        before = parcel.duty_jpy
        parcel.duty_jpy = duty
        parcel.save(update_fields=["duty_jpy"])
        audit_record(
            action="xray.parcel_duty_assessed",
            system="xray",
            obj=parcel,
            before={"duty_jpy": before},
            after={"duty_jpy": duty},
        )
    if duty > 0:
        transaction.on_commit(lambda: hooks.parcel_duty_due.send(sender=Parcel, parcel=parcel), robust=True)
    return duty
