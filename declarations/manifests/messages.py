"""What manifests store for a person to read: the errors of each bad row and the reason a
manifest failed. Stored as `{"code": ..., "params": {...}}` (JSON values only) and worded
here in the reader's language when a page, the API or the results CSV shows them.

Text stored before these were codes is kept under the code `legacy_text`, with the text
as its parameter, and shown as it was written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customs_portal.reasons import LEGACY_TEXT

logger = logging.getLogger(__name__)

Message = dict[str, Any]


def message(code: str, /, **params: Any) -> Message:
    """A message as it is stored: its code and its parameters."""
    return {"code": code, "params": params}


def _yen(amount: int) -> str:
    return f"{amount:,}"


def _row_error_wording(code: str, p: dict[str, Any]) -> str | None:
    texts = {
        "extra_cells": lambda: _("The row has more cells than the header names."),
        "waybill_missing": lambda: _("house_waybill: missing."),
        "waybill_too_long": lambda: _("house_waybill: at most 50 characters."),
        "consignee_missing": lambda: _("consignee: missing."),
        "consignee_too_long": lambda: _("consignee: at most 200 characters."),
        "description_missing": lambda: _("description: missing."),
        "description_too_long": lambda: _("description: at most 500 characters."),
        "hs_code_invalid": lambda: (
            _("hs_code: “%(code)s” is not a tariff code (9 digits, or the 6 digits of the HS).") % p
        ),
        "value_not_number": lambda: _("value: “%(value)s” is not a number.") % p,
        "value_not_positive": lambda: _("value: must be more than 0."),
        "value_implausible": lambda: _("value: %(value)s is not a plausible parcel value.") % p,
        "value_decimals": lambda: _("value: at most 2 decimal places."),
        "currency_invalid": lambda: _("currency: “%(currency)s” is not a 3-letter ISO 4217 code.") % p,
        "weight_not_number": lambda: _("weight_kg: “%(weight)s” is not a number.") % p,
        "weight_not_positive": lambda: _("weight_kg: must be more than 0."),
        "weight_too_heavy": lambda: _("weight_kg: %(weight)s kg is not a parcel (at most %(limit)s kg).") % p,
        "origin_invalid": lambda: _("origin: “%(origin)s” is not an ISO 3166 country code.") % p,
        "quantity_invalid": lambda: _("quantity: must be a number more than 0."),
        "hs6_ambiguous": lambda: (
            _("hs_code: HS %(code)s has %(count)d tariff lines (%(lines)s); give the 9-digit code.")
            % {**p, "lines": ", ".join(p["lines"])}
        ),
        "hs6_not_in_force": lambda: _("hs_code: no tariff line under HS %(code)s is in force on %(date)s.") % p,
        "waybill_repeated": lambda: _("house_waybill: %(waybill)s is already on line %(line)d of this file.") % p,
        "waybill_declared": lambda: _("house_waybill: %(waybill)s was already declared by your company.") % p,
        "hs_code_not_in_force": lambda: _("hs_code: no tariff line %(code)s is in force on %(date)s.") % p,
        "no_exchange_rate": lambda: (
            _("currency: no customs exchange rate for %(currency)s in the week of %(date)s.") % p
        ),
        "over_simplified_limit": lambda: (
            _(
                "value: the customs value ¥%(value)s is over ¥%(limit)s: this parcel needs a regular import "
                "declaration, not a manifest."
            )
            % {"value": _yen(p["value_jpy"]), "limit": _yen(p["limit_jpy"])}
        ),
        "duty_engine": lambda: _("%(field)s: the duty engine cannot rate this parcel (%(error)s).") % p,
    }
    text = texts.get(code)
    return text() if text else None


def _failure_wording(code: str, p: dict[str, Any]) -> str | None:
    texts = {
        "not_csv": lambda: _("The file is not CSV text in UTF-8 or Shift_JIS. Upload the manifest as CSV."),
        "not_manifest": lambda: (
            _("This is not a parcel manifest: the first line must name the columns %(columns)s.")
            % {"columns": ", ".join(p["columns"])}
        ),
        "too_many_rows": lambda: (
            _("The manifest has more than %(limit)s rows; split it into several files.") % {"limit": f"{p['limit']:,}"}
        ),
        "no_rows": lambda: _("The manifest has no parcel rows."),
        "csv_unreadable": lambda: _csv_unreadable_text(p),
        "waybill_race": lambda: _(
            "A house waybill of this file was declared by another upload meanwhile; nothing was "
            "imported. Upload the file again to see which rows."
        ),
        "processing_error": lambda: _("The manifest could not be processed because of an error."),
    }
    text = texts.get(code)
    return text() if text else None


def _text(item: Message | str, wording) -> str:
    if isinstance(item, str):
        return item
    code, params = item.get("code", ""), item.get("params") or {}
    if code == LEGACY_TEXT:
        return str(params.get("text", ""))
    try:
        text = wording(code, params)
    except (KeyError, TypeError, ValueError):
        # A parameter missing from an old row must not break the manifest's page.
        logger.warning("Manifest message %s has parameters its wording cannot use: %s", code, params)
        text = None
    if text is None:
        logger.warning("No wording for manifest message %s", code)
        return _("Unknown error (%(code)s)") % {"code": code}
    return text


def row_errors_text(errors: Iterable[Message | str] | None) -> list[str]:
    """A bad row's errors in the active language, in their stored order."""
    return [_text(item, _row_error_wording) for item in errors or []]


def failure_text(failure: Message | None) -> str:
    """Why a manifest failed, in the active language; empty when it did not fail."""
    return _text(failure, _failure_wording) if failure else ""


def rejected_summary_text(*, rows_failed: int, rows_total: int) -> str:
    """The summary of a rejected manifest in the active language."""
    return ngettext(
        "%(count)d of %(total)d rows has errors; nothing was imported. Correct the rows listed and upload the file again.",
        "%(count)d of %(total)d rows have errors; nothing was imported. Correct the rows listed and upload the file again.",
        rows_failed,
    ) % {"count": rows_failed, "total": rows_total}


def _csv_unreadable_text(p: dict[str, Any]) -> str:
    return _(
        "Line %(line)s cannot be read as CSV: a cell is longer than %(limit)s characters or its quotes are "
        "not closed. Correct the file and upload it again."
    ) % {"line": f"{p['line']:,}", "limit": f"{p['limit']:,}"}
