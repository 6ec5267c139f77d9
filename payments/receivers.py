"""Signal receivers that connect the declaration workflow to payments."""

from __future__ import annotations

from declarations.models import Declaration
from declarations.travellers.models import TravellerDeclaration
from payments import services


def assessment_on_awaiting_payment(*, declaration: Declaration, **kwargs) -> None:
    services.assessment_create_for_declaration(declaration=declaration)


def assessments_on_awaiting_payment(*, declarations: list[Declaration], **kwargs) -> None:
    """Bulk manifest screening: the cleared parcels' assessments, in its transaction."""
    services.assessments_create_for_declarations(declarations=declarations)


def assessment_on_traveller_duty_due(*, declaration: TravellerDeclaration, **kwargs) -> None:
    """A kiosk let a traveller through once the duty is paid: the assessment is written
    in the decision's transaction, so the kiosk can take the payment at once."""
    services.assessment_create_for_traveller(declaration=declaration)
