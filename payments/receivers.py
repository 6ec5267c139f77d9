"""Signal receivers that connect the declaration workflow to payments."""

from __future__ import annotations

from declarations.models import Declaration
from payments import services


def assessment_on_awaiting_payment(*, declaration: Declaration, **kwargs) -> None:
    services.assessment_create_for_declaration(declaration=declaration)
