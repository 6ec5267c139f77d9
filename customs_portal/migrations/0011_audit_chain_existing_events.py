"""Chains the events recorded before the chain existed, in id order, and records the
chain head. The append-only trigger is set aside for these updates only (the migration
runs as the table's owner)."""

from __future__ import annotations

from django.db import migrations

from customs_portal.audit_chain import CHAINED_FIELDS, GENESIS_HASH, event_hash

TRIGGER = "customs_portal_auditevent_append_only"


def chain_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("customs_portal", "AuditEvent")
    AuditChainHead = apps.get_model("customs_portal", "AuditChainHead")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"ALTER TABLE customs_portal_auditevent DISABLE TRIGGER {TRIGGER}")
    prev_hash = GENESIS_HASH
    seq = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        seq += 1
        event.seq = seq
        event.prev_hash = prev_hash
        event.hash = prev_hash = event_hash({name: getattr(event, name) for name in CHAINED_FIELDS}, prev_hash)
        # The historical model has no append-only save(), and a queryset update keeps it to three columns.
        AuditEvent.objects.filter(pk=event.pk).update(seq=event.seq, prev_hash=event.prev_hash, hash=event.hash)
    if postgresql:
        schema_editor.execute(f"ALTER TABLE customs_portal_auditevent ENABLE TRIGGER {TRIGGER}")
    AuditChainHead.objects.update_or_create(pk=1, defaults={"length": seq, "last_hash": prev_hash})


class Migration(migrations.Migration):
    dependencies = [("customs_portal", "0010_audit_chain_fields")]

    operations = [migrations.RunPython(chain_existing_events, migrations.RunPython.noop)]
