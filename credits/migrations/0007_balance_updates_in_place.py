"""Balances are updated by every batch (one row per teacher of the batch):
leave room on each page so PostgreSQL updates them in place (HOT updates,
no index writes), and drop the index on ``policy`` alone, which the unique
(policy, teacher) index already serves."""

import django.db.models.deletion
from django.db import migrations, models

BALANCE_FILLFACTOR = 50


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE credits_creditbalance SET (fillfactor = {BALANCE_FILLFACTOR})"
        )


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE credits_creditbalance RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("credits", "0006_credit_balances"),
    ]

    operations = [
        migrations.AlterField(
            model_name="creditbalance",
            name="policy",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="credits.creditpolicy",
                verbose_name="policy",
            ),
        ),
        migrations.RunPython(set_fillfactor, reset_fillfactor),
    ]
