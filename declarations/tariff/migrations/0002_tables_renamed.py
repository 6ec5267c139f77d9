"""The tariff tables take the tariff app's names."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tariff", "0001_initial"),
        ("declarations", "0003_tariff_models_moved"),
    ]

    operations = [
        migrations.AlterModelTable(name="exchangerate", table=None),
        migrations.AlterModelTable(name="tariffline", table=None),
        migrations.AlterModelTable(name="tariffrate", table=None),
    ]
