"""A model version records the checksum of each of its files, not of one file: its
artefact path becomes the version's directory and `checksums` maps each file in it to
its sha256. A version made before holds one file, whose checksum moves over."""

import posixpath

from django.db import migrations, models


def forwards(apps, schema_editor) -> None:
    ModelVersion = apps.get_model("customs_portal", "ModelVersion")
    for version in ModelVersion.objects.using(schema_editor.connection.alias).all():
        directory, file_name = posixpath.split(version.artefact_path)
        version.artefact_path = directory
        version.checksums = {file_name: version.sha256}
        version.save(update_fields=["artefact_path", "checksums"])


def backwards(apps, schema_editor) -> None:
    ModelVersion = apps.get_model("customs_portal", "ModelVersion")
    for version in ModelVersion.objects.using(schema_editor.connection.alias).all():
        if not version.checksums:
            continue
        # One file could be named before; a version with several keeps its first one.
        file_name = sorted(version.checksums)[0]
        version.artefact_path = posixpath.join(version.artefact_path, file_name)
        version.sha256 = version.checksums[file_name]
        version.save(update_fields=["artefact_path", "sha256"])


class Migration(migrations.Migration):
    dependencies = [
        ("customs_portal", "0004_model_version_table_renamed"),
    ]

    operations = [
        migrations.AddField(
            model_name="modelversion",
            name="checksums",
            field=models.JSONField(default=dict, verbose_name="checksums (SHA-256)"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="modelversion", name="sha256"),
    ]
