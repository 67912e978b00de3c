"""The ledger page's order gets an index: ``(earned_on, id)``, the model's
``-earned_on, -id`` read backwards. The district staff's ledger page is scoped
by the teachers' district (a join), so without it PostgreSQL sorted every entry
of the scope to show 25 (a sequential scan of the ledger at city size;
docs/benchmarks.md, "The ledger's indexes"). Built ``CONCURRENTLY`` on
PostgreSQL (outside a transaction: no lock that blocks the ledger's writes)."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    """``CREATE INDEX CONCURRENTLY`` on PostgreSQL, a plain ``CREATE INDEX``
    elsewhere (SQLite's test runs)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(
            self, app_label, schema_editor, from_state, to_state
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(
            self, app_label, schema_editor, from_state, to_state
        )


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("credits", "0012_entry_registered_by_unindexed"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="creditentry",
            index=models.Index(fields=["earned_on", "id"], name="credit_entry_earned"),
        ),
    ]
