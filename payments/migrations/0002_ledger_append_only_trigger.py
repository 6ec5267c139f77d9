"""On PostgreSQL the ledger is append-only in the database too: a trigger refuses
UPDATE and DELETE on journal entries and lines, whatever code (or person with psql)
tries. Corrections are new entries. TRUNCATE stays possible for the test suite."""

from __future__ import annotations

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION payments_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only (% on % refused)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER payments_journalentry_append_only
BEFORE UPDATE OR DELETE ON payments_journalentry
FOR EACH ROW EXECUTE FUNCTION payments_ledger_append_only();

CREATE TRIGGER payments_journalline_append_only
BEFORE UPDATE OR DELETE ON payments_journalline
FOR EACH ROW EXECUTE FUNCTION payments_ledger_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS payments_journalentry_append_only ON payments_journalentry;
DROP TRIGGER IF EXISTS payments_journalline_append_only ON payments_journalline;
DROP FUNCTION IF EXISTS payments_ledger_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
