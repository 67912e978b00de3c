"""The database keeps the credit ledger append-only: on PostgreSQL a trigger
refuses every UPDATE and DELETE of an entry (TRUNCATE, which only tests'
flush uses, is not a row operation); on SQLite a trigger refuses UPDATE
(DELETE stays possible there so the test database can be flushed)."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION credits_creditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The credit ledger is append-only: post a reversing entry instead'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER credits_creditentry_append_only
    BEFORE UPDATE OR DELETE ON credits_creditentry
    FOR EACH ROW EXECUTE FUNCTION credits_creditentry_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS credits_creditentry_append_only ON credits_creditentry;
DROP FUNCTION IF EXISTS credits_creditentry_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER IF NOT EXISTS credits_creditentry_no_update BEFORE UPDATE ON credits_creditentry
BEGIN
    SELECT RAISE(ABORT, 'The credit ledger is append-only: post a reversing entry instead');
END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS credits_creditentry_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("credits", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
