"""The tariff models now belong to the tariff app (declarations.tariff); their tables stay
and are renamed there. This removes them from the declarations app's state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0002_declarations"),
        ("tariff", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="ExchangeRate"),
                migrations.RemoveField(model_name="tariffrate", name="tariff_line"),
                migrations.DeleteModel(name="TariffLine"),
                migrations.DeleteModel(name="TariffRate"),
            ],
        ),
    ]
