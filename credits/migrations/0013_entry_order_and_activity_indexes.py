"""Two ledger indexes (docs/benchmarks.md, "The ledger's indexes").

The ledger page's order gets an index: ``(earned_on, id)``, the model's
``-earned_on, -id`` read backwards. The district staff's ledger page is scoped
by the teachers' district (a join), so without it PostgreSQL sorted every entry
of the scope to show 25 (a sequential scan of the ledger at city size).

A studio's hours read the ledger by activity keys alone (no teacher to start
``credit_entry_activity_counts_once``): a sequential scan too. A partial index
on ``activity_key`` (only keyed entries write it).

Both built ``CONCURRENTLY`` on PostgreSQL (outside a transaction: no lock that
blocks the ledger's writes)."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.models import Q


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
        AddIndexConcurrentlyOnPostgres(
            model_name="creditentry",
            index=models.Index(
                condition=~Q(activity_key=""),
                fields=["activity_key"],
                name="credit_entry_activity",
            ),
        ),
    ]
