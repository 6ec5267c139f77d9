"""A registry of the functions that word stored codes in the reader's language.

Reasons and notifications are stored as a code with parameters; each app registers, in its
AppConfig.ready, a function that words its own codes in the active language and returns
None for a code it does not know. `Wordings.word` asks them in turn."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)


class Wordings:
    def __init__(self, kind: str) -> None:
        self.kind = kind  # "reason", "notification": named in the log
        self._wordings: list[Callable[..., Any]] = []

    def register(self, wording: Callable[..., Any]) -> None:
        """Adds an app's wording (registering the same one twice is a no-op)."""
        if wording not in self._wordings:
            self._wordings.append(wording)

    def word(self, code: str, params: dict[str, Any], *args: Any) -> Any:
        """The first registered wording's text for the code (called with `*args`), or None."""
        for wording in self._wordings:
            try:
                text = wording(*args)
            except (KeyError, TypeError, ValueError):
                # A parameter missing from an old row must not break the page that lists it.
                logger.warning("%s %s has parameters its wording cannot use: %s", self.kind, code, params)
                text = None
            if text is not None:
                return text
        logger.warning("No wording for %s code %s", self.kind, code)
        return None
