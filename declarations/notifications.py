"""The wording of the notifications declarations sends (declarations, manifests,
applications), in the reader's language. Registered with `customs_portal.notifications`
in DeclarationsConfig.ready; the codes and their parameters are written by the services
that call `notify_company`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from declarations.applications.models import ApplicationStatus
from declarations.core.models import Declaration
from declarations.core.reasons import REQUIRED_ACTIONS
from declarations.manifests.messages import failure_text


def _required_action_text(code: str) -> str:
    return next((str(action.message) for action in REQUIRED_ACTIONS.values() if action.code == code), "")


def _declaration_status_changed(p: dict[str, Any]) -> tuple[str, str]:
    """params: number, status, reason (an officer's own words, or empty), required_action (a code or empty)."""
    subject = _("Declaration %(number)s: %(status)s") % {
        "number": p["number"],
        "status": Declaration.Status(p["status"]).label,
    }
    body = "\n\n".join(
        text for text in (p.get("reason", ""), _required_action_text(p.get("required_action", ""))) if text
    )
    return subject, body


def _application_status_changed(p: dict[str, Any]) -> tuple[str, str]:
    """params: number, status, reason (the officer's own words, or empty)."""
    subject = _("Application %(number)s: %(status)s") % {
        "number": p["number"],
        "status": ApplicationStatus(p["status"]).label,
    }
    return subject, p.get("reason", "")


def _manifest_rejected(p: dict[str, Any]) -> tuple[str, str]:
    """params: name, rows, rows_with_errors."""
    body = ngettext(
        "%(count)d of %(total)d rows has errors; nothing was imported. Correct the rows listed and upload the file again.",
        "%(count)d of %(total)d rows have errors; nothing was imported. Correct the rows listed and upload the file again.",
        p["rows_with_errors"],
    ) % {"count": p["rows_with_errors"], "total": p["rows"]}
    return _("Manifest %(name)s was rejected") % p, body


def _manifest_imported(p: dict[str, Any]) -> tuple[str, str]:
    """params: name, declarations."""
    body = ngettext("%(count)d declaration was created.", "%(count)d declarations were created.", p["declarations"]) % {
        "count": p["declarations"]
    }
    return _("Manifest %(name)s was imported") % p, body


def _manifest_failed(p: dict[str, Any]) -> tuple[str, str]:
    """params: name, failure (a message of declarations.manifests.messages)."""
    return _("Manifest %(name)s could not be processed") % p, failure_text(p.get("failure"))


def _manifest_screened(p: dict[str, Any]) -> tuple[str, str]:
    """params: name, green, yellow, red, waiting (counts of parcels)."""
    body = _("Green lane: %(green)d. Yellow lane (document review): %(yellow)d. Red lane (inspection): %(red)d.") % p
    if p.get("waiting"):
        body += " " + _("Still waiting for screening: %(waiting)d.") % p
    return _("Manifest %(name)s was screened") % p, body


WORDINGS = {
    "declaration.status_changed": _declaration_status_changed,
    "application.status_changed": _application_status_changed,
    "manifest.rejected": _manifest_rejected,
    "manifest.imported": _manifest_imported,
    "manifest.failed": _manifest_failed,
    "manifest.screened": _manifest_screened,
}


def notification_wording(code: str, params: dict[str, Any]) -> tuple[str, str] | None:
    """Subject and body of a declarations notification code; None for another app's code."""
    wording = WORDINGS.get(code)
    return wording(params) if wording else None
