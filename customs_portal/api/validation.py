"""Input validation for API views: serializer errors as one ApplicationError whose
fields name each nested field by its path (`lines[1].origin`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from customs_portal.errors import ApplicationError


def _flatten(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as flat paths: {"lines[1].origin": ["..."]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(key, int):  # DRF keys a list's errors by the item's index.
                child = f"{path}[{key}]"
            elif key == "non_field_errors" and path:
                child = path
            else:
                child = f"{path}.{key}" if path else key
            flat.update(_flatten(value, child))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{path}[{index}]"))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {path or "non_field_errors": [str(message) for message in messages]} if messages else {}


def validate_or_raise(serializer: serializers.Serializer) -> dict[str, Any]:
    """Validates, raising ApplicationError whose fields name each nested field by its
    path, so a bad line says which line and which field."""
    if serializer.is_valid():
        return serializer.validated_data
    fields = _flatten(serializer.errors)
    problems = "; ".join(f"{name}: {messages[0]}" for name, messages in fields.items())
    raise ApplicationError(
        _("The request is invalid: %(problems)s") % {"problems": problems}, code="validation_error", fields=fields
    )
