"""Reasons are codes with parameters everywhere.

- A risk score's reason stored as bare text becomes a `legacy_text` reason.
- A declaration screened by the risk model kept its reasons as text worded in the
  worker's language (now `legacy_text` reasons, see declarations 0004): they are replaced
  by the codes of the risk score that chose its lane, for its current version."""

from __future__ import annotations

from django.db import migrations


def _stored(reasons: list) -> list[dict]:
    return [
        {"code": "legacy_text", "params": {"text": item}}
        if isinstance(item, str)
        else {"code": item.get("code", ""), "params": item.get("params") or {}}
        for item in reasons
    ]


def forwards(apps, schema_editor):
    RiskScore = apps.get_model("inspection", "RiskScore")
    Declaration = apps.get_model("declarations", "Declaration")
    for score in RiskScore.objects.only("pk", "reasons").iterator():
        if any(isinstance(item, str) for item in score.reasons):
            score.reasons = [
                {"code": "legacy_text", "params": {"text": item}, "weight": 0} if isinstance(item, str) else item
                for item in score.reasons
            ]
            score.save(update_fields=["reasons"])
    # Filtered here, not by a JSON lookup: `contains` on JSON does not exist on SQLite.
    for declaration in Declaration.objects.only("pk", "version", "screening_reasons").iterator():
        if not any(reason.get("code") == "legacy_text" for reason in declaration.screening_reasons):
            continue
        score = (
            RiskScore.objects.filter(declaration_id=declaration.pk, declaration_version=declaration.version)
            .exclude(lane="")
            .order_by("-created_at", "-pk")
            .first()
        )
        if score is None:
            continue
        kept = [reason for reason in declaration.screening_reasons if reason.get("code") != "legacy_text"]
        declaration.screening_reasons = kept + [reason for reason in _stored(score.reasons) if reason not in kept]
        declaration.save(update_fields=["screening_reasons"])


class Migration(migrations.Migration):
    dependencies = [
        ("inspection", "0004_result_version_pick_share"),
        ("declarations", "0004_screening_reasons_as_codes"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
