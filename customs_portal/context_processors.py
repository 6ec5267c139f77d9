from __future__ import annotations

from customs_portal.selectors import unread_notification_count


def portal(request) -> dict:
    """The header's unread count; computed lazily so pages that do not show it pay nothing."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"unread_notifications": lambda: unread_notification_count(user=user)}
