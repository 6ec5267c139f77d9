"""Notifications are stored as a message code with parameters, worded when read.

Rows written before keep their text under the code `legacy_text` (parameters "subject"
and "body") and show it as it was written."""

from django.db import migrations, models


def _to_legacy_text(apps, schema_editor):
    Notification = apps.get_model("customs_portal", "Notification")
    for notification in Notification.objects.only("pk", "subject", "body").iterator():
        notification.message_code = "legacy_text"
        notification.params = {"subject": notification.subject, "body": notification.body}
        notification.save(update_fields=["message_code", "params"])


def _from_legacy_text(apps, schema_editor):
    Notification = apps.get_model("customs_portal", "Notification")
    for notification in Notification.objects.only("pk", "message_code", "params").iterator():
        params = notification.params or {}
        notification.subject = str(params.get("subject", notification.message_code))[:200]
        notification.body = str(params.get("body", ""))
        notification.save(update_fields=["subject", "body"])


class Migration(migrations.Migration):
    dependencies = [("customs_portal", "0006_aeo_certificate")]

    operations = [
        migrations.AddField(
            model_name="notification", name="message_code", field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notification", name="params", field=models.JSONField(blank=True, default=dict)
        ),
        migrations.AlterField(
            model_name="notification", name="subject", field=models.CharField(blank=True, max_length=200)
        ),
        migrations.RunPython(_to_legacy_text, _from_legacy_text),
        migrations.RemoveField(model_name="notification", name="subject"),
        migrations.RemoveField(model_name="notification", name="body"),
    ]
