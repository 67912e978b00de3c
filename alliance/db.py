"""Database rules SQLite can only state as triggers.

PostgreSQL enforces "a room is never booked twice for overlapping times" and
"chair terms never overlap" with exclusion constraints (``models``). SQLite has
none, so the migration creates these triggers there instead. SQLite drops a
table's triggers when Django rebuilds the table (an ``AlterField`` on SQLite),
so a later migration that alters ``alliance_booking`` or ``alliance_chairterm``
must call ``install_sqlite_triggers`` again; the overlap tests catch a
forgotten one.
"""

# Times are compared as Julian days so that '2026-11-24 10:00:00' and
# '2026-11-24 10:00:00.000001' order correctly whatever their text format.
_BOOKING_OVERLAP = """
SELECT RAISE(ABORT, 'booking_no_overlap: the room is already booked for an overlapping time')
WHERE EXISTS (
    SELECT 1 FROM alliance_booking b
    WHERE b.room_id = NEW.room_id
      AND b.cancelled_at IS NULL
      AND b.id IS NOT NEW.id
      AND julianday(b.starts_at) < julianday(NEW.ends_at)
      AND julianday(NEW.starts_at) < julianday(b.ends_at)
);
"""

_TERM_OVERLAP = """
SELECT RAISE(ABORT, 'chair_term_no_overlap: chair terms cannot overlap')
WHERE EXISTS (
    SELECT 1 FROM alliance_chairterm t
    WHERE t.id IS NOT NEW.id
      AND t.starts_on <= NEW.ends_on
      AND NEW.starts_on <= t.ends_on
);
"""

TRIGGERS = {
    "alliance_booking_no_overlap_insert": (
        "BEFORE INSERT ON alliance_booking FOR EACH ROW WHEN NEW.cancelled_at IS NULL",
        _BOOKING_OVERLAP,
    ),
    "alliance_booking_no_overlap_update": (
        "BEFORE UPDATE ON alliance_booking FOR EACH ROW WHEN NEW.cancelled_at IS NULL",
        _BOOKING_OVERLAP,
    ),
    "alliance_chairterm_no_overlap_insert": (
        "BEFORE INSERT ON alliance_chairterm FOR EACH ROW",
        _TERM_OVERLAP,
    ),
    "alliance_chairterm_no_overlap_update": (
        "BEFORE UPDATE ON alliance_chairterm FOR EACH ROW",
        _TERM_OVERLAP,
    ),
}


def install_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, (when, body) in TRIGGERS.items():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


def remove_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
