"""The X-ray app's models, defined by job in its sub-packages; Django and the
migrations find them here."""

from __future__ import annotations

from xray.parcels.models import DeclaredItem, Parcel, Scanner, XrayImage
from xray.review.models import ParcelReview, ReviewSettings, TipPresentation
from xray.screening.models import ScreeningResult

__all__ = [
    "DeclaredItem",
    "Parcel",
    "ParcelReview",
    "ReviewSettings",
    "Scanner",
    "ScreeningResult",
    "TipPresentation",
    "XrayImage",
]
