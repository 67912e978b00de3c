"""A sync request's stored answer (``SyncRequest.response``, ~90 KB of JSON
for 1,000 rows) is compressed with lz4 instead of PostgreSQL's default pglz:
storing it cost the backend 1.10 ms a batch with pglz against 0.54 ms with
lz4 (14.4 KB stored against 12.2 KB; docs/benchmarks.md, "API batch sync").
Only values written after it are compressed so (no rewrite); skipped where
the server was built without lz4, and on other databases."""

from django.db import migrations

TABLE = "credits_syncrequest"


def _lz4_available(cursor) -> bool:
    cursor.execute(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def compress_with(method):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            if _lz4_available(cursor):
                cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN response SET COMPRESSION {method}")

    return run


class Migration(migrations.Migration):
    dependencies = [("credits", "0014_activity_teacher_unindexed")]

    operations = [
        migrations.RunPython(compress_with("lz4"), compress_with("pglz"), elidable=False),
    ]
