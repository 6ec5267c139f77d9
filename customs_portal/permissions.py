"""Role checks for views (decorator and mixin) and for the API (DRF permissions).

Object-level rule for traders: a trader only ever sees its own company's records. List
selectors filter by company; `OwnCompanyOnly` guards single objects in the API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from customs_portal.models import OFFICER_ROLES, Role

ANY_OFFICER = tuple(OFFICER_ROLES)
SUPERVISOR = (Role.SUPERVISOR,)
TRADER = (Role.TRADER,)
ADMIN = (Role.ADMIN,)
TRADER_OR_OFFICER = (*TRADER, *ANY_OFFICER)
# Officers who may see payments of every company and order refunds.
FINANCE_OFFICER = (Role.CLEARANCE_OFFICER, Role.AUDIT_OFFICER, Role.SUPERVISOR)
AUDIT_TRAIL_READER = (Role.SUPERVISOR, Role.AUDIT_OFFICER, Role.ADMIN)


def user_has_role(user, roles: Iterable[str]) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in roles)


def role_required(*roles: str) -> Callable:
    """View decorator: anonymous users go to the login page, other roles get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RoleRequiredMixin(AccessMixin):
    """Class-based view counterpart of `role_required`."""

    allowed_roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not user_has_role(request.user, self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class HasRole(BasePermission):
    allowed_roles: tuple[str, ...] = ()
    message = _("Your role does not allow this operation.")

    def has_permission(self, request, view) -> bool:
        return user_has_role(request.user, self.allowed_roles)


class IsOfficer(HasRole):
    allowed_roles = ANY_OFFICER
    message = _("Only customs officers may do this.")


class IsSupervisor(HasRole):
    allowed_roles = SUPERVISOR
    message = _("Only supervisors may do this.")


class IsTrader(HasRole):
    allowed_roles = TRADER
    message = _("Only trader accounts may do this.")


class IsTraderOrOfficer(HasRole):
    allowed_roles = TRADER_OR_OFFICER
    message = _("Only traders and customs officers may do this.")


class IsFinanceOfficer(HasRole):
    allowed_roles = FINANCE_OFFICER
    message = _("Only clearance officers, audit officers and supervisors may do this.")


class CanReadAuditTrail(HasRole):
    allowed_roles = AUDIT_TRAIL_READER
    message = _("Only supervisors, audit officers and administrators may read the audit trail.")


class IsAdmin(HasRole):
    allowed_roles = ADMIN
    message = _("Only administrators may do this.")


class OwnCompanyOnly(BasePermission):
    """A trader may act only on objects of its own company; officers on any."""

    message = _("This record belongs to another company.")

    def has_object_permission(self, request, view, obj) -> bool:
        user = request.user
        if user.is_officer:
            return True
        return user.is_trader and getattr(obj, "company_id", None) == user.company_id
