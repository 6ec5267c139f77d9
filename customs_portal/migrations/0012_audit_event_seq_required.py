from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("customs_portal", "0011_audit_chain_existing_events")]

    operations = [
        migrations.AlterField(
            model_name="auditevent", name="seq", field=models.PositiveBigIntegerField(editable=False, unique=True)
        ),
    ]
