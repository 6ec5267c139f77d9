"""The legal basis of a line's rate and the portal's notes on status changes are stored
as codes, worded in the reader's language when shown. Rows written before hold the text
in the language of whoever submitted; this maps the English and Japanese texts back."""

import re

from django.db import migrations, models

BASIS_CODES = {
    "general rate": "general",
    "基本税率": "general",
    "WTO bound rate": "wto",
    "WTO協定税率": "wto",
    "GSP preferential rate": "gsp",
    "特恵税率": "gsp",
    "LDC special preferential rate": "ldc",
    "特別特恵税率": "ldc",
}
EPA_LABEL = re.compile(r"^(?P<agreement>\S+) (?:EPA preferential rate|EPA税率)$")
MANIFEST_NOTE = re.compile(r"^(?:Imported from manifest (?P<en>.+)\.|マニフェスト (?P<ja>.+) から取り込みました。)$")


def basis_code(label: str) -> str:
    """The code of a stored label; a code, or text this does not know, is kept."""
    if label in BASIS_CODES:
        return BASIS_CODES[label]
    match = EPA_LABEL.match(label)
    return f"epa:{match['agreement']}" if match else label


def forwards(apps, schema_editor):
    DeclarationLine = apps.get_model("declarations", "DeclarationLine")
    DeclarationVersion = apps.get_model("declarations", "DeclarationVersion")
    DeclarationStatusChange = apps.get_model("declarations", "DeclarationStatusChange")
    labels = DeclarationLine.objects.exclude(rate_basis="").values_list("rate_basis", flat=True).distinct()
    for label in list(labels):
        code = basis_code(label)
        if code != label:
            DeclarationLine.objects.filter(rate_basis=label).update(rate_basis=code)
    for version in DeclarationVersion.objects.iterator(chunk_size=500):
        lines = version.snapshot.get("lines", [])
        changed = False
        for line in lines:
            code = basis_code(line.get("rate_basis") or "")
            if code != (line.get("rate_basis") or ""):
                line["rate_basis"], changed = code, True
        if changed:
            version.save(update_fields=["snapshot"])
    notes = DeclarationStatusChange.objects.filter(
        models.Q(reason__startswith="Imported from manifest ") | models.Q(reason__startswith="マニフェスト ")
    )
    for change in notes.iterator(chunk_size=2000):
        match = MANIFEST_NOTE.match(change.reason)
        if match:
            change.note_code = "imported_from_manifest"
            change.note_params = {"name": match["en"] or match["ja"]}
            change.reason = ""
            change.save(update_fields=["note_code", "note_params", "reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0006_manifest_messages_as_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="declarationstatuschange",
            name="note_code",
            field=models.CharField(blank=True, max_length=50),
        ),
        migrations.AddField(
            model_name="declarationstatuschange",
            name="note_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
