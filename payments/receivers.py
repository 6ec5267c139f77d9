"""Signal receivers that connect the declaration workflow to payments."""

from __future__ import annotations

from declarations.models import Declaration
from payments import services


def assessment_on_awaiting_payment(*, declaration: Declaration, **kwargs) -> None:
    services.assessment_create_for_declaration(declaration=declaration)


def assessments_on_awaiting_payment(*, declarations: list[Declaration], **kwargs) -> None:
    """Bulk manifest screening: the cleared parcels' assessments, in its transaction."""
    services.assessments_create_for_declarations(declarations=declarations)
