"""ModelVersion now belongs to customs_portal (the shared model registry); its table stays
and is renamed there. This removes it from the inspection app's state only, and points
the risk scores' foreign key at the moved model (the database constraint is unchanged)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspection", "0001_initial"),
        ("customs_portal", "0003_model_version_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="riskscore",
                    name="model_version",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="customs_portal.modelversion",
                        verbose_name="model version",
                    ),
                ),
                migrations.DeleteModel(name="ModelVersion"),
            ],
        ),
    ]
