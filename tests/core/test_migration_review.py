"""Upgrades without surprises (docs/deploy.md, "Upgrades"): a migration that
would rewrite or lock one of the large tables — the credit ledger and the
audit log, millions of rows in a city — fails this test until it says it was
reviewed, with the reason, on its Migration class::

    class Migration(migrations.Migration):
        reviewed_large_tables = {
            "credits.creditentry": "index built concurrently; the ALTER is instant",
        }

Safe on a large table, so needing no review: creating it (and whatever the
migration that creates it does to it, the table being empty), model options and
managers, a nullable new column (no rewrite on PostgreSQL 11+), and the
concurrent index operations. Everything else that names the table, a SQL
statement that mentions it, and a foreign key to it (which locks it while the
constraint is checked) needs review. RunPython cannot be read: a data
migration over these tables is reviewed by the same mark (CONTRIBUTING.md)."""

import pytest
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations
from django.db.migrations.loader import MigrationLoader

LARGE_TABLES = {"credits.creditentry": "credits_creditentry", "core.auditentry": "core_auditentry"}

# Written before this rule, applied while those tables were new (and small):
# reviewed then, listed here instead of edited.
BEFORE_THE_RULE = {
    ("core", "0002_audit_append_only"),
    ("credits", "0002_ledger_append_only"),
    ("credits", "0003_leaner_entry_indexes"),
    ("credits", "0004_entry_status"),
}

SAFE = (
    migrations.CreateModel,
    migrations.AlterModelOptions,
    migrations.AlterModelManagers,
    AddIndexConcurrently,
    RemoveIndexConcurrently,
)


def _related_model(field):
    remote = getattr(field, "remote_field", None)
    model = getattr(remote, "model", None) if remote else None
    if isinstance(model, str):
        return model.lower()
    if model is not None:
        return model._meta.label_lower
    return None


def touched_large_tables(app_label, operation) -> set[str]:
    """The large tables an operation would rewrite or lock (as "app.model")."""
    touched = set()
    if isinstance(operation, SAFE):
        return touched
    model_name = getattr(operation, "model_name", None) or getattr(operation, "name", None)
    own = f"{app_label}.{(model_name or '').lower()}"
    nullable_add = isinstance(operation, migrations.AddField) and operation.field.null
    if own in LARGE_TABLES and not nullable_add:
        touched.add(own)
    field = getattr(operation, "field", None)
    if field is not None:
        related = _related_model(field)
        if related and "." not in related:
            related = f"{app_label}.{related}"
        if related in LARGE_TABLES and own not in LARGE_TABLES:
            touched.add(related)
    if isinstance(operation, migrations.RunSQL):
        statements = operation.sql if isinstance(operation.sql, list | tuple) else [operation.sql]
        text = " ".join(str(s) for s in statements).lower()
        touched |= {label for label, table in LARGE_TABLES.items() if table in text}
    for inner in getattr(operation, "database_operations", []):  # SeparateDatabaseAndState
        touched |= touched_large_tables(app_label, inner)
    return touched


def unreviewed():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    found = []
    for (app_label, name), migration in sorted(loader.disk_migrations.items()):
        if (app_label, name) in BEFORE_THE_RULE:
            continue
        reviewed = getattr(migration, "reviewed_large_tables", {}) or {}
        # A table this migration creates is empty while it runs.
        created = {
            f"{app_label}.{op.name.lower()}"
            for op in migration.operations
            if isinstance(op, migrations.CreateModel)
        }
        for operation in migration.operations:
            for label in touched_large_tables(app_label, operation) - created:
                if not str(reviewed.get(label, "")).strip():
                    found.append(f"{app_label}.{name}: {operation.describe()} ({label})")
    return found


def test_no_migration_touches_a_large_table_unreviewed():
    assert unreviewed() == [], (
        "These migrations rewrite or lock a large table: check they are safe on millions "
        "of rows (docs/deploy.md, 'Upgrades') and say why in reviewed_large_tables."
    )


def test_the_rule_lists_only_migrations_that_exist():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    assert set(loader.disk_migrations) >= BEFORE_THE_RULE


def _field(**kwargs):
    from django.db import models

    return models.DecimalField(max_digits=6, decimal_places=1, **kwargs)


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        (migrations.AlterField("creditentry", "hours", _field()), {"credits.creditentry"}),
        (migrations.AddField("creditentry", "extra", _field(default=0)), {"credits.creditentry"}),
        (migrations.AddField("creditentry", "extra", _field(null=True)), set()),
        (migrations.RemoveField("creditentry", "title"), {"credits.creditentry"}),
        (migrations.RunSQL("UPDATE credits_creditentry SET title = ''"), {"credits.creditentry"}),
        (migrations.RunSQL("SELECT 1"), set()),
        (migrations.AlterField("creditclaim", "hours", _field()), set()),
        (migrations.AlterModelOptions("creditentry", {"ordering": ["-id"]}), set()),
    ],
)
def test_what_counts_as_touching_the_ledger(operation, expected):
    assert touched_large_tables("credits", operation) == expected


def test_an_index_counts_unless_built_concurrently():
    from django.db import models

    index = models.Index(fields=["earned_on"], name="credit_entry_earned")
    assert touched_large_tables("credits", migrations.AddIndex("creditentry", index)) == {
        "credits.creditentry"
    }
    assert touched_large_tables("credits", AddIndexConcurrently("creditentry", index)) == set()


def test_a_foreign_key_to_the_audit_log_locks_it():
    from django.db import models

    field = models.ForeignKey("core.AuditEntry", on_delete=models.PROTECT, null=True)
    assert touched_large_tables("credits", migrations.AddField("creditclaim", "audit", field)) == {
        "core.auditentry"
    }
