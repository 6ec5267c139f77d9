"""Reasons stored as codes with parameters and worded in the reader's language when shown.

A reason is stored as `{"code": "origin_rare", "params": {"country": "CN", "percent": 0.4}}`
(a risk score adds the reason's "weight"). Each app that writes reasons registers the
wording of its own codes here, in its AppConfig.ready: a function that returns the text of
a reason in the active language, or None for a code it does not know. `reasons_text` is the
one place that turns stored reasons into text; officer pages, the officer API and CSV
exports call it. Reasons are for officers only: nothing a trader sees calls it.

Text stored before reasons were codes is kept under the code `legacy_text`, with the text
as its parameter, and shown as it was written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext as _

from customs_portal.wordings import Wordings

logger = logging.getLogger(__name__)

LEGACY_TEXT = "legacy_text"

Reason = dict[str, Any]
ReasonWording = Callable[[Reason], "str | None"]

_wordings = Wordings("reason")


def reason(code: str, **params: Any) -> Reason:
    """A reason as it is stored: its code and its parameters (JSON values only)."""
    return {"code": code, "params": params}


def legacy_reason(text: str) -> Reason:
    """A reason written as text before reasons were codes."""
    return reason(LEGACY_TEXT, text=text)


def reasons_stored(reasons: Iterable[Reason | str]) -> list[Reason]:
    """Code and parameters of each reason, without scoring details such as the weight; a
    bare string becomes a legacy text reason."""
    return [
        legacy_reason(item) if isinstance(item, str) else reason(item["code"], **(item.get("params") or {}))
        for item in reasons
    ]


def reason_wording_register(wording: ReasonWording) -> None:
    """Adds an app's wording of its reason codes (registering the same one twice is a no-op)."""
    _wordings.register(wording)


def reason_text(item: Reason | str) -> str:
    """One reason in the active language."""
    if isinstance(item, str):
        return item
    code, params = item.get("code", ""), item.get("params") or {}
    if code == LEGACY_TEXT:
        return str(params.get("text", ""))
    text = _wordings.word(code, params, {"code": code, "params": params})
    return text if text is not None else _("Unknown reason (%(code)s)") % {"code": code}


def reasons_text(reasons: Iterable[Reason | str] | None) -> list[str]:
    """Stored reasons in the active language, in their stored order."""
    return [reason_text(item) for item in reasons or []]


def _model_names() -> dict[str, str]:
    return {"risk": _("risk model"), "xray": _("X-ray model")}


def decided_by_text(label: str) -> str:
    """Who scored or routed a declaration, readable: "risk:3" is "risk model v3", "rule"
    the screening rule. For officers: traders never see what decided a lane."""
    if not label or label == "rule":
        return _("screening rule")
    name, _sep, version = label.partition(":")
    if not version:
        return _model_names().get(name, name)
    model = _model_names().get(name) or _("%(name)s model") % {"name": name}
    return _("%(model)s v%(version)s") % {"model": model, "version": version}
