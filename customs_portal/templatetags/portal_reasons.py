"""Template filters for officer pages: `{{ score.reasons|reasons_text }}` and
`{{ score.model_label|decided_by }}`, both in the active language."""

from __future__ import annotations

from django import template

from customs_portal import reasons

register = template.Library()


@register.filter
def reasons_text(value) -> list[str]:
    return reasons.reasons_text(value)


@register.filter
def decided_by(label: str) -> str:
    return reasons.decided_by_text(label)
