"""The activities' index on ``teacher`` goes: the unique (teacher, key) index
starts with the same column and serves every read by teacher (the activity
lock and look-ups name both columns; Django's ``PROTECT`` query and
PostgreSQL's check when a teacher is deleted name the teacher alone, which
the unique index's first column bounds). Every new activity wrote both
(docs/benchmarks.md, "The ledger's indexes"). Dropped ``CONCURRENTLY`` on
PostgreSQL, like migration 0012."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

DropIndexConcurrently = importlib.import_module(
    "credits.migrations.0012_entry_registered_by_unindexed"
).DropIndexConcurrently

INDEX = "credits_creditactivity_teacher_id_f2b80e25"


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("centers", "0011_appointment_withdrawn_declined"),
        ("credits", "0013_entry_order_and_activity_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="creditactivity",
                    name="teacher",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="centers.teacher",
                        verbose_name="teacher",
                    ),
                ),
            ],
            database_operations=[
                DropIndexConcurrently(INDEX, "credits_creditactivity", "teacher_id"),
            ],
        ),
    ]
