"""The OpenAPI schema groups operations by area of the portal, not by the URL's "v1"."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

# Path prefixes under /api/v1/ and the area (OpenAPI tag) each belongs to, first match wins.
API_AREAS: tuple[tuple[str, str], ...] = (
    ("declarations/", "declarations"),
    ("export-counts/", "declarations"),
    ("tariff-lines/", "tariff"),
    ("duty-estimates/", "tariff"),
    ("exchange-rates/", "tariff"),
    ("traveller-estimates/", "tariff"),
    ("manifests/", "manifests"),
    ("applications/", "applications"),
    ("payments/", "payments"),
    ("inspection-list/", "risk"),
    ("notifications/", "notifications"),
    ("webhooks/", "notifications"),
    ("webhook-deliveries/", "notifications"),
    ("me/", "account"),
    ("auth/", "account"),
    ("audit-events/", "account"),
)


class PortalAutoSchema(AutoSchema):
    def get_tags(self) -> list[str]:
        """The operation's one area, from its path; an unmapped path keeps drf-spectacular's
        default tag, which the schema test refuses."""
        path = self.path.removeprefix("/api/v1/")
        for prefix, area in API_AREAS:
            if path.startswith(prefix):
                return [area]
        return super().get_tags()
