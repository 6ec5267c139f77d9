"""Signal receivers that connect the declaration workflow and postal parcels to payments."""

from __future__ import annotations

from declarations.models import Declaration
from declarations.travellers.models import TravellerDeclaration
from payments import services
from xray.parcels.models import Parcel


def assessment_on_awaiting_payment(*, declaration: Declaration, **kwargs) -> None:
    services.assessment_create_for_declaration(declaration=declaration)


def assessments_on_awaiting_payment(*, declarations: list[Declaration], **kwargs) -> None:
    """Bulk manifest screening: the cleared parcels' assessments, in its transaction."""
    services.assessments_create_for_declarations(declarations=declarations)


def assessment_on_traveller_duty_due(*, declaration: TravellerDeclaration, **kwargs) -> None:
    """A kiosk let a traveller through once the duty is paid: the assessment is written
    in the decision's transaction, so the kiosk can take the payment at once."""
    services.assessment_create_for_traveller(declaration=declaration)


def assessment_on_parcel_duty_due(*, parcel: Parcel, **kwargs) -> None:
    """An officer released a postal parcel that owes duty: its assessment, once the
    release commits (the handoff sweep writes it where this did not run)."""
    services.assessment_create_for_parcel(parcel=parcel)
