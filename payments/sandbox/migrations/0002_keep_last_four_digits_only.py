"""The sandbox keeps only the last four digits of card and account numbers: the full
numbers it stored before are dropped, the accounts' last four kept."""

from django.db import migrations, models


def account_last4_copy(apps, schema_editor):
    GatewayCharge = apps.get_model("sandbox_gateway", "GatewayCharge")
    for charge in GatewayCharge.objects.exclude(bank_account="").only("pk", "bank_account"):
        GatewayCharge.objects.filter(pk=charge.pk).update(bank_account_last4=charge.bank_account.strip()[-4:])


class Migration(migrations.Migration):
    dependencies = [
        ("sandbox_gateway", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="gatewaycharge",
            name="bank_account_last4",
            field=models.CharField(blank=True, max_length=4),
        ),
        migrations.RunPython(account_last4_copy, migrations.RunPython.noop),
        migrations.RemoveField(model_name="gatewaycharge", name="bank_account"),
        migrations.RemoveField(model_name="gatewaycharge", name="card_number"),
    ]
