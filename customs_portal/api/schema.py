"""The OpenAPI schema groups operations by area of the portal, not by the URL's "v1", and
documents the API's one error body under every error status an operation can answer."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

# Path prefixes under /api/v1/ and the area (OpenAPI tag) each belongs to, first match wins.
API_AREAS: tuple[tuple[str, str], ...] = (
    ("declarations/", "declarations"),
    ("export-counts/", "declarations"),
    ("tariff-lines/", "tariff"),
    ("duty-estimates/", "tariff"),
    ("exchange-rates/", "tariff"),
    ("traveller-estimates/", "tariff"),
    ("traveller-rules/", "tariff"),
    ("traveller-declarations/", "travellers"),
    ("kiosk/", "kiosk"),
    ("xray/", "xray"),
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


class ErrorDetailOutput(serializers.Serializer):
    code = serializers.CharField(help_text="A stable code, e.g. validation_error, not_found, wrong_state.")
    message = serializers.CharField(help_text="The error in the caller's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="Messages per input field."
    )
    wait_seconds = serializers.IntegerField(
        required=False, allow_null=True, help_text="Throttled requests only: whole seconds until the next is accepted."
    )


class ErrorOutput(serializers.Serializer):
    """The body of every 4xx answer of the API (customs_portal.api.errors)."""

    error = ErrorDetailOutput()


# The error statuses any operation may answer, with the API's error body: invalid input
# or an unreadable body, no or a bad token, a role or company that may not, an object
# that is not there (or not the caller's), a state that forbids the action, a body over
# the upload limit, too many requests.
ERROR_RESPONSES = {
    "400": "The request is invalid or cannot be read.",
    "401": "No valid credentials.",
    "403": "The caller's role or company may not do this.",
    "404": "Not found, or not visible to the caller.",
    "409": "The object's current state does not allow this.",
    "413": "The request body or file is too large.",
    "429": "Too many requests.",
}


class PortalAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        """The documented answers, plus the API's error body under each error status."""
        responses = super()._get_response_bodies(direction)
        for status, description in ERROR_RESPONSES.items():
            if status not in responses:
                error = OpenApiResponse(response=ErrorOutput, description=description)
                responses[status] = self._get_response_for_code(error, status, direction=direction)
        return responses

    def get_tags(self) -> list[str]:
        """The operation's one area, from its path; an unmapped path keeps drf-spectacular's
        default tag, which the schema test refuses."""
        path = self.path.removeprefix("/api/v1/")
        for prefix, area in API_AREAS:
            if path.startswith(prefix):
                return [area]
        return super().get_tags()
