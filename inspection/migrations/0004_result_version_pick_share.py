"""Inspection results name the declaration version they judged (existing results get the
declaration's current version, the best that is known of them); risk scores keep the
served ranking's pick share."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def results_judged_current_version(apps, schema_editor):
    InspectionResult = apps.get_model("inspection", "InspectionResult")
    Declaration = apps.get_model("declarations", "Declaration")
    InspectionResult.objects.update(
        declaration_version=Subquery(Declaration.objects.filter(pk=OuterRef("declaration_id")).values("version")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inspection", "0003_historical_declaration_aeo"),
        ("declarations", "0002_declarations"),
    ]

    operations = [
        migrations.AddField(
            model_name="inspectionresult",
            name="declaration_version",
            field=models.PositiveIntegerField(
                help_text="The version of the declaration that was inspected or audited.",
                null=True,
                verbose_name="declaration version",
            ),
        ),
        migrations.RunPython(results_judged_current_version, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="inspectionresult",
            name="declaration_version",
            field=models.PositiveIntegerField(
                help_text="The version of the declaration that was inspected or audited.",
                verbose_name="declaration version",
            ),
        ),
        migrations.AddField(
            model_name="riskscore",
            name="pick_share",
            field=models.FloatField(
                blank=True,
                help_text="The smallest share of declarations inspected at which the served ranking picks this one.",
                null=True,
                verbose_name="picked within",
            ),
        ),
    ]
