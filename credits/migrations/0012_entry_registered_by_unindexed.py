"""The ledger's index on ``registered_by`` goes: no query reads entries by
who registered them, only deleting a user does (docs/benchmarks.md, "The
ledger's indexes"), and every entry wrote it. Dropped ``CONCURRENTLY`` on
PostgreSQL (outside a transaction: no lock that blocks the ledger's reads or
writes while it goes)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEX = "credits_creditentry_registered_by_id_275697f6"


class DropIndexConcurrently(migrations.operations.base.Operation):
    """``DROP INDEX CONCURRENTLY`` on PostgreSQL, a plain ``DROP INDEX``
    elsewhere; backwards, the index is built again (concurrently)."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, name, table, column):
        self.name, self.table, self.column = name, table, column

    def state_forwards(self, app_label, state):
        pass

    def _concurrently(self, schema_editor):
        return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(
            f"DROP INDEX {self._concurrently(schema_editor)}IF EXISTS {self.name}"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(
            f"CREATE INDEX {self._concurrently(schema_editor)}IF NOT EXISTS {self.name} "
            f"ON {self.table} ({self.column})"
        )

    def describe(self):
        return f"Drop index {self.name} concurrently"

    def deconstruct(self):
        return (self.__class__.__name__, [self.name, self.table, self.column], {})


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY cannot run in a transaction

    reviewed_large_tables = {
        "credits.creditentry": (
            "drops one index CONCURRENTLY (no lock that blocks reads or writes, no "
            "rewrite); the field change is state only"
        ),
    }

    dependencies = [
        ("credits", "0011_completion_standings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="creditentry",
                    name="registered_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="registered by",
                    ),
                ),
            ],
            database_operations=[
                DropIndexConcurrently(INDEX, "credits_creditentry", "registered_by_id"),
            ],
        ),
    ]
