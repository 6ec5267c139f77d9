"""The declarations app's models, defined by job in its sub-packages; Django and the
migrations find them here."""

from __future__ import annotations

from declarations.applications.models import (
    ApplicationBase,
    ApplicationStatus,
    DutyReliefApplication,
    IpSuspensionApplication,
    IpSuspensionEvidence,
)
from declarations.core.models import (
    Declaration,
    DeclarationAttachment,
    DeclarationLine,
    DeclarationStatusChange,
    DeclarationVersion,
    Preference,
)
from declarations.export_control.models import ControlledGood, EndUser
from declarations.manifests.models import Manifest, ManifestRowError, ManifestScreeningChunk
from declarations.travellers.models import (
    GateRiskRule,
    Kiosk,
    KioskDecision,
    TravellerDeclaration,
    TravellerOfficerDecision,
    WatchListEntry,
)

__all__ = [
    "ApplicationBase",
    "ApplicationStatus",
    "ControlledGood",
    "Declaration",
    "DeclarationAttachment",
    "DeclarationLine",
    "DeclarationStatusChange",
    "DeclarationVersion",
    "DutyReliefApplication",
    "EndUser",
    "GateRiskRule",
    "IpSuspensionApplication",
    "IpSuspensionEvidence",
    "Kiosk",
    "KioskDecision",
    "Manifest",
    "ManifestRowError",
    "ManifestScreeningChunk",
    "Preference",
    "TravellerDeclaration",
    "TravellerOfficerDecision",
    "WatchListEntry",
]
