"""On PostgreSQL the audit trail is append-only in the database too: a trigger refuses
UPDATE and DELETE on audit events, whatever code (or person with psql) tries.

TRUNCATE stays possible for the table's owner: the test suite empties tables with it."""

from __future__ import annotations

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION customs_portal_audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER customs_portal_auditevent_append_only
BEFORE UPDATE OR DELETE ON customs_portal_auditevent
FOR EACH ROW EXECUTE FUNCTION customs_portal_audit_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS customs_portal_auditevent_append_only ON customs_portal_auditevent;
DROP FUNCTION IF EXISTS customs_portal_audit_event_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("customs_portal", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
