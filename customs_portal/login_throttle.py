"""Login throttling per address: too many failed logins from one address, whatever
usernames they named, lock that address out for the cool-off time.

django-axes counts the failures of each username from each address (AXES_* settings);
this backend, placed after axes, adds the per-address limit on the same records, so one
admin page shows both.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone


def login_failures_from_address(*, ip_address: str) -> int:
    """Failed logins from this address within the cool-off time, over every username."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since)
    return attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0


class AddressLockoutBackend:
    """Refuses every login from an address that has reached LOGIN_ADDRESS_FAILURE_LIMIT
    failures, even with a right password. It authenticates nobody itself, and has no
    `get_user`, so sessions never name it; the refusal reaches axes' middleware, which
    answers with the lock-out page."""

    def authenticate(self, request: HttpRequest | None, **credentials: object) -> None:
        if request is None:
            return None
        ip_address = get_client_ip_address(request)
        if not ip_address or login_failures_from_address(ip_address=ip_address) < settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return None
        request.axes_locked_out = True
        raise PermissionDenied("Too many failed logins from this address.")
