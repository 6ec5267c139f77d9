from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A domain rule said no. The API answers it as a 4xx error body, a view as a form
    error; `fields` maps field names to messages for the user."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        fields: dict[str, Any] | None = None,
        status: int = 400,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}
        self.status = status
