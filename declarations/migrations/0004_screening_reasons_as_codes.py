"""Screening reasons become codes with parameters (`screening_reasons`), worded in the
reader's language when shown, instead of text worded in the worker's language.

Text written by the screening rule and the end-user check, in English or Japanese, is
turned back into its code; any other line (a risk model's reasons) is kept as a
`legacy_text` reason and shown as written (inspection's next migration replaces those of
model-screened declarations with the codes of their stored risk score)."""

from __future__ import annotations

import re

from django.db import migrations, models
from django.utils import translation

# The texts the screening rule and the end-user check wrote before reasons were codes,
# frozen here as they were: (code, English text, fixed parameters).
LEGACY_TEXTS = [
    (
        "newcomer_large_value",
        "First declaration of this importer/exporter with a customs value over ¥1,000,000.",
        {"limit_jpy": 1_000_000},
    ),
    ("preference_claimed", "Preferential rate claimed on line(s) %(lines)s.", {}),
    ("no_rule_applies", "No screening rule applies.", {}),
    (
        "end_user_listed",
        "Consignee matches “%(name)s” (%(country)s) of the end-user list with similarity %(similarity).2f "
        "(%(concern)s).",
        {},
    ),
]
PLACEHOLDER = re.compile(r"%\((\w+)\)(\.\d+f|s)|%%")


def _pattern(template: str) -> re.Pattern:
    parts, last = [], 0
    for match in PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last : match.start()]))
        if match.group(0) == "%%":
            parts.append("%")
        else:
            parts.append(f"(?P<{match.group(1)}>.+?)")
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts) + r"\Z")


def _worded(text: str) -> set[str]:
    """The text in English and in Japanese."""
    worded = set()
    for language in ("en", "ja"):
        with translation.override(language):
            worded.add(translation.gettext(text))
    return worded


def _patterns() -> list[tuple[str, re.Pattern, dict]]:
    """Each legacy text as a pattern, in English and as the Japanese catalogue words it."""
    return [
        (code, _pattern(worded), fixed) for code, template, fixed in LEGACY_TEXTS for worded in _worded(template)
    ]


def _params(code: str, found: dict[str, str], fixed: dict) -> dict:
    params = {**fixed, **found}
    if code == "preference_claimed":
        params["lines"] = [int(line) for line in re.findall(r"\d+", found["lines"])]
    if code == "end_user_listed":
        params["similarity"] = float(found["similarity"])
        if params["concern"] in _worded("listed entity"):  # the wording of "no concern given"
            params["concern"] = ""
    return params


def reasons_from_text(text: str, patterns) -> list[dict]:
    reasons = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        for code, pattern, fixed in patterns:
            match = pattern.match(line)
            if match:
                reasons.append({"code": code, "params": _params(code, match.groupdict(), fixed)})
                break
        else:
            reasons.append({"code": "legacy_text", "params": {"text": line}})
    return reasons


def text_to_codes(apps, schema_editor):
    Declaration = apps.get_model("declarations", "Declaration")
    patterns = _patterns()
    changed = []
    for declaration in Declaration.objects.exclude(screening_reason="").only("pk", "screening_reason").iterator():
        declaration.screening_reasons = reasons_from_text(declaration.screening_reason, patterns)
        changed.append(declaration)
        if len(changed) >= 1000:
            Declaration.objects.bulk_update(changed, ["screening_reasons"])
            changed = []
    Declaration.objects.bulk_update(changed, ["screening_reasons"])


def codes_to_text(apps, schema_editor):
    """Going back: the reasons as English text, one per line."""
    Declaration = apps.get_model("declarations", "Declaration")
    templates = {code: template for code, template, _fixed in LEGACY_TEXTS}
    for declaration in Declaration.objects.only("pk", "screening_reasons").iterator():
        lines = []
        for reason in declaration.screening_reasons:
            code, params = reason.get("code"), reason.get("params") or {}
            if code == "legacy_text":
                lines.append(params.get("text", ""))
            elif code == "preference_claimed":
                lines.append(templates[code] % {"lines": ", ".join(map(str, params.get("lines", [])))})
            elif code in templates:
                try:
                    lines.append(templates[code] % {**params, "concern": params.get("concern") or "listed entity"})
                except (KeyError, TypeError, ValueError):
                    lines.append(code)
            else:
                lines.append(code)
        if lines:
            declaration.screening_reason = "\n".join(lines)
            declaration.save(update_fields=["screening_reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0003_tariff_models_moved"),
    ]

    operations = [
        migrations.AddField(
            model_name="declaration",
            name="screening_reasons",
            field=models.JSONField(blank=True, default=list, verbose_name="screening reasons"),
        ),
        migrations.RunPython(text_to_codes, codes_to_text, elidable=False),
        migrations.RemoveField(model_name="declaration", name="screening_reason"),
    ]
