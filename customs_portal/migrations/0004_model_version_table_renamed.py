"""The model registry's table takes this app's name."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("customs_portal", "0003_model_version_moved"),
        ("inspection", "0002_model_version_moved"),
    ]

    operations = [
        migrations.AlterModelTable(name="modelversion", table=None),
    ]
