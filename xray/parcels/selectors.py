"""Reads of the intake, permission-aware: officers see every parcel, a scanner only the
parcels it registered; nobody else sees any (risk scores are customs-internal)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from customs_portal.models import Role, User
from xray.parcels.models import Parcel, Scanner, XrayImage
from xray.screening.models import ScreeningResult


def _visible_parcels(user: User) -> QuerySet[Parcel]:
    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied
    if user.is_officer:
        return Parcel.objects.all()
    if user.role == Role.SCANNER:
        return Parcel.objects.filter(created_by=user)
    raise PermissionDenied


def parcel_get_for_user(*, user: User, item_number: str) -> Parcel:
    """The parcel with its declared items, images and their results (newest first);
    404 when there is none or the caller (a scanner) did not register it, 403 for a
    role that sees no parcels."""
    parcel = (
        _visible_parcels(user)
        .filter(item_number=item_number.strip().upper())
        .prefetch_related(
            "items",
            Prefetch(
                "images",
                queryset=XrayImage.objects.order_by("id").prefetch_related(
                    Prefetch("results", queryset=ScreeningResult.objects.order_by("-created_at", "-id"))
                ),
            ),
        )
        .first()
    )
    if parcel is None:
        raise Http404
    return parcel


def parcel_list_for_user(*, user: User, limit: int = 50) -> list[Parcel]:
    """The latest parcels the user sees, with their item counts (officers' intake page)."""
    return list(_visible_parcels(user).prefetch_related("items", "images")[:limit])


def scanner_list_for_user(*, user: User) -> QuerySet[Scanner]:
    """Every registered scanner, for a supervisor."""
    if not (user and user.is_authenticated and user.role == Role.SUPERVISOR):
        raise PermissionDenied
    return Scanner.objects.select_related("registered_by", "revoked_by").order_by("office", "code")


def scanner_get_for_user(*, user: User, scanner_id: int) -> Scanner:
    scanner = scanner_list_for_user(user=user).filter(pk=scanner_id).first()
    if scanner is None:
        raise Http404
    return scanner
