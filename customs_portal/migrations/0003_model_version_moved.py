"""The model registry moves here from the inspection app, so that every app with a model
shares it. Its table was created by inspection's first migration, so this one only
records the model in this app's state (under its old table name, which a later migration
renames) and moves its content type, so that permissions and admin history follow it."""

from django.db import migrations, models


def content_type_move(apps, schema_editor, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    moving = content_types.filter(app_label=source, model="modelversion")
    if not moving.exists():
        return
    # A database migrated back and forth may have a second content type that post_migrate
    # created for the model's other home; it holds only default permissions, and the one
    # that moves keeps whatever was granted and logged.
    content_types.filter(app_label=target, model="modelversion").delete()
    moving.update(app_label=target)


def forwards(apps, schema_editor) -> None:
    content_type_move(apps, schema_editor, source="inspection", target="customs_portal")


def backwards(apps, schema_editor) -> None:
    content_type_move(apps, schema_editor, source="customs_portal", target="inspection")


class Migration(migrations.Migration):
    dependencies = [
        ("customs_portal", "0002_audit_event_append_only_trigger"),
        ("inspection", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ModelVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=50, verbose_name='model')),
                        ('version', models.PositiveIntegerField(verbose_name='version')),
                        ('artefact_path', models.CharField(max_length=500, verbose_name='artefact path')),
                        ('sha256', models.CharField(max_length=64)),
                        ('metrics', models.JSONField(default=dict, verbose_name='metrics')),
                        ('training_summary', models.JSONField(default=dict, verbose_name='training data summary')),
                        ('status', models.CharField(choices=[('trained', 'Trained, not served'), ('active', 'Active'), ('retired', 'Retired')], default='trained', max_length=10, verbose_name='status')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('promoted_at', models.DateTimeField(blank=True, null=True, verbose_name='promoted at')),
                    ],
                    options={
                        'db_table': 'inspection_modelversion',
                        'verbose_name': 'model version',
                        'verbose_name_plural': 'model versions',
                        'ordering': ['name', '-version'],
                        'constraints': [models.UniqueConstraint(fields=('name', 'version'), name='model_version_unique'), models.UniqueConstraint(condition=models.Q(('status', 'active')), fields=('name',), name='model_version_one_active')],
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
