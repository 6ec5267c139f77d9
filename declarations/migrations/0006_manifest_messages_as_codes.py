"""A manifest's row errors and its failure are stored as codes with parameters, worded
when read (`declarations.manifests.messages`).

Text stored before is kept under the code `legacy_text`, with the text as its parameter:
each row error, and the reason a failed manifest gives. A rejected manifest's summary is
worded from its counts, so its stored text is dropped."""

from django.db import migrations, models


def _legacy(text: str) -> dict:
    return {"code": "legacy_text", "params": {"text": text}}


def _to_codes(apps, schema_editor):
    Manifest = apps.get_model("declarations", "Manifest")
    ManifestRowError = apps.get_model("declarations", "ManifestRowError")
    for manifest in Manifest.objects.filter(status="failed").exclude(error_summary="").only("pk", "error_summary"):
        manifest.failure = _legacy(manifest.error_summary)
        manifest.save(update_fields=["failure"])
    batch = []
    for row in ManifestRowError.objects.only("pk", "errors").iterator(chunk_size=5_000):
        if any(isinstance(item, str) for item in row.errors):
            row.errors = [_legacy(item) if isinstance(item, str) else item for item in row.errors]
            batch.append(row)
        if len(batch) >= 5_000:
            ManifestRowError.objects.bulk_update(batch, ["errors"])
            batch = []
    ManifestRowError.objects.bulk_update(batch, ["errors"])


def _to_text(apps, schema_editor):
    """Back to text: legacy text comes back as it was, codes as their code."""
    Manifest = apps.get_model("declarations", "Manifest")
    ManifestRowError = apps.get_model("declarations", "ManifestRowError")

    def text(item):
        return item["params"].get("text", "") if item.get("code") == "legacy_text" else item.get("code", "")

    for manifest in Manifest.objects.exclude(failure={}).only("pk", "failure"):
        manifest.error_summary = text(manifest.failure)
        manifest.save(update_fields=["error_summary"])
    for row in ManifestRowError.objects.only("pk", "errors").iterator(chunk_size=5_000):
        row.errors = [item if isinstance(item, str) else text(item) for item in row.errors]
        row.save(update_fields=["errors"])


class Migration(migrations.Migration):
    dependencies = [("declarations", "0005_manifest_screening_chunks")]

    operations = [
        migrations.AddField(
            model_name="manifest",
            name="failure",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Why it failed: a code of declarations.manifests.messages.",
                verbose_name="failure",
            ),
        ),
        migrations.AlterField(
            model_name="manifestrowerror",
            name="errors",
            field=models.JSONField(
                default=list,
                help_text="Codes with parameters, worded by declarations.manifests.messages.",
                verbose_name="errors",
            ),
        ),
        migrations.RunPython(_to_codes, _to_text),
        migrations.RemoveField(model_name="manifest", name="error_summary"),
    ]
