"""Field paths of declarations (`party_name`, `lines[0].hs_code`, `attachments`) as people
read them; the API's error bodies keep the paths, pages show these labels."""

from __future__ import annotations

import re

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from declarations.core.models import Declaration, DeclarationLine

LINE_FIELD = re.compile(r"lines\[(\d+)\]\.(\w+)")


def _verbose_name(model: type[models.Model], name: str) -> str:
    try:
        return str(capfirst(model._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return name


def field_label(field: str) -> str:
    """A field path of a finding or an error as a person reads it: `lines[0].hs_code` is
    "Line 1 · Tariff code", `attachments` "Documents"; "" (the whole declaration) stays ""."""
    if field in ("", "declaration"):
        return ""
    if field == "attachments":
        return _("Documents")
    if field == "lines":
        return _("Lines")
    line_field = LINE_FIELD.fullmatch(field)
    if line_field:
        return _("Line %(number)s · %(field)s") % {
            "number": int(line_field[1]) + 1,
            "field": _verbose_name(DeclarationLine, line_field[2]),
        }
    return _verbose_name(Declaration, field)
