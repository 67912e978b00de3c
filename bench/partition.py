"""Partitioning the ledger, measured rather than guessed (issue 17, item 4):
``python -m bench --only partition`` (``--scale 10`` for the province).

Inside the bench database only, beside the real ledger (which is read, never
changed), it builds copies of ``credits_creditentry`` from its own rows
(``INSERT … SELECT``), each with the ledger's columns, check constraints and
the portal's indexes (read from ``pg_indexes``, so they follow the model):

* ``plain``: one table, the ledger as it is (the floor);
* ``cycle``: ``PARTITION BY RANGE (earned_on)``, one partition per 5-year
  policy cycle (the closed cycles of the data, the current one, the next);
* ``district``: ``PARTITION BY LIST (district_id)``, one partition a district
  (optional: ``--partition-layouts cycle``).

PostgreSQL requires a unique index of a partitioned table to contain the
partition key, so on the partitioned copies the primary key becomes
``(id, key)`` and each unique index gets the key appended — which is the
constraint lost (see docs/benchmarks.md). The outgoing foreign keys (teacher,
district, registering user) are added to every copy and validated
(PostgreSQL 15 refuses ``NOT VALID`` on a partitioned table); the
self-reference ``reverses`` only to the plain copy (to a partitioned table it
would need the reversed entry's key too).

Then on each copy, the same statements, timed: the teacher page's reads (the
cycle summary over the covering index and the history's first page), the
district feed (``updated_since``: the count and the first page of 500), a
balance rebuild for one district's teachers (the aggregate of
``rebuild_balances``), ``COPY`` in committed 1,000-row batches, ``VACUUM``
after them, an aggressive ``VACUUM (FREEZE)`` (what anti-wraparound costs),
and archiving the closed cycle (``DETACH PARTITION`` against ``DELETE`` and
the ``VACUUM`` that makes the space reusable). Each figure is printed beside
the plain copy's (the floor) with the ratio. The copies are dropped after.
"""

from __future__ import annotations

import datetime
import random
import re
import time

from bench.run import COPY_COLUMNS as COPY_COLUMNS_OF_THE_SYNC
from bench.run import _ratio, _stats

PREFIX = "bench_part_"
LEDGER = "credits_creditentry"
KEYS = {"cycle": "earned_on", "district": "district_id"}
FEED_PAGE = 500
FEED_DAYS = 7


def _cursor():
    from django.db import connection

    return connection.cursor()


def _exec(sql: str, params=None):
    with _cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.description is not None:
            return cursor.fetchall()
    return None


def _seconds(sql: str) -> float:
    """Seconds to execute one statement."""
    started = time.perf_counter()
    _exec(sql)
    return round(time.perf_counter() - started, 3)


def _can_vacuum() -> bool:
    from django.db import connection

    return not connection.in_atomic_block  # VACUUM cannot run in a transaction (tests)


def cycles(policy, first: datetime.date, last: datetime.date) -> list[tuple]:
    """``[start, end)`` bounds of the policy's cycles covering ``first``..
    ``last`` and one cycle ahead (written before it starts)."""
    years = policy.cycle_end.year - policy.cycle_start.year + 1
    start = policy.cycle_start
    while start > first:
        start = start.replace(year=start.year - years)
    bounds = []
    horizon = max(last, policy.cycle_end)
    while True:
        end = start.replace(year=start.year + years)
        bounds.append((start, end))
        if start > horizon:
            return bounds
        start = end


def ledger_indexes() -> list[tuple[str, bool, str, str]]:
    """The ledger's indexes but its primary key: (name, unique, columns, where)."""
    out = []
    pattern = re.compile(
        r"CREATE (UNIQUE )?INDEX (\S+) ON \S+ USING btree \((.*?)\)(?: WHERE (.*))?$"
    )
    for name, definition in _exec(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname",
        [LEDGER],
    ):
        if name == f"{LEDGER}_pkey":
            continue
        match = pattern.match(definition)
        if not match:
            raise RuntimeError(f"unexpected index definition: {definition}")
        out.append((name, bool(match.group(1)), match.group(3), match.group(4) or ""))
    return out


def sizes(table: str) -> dict:
    """Heap, indexes and total of a table and its partitions, in MB."""
    heap, index, total = _exec(
        "SELECT SUM(pg_relation_size(r)), SUM(pg_indexes_size(r)), SUM(pg_total_relation_size(r)) "
        "FROM (SELECT relid AS r FROM pg_partition_tree(%s) UNION SELECT %s::regclass) t",
        [table, table],
    )[0]
    mb = 1024 * 1024
    return {
        "heap_mb": round(heap / mb, 1),
        "index_mb": round(index / mb, 1),
        "total_mb": round(total / mb, 1),
    }


def build(layout: str, bounds: list[tuple], districts: list[int]) -> dict:
    """Create the copy ``bench_part_<layout>`` from the ledger's rows: the
    table (partitions), the rows, the indexes and keys, then VACUUM ANALYZE."""
    table = PREFIX + layout
    key = KEYS.get(layout)
    columns = ", ".join(
        c
        for (c,) in _exec(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "ORDER BY ordinal_position",
            [LEDGER],
        )
    )
    drop(layout)
    figures: dict = {"table": table}
    partitions: list[str] = []
    started = time.perf_counter()
    _exec(f"CREATE SEQUENCE {table}_id")
    _exec(
        f"CREATE TABLE {table} (LIKE {LEDGER} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        + (f" PARTITION BY {'RANGE' if layout == 'cycle' else 'LIST'} ({key})" if key else "")
    )
    _exec(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id')")
    if layout == "cycle":
        for start, end in bounds:
            name = f"{table}_{start.year}"
            _exec(
                f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES FROM (%s) TO (%s)",
                [start, end],
            )
            partitions.append(name)
    elif layout == "district":
        for pk in districts:
            name = f"{table}_{pk}"
            _exec(f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES IN ({int(pk)})")
            partitions.append(name)
    figures["partitions"] = partitions
    _exec(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {LEDGER}")
    _exec(f"SELECT setval('{table}_id', (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}))")
    figures["insert_s"] = round(time.perf_counter() - started, 2)

    started = time.perf_counter()
    _exec("SET maintenance_work_mem = '256MB'")
    _exec(f"ALTER TABLE {table} ADD PRIMARY KEY (id{', ' + key if key else ''})")
    for i, (_name, unique, cols, where) in enumerate(ledger_indexes()):
        if unique and key and key not in [c.strip() for c in cols.split(",")]:
            cols = f"{cols}, {key}"  # PostgreSQL: a unique index must hold the partition key
        _exec(
            f"CREATE {'UNIQUE ' if unique else ''}INDEX {table}_i{i} ON {table} ({cols})"
            + (f" WHERE {where}" if where else "")
        )
    _exec("RESET maintenance_work_mem")
    figures["index_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    for column, target in (
        ("teacher_id", "centers_teacher"),
        ("district_id", "centers_district"),
        ("registered_by_id", "core_user"),
    ) + ((("reverses_id", table),) if not key else ()):
        # Validated (PostgreSQL 15 refuses NOT VALID on a partitioned table).
        _exec(
            f"ALTER TABLE {table} ADD FOREIGN KEY ({column}) REFERENCES {target} (id) "
            "DEFERRABLE INITIALLY DEFERRED"
        )
    figures["fk_s"] = round(time.perf_counter() - started, 2)
    if _can_vacuum():
        figures["vacuum_analyze_s"] = _seconds(f"VACUUM (ANALYZE) {table}")
    else:
        _exec(f"ANALYZE {table}")
    figures["size"] = sizes(table)
    return figures


def drop(layout: str) -> None:
    from django.db import connection

    table = PREFIX + layout
    if connection.in_atomic_block:  # a test: the deferred key checks run before the drop
        _exec("SET CONSTRAINTS ALL IMMEDIATE")
    _exec(f"DROP TABLE IF EXISTS {table} CASCADE")
    # A partition detached by ``archive`` is a table of its own now.
    for (name,) in _exec(
        "SELECT tablename FROM pg_tables WHERE tablename LIKE %s", [f"{table}\\_%"]
    ):
        _exec(f"DROP TABLE IF EXISTS {name}")
    _exec(f"DROP SEQUENCE IF EXISTS {table}_id")


# --- The reads -------------------------------------------------------------------------------


def teacher_read(table: str, teacher_id: int, cycle: tuple) -> None:
    """The teacher page's two ledger reads: the cycle's hours per category
    (index-only over the covering index) and the history's first page."""
    with _cursor() as cursor:
        cursor.execute(
            f"SELECT category, SUM(hours), COUNT(*) FROM {table} "
            "WHERE teacher_id = %s AND earned_on >= %s AND earned_on < %s GROUP BY category",
            [teacher_id, cycle[0], cycle[1]],
        )
        cursor.fetchall()
        cursor.execute(
            f"SELECT * FROM {table} WHERE teacher_id = %s ORDER BY earned_on DESC, id DESC "
            "LIMIT 20",
            [teacher_id],
        )
        cursor.fetchall()


def district_feed(table: str, district_id: int, since) -> None:
    """``GET /api/v1/credits/entries/?updated_since=`` for a district: the
    page's count and its first page (ordered by id)."""
    with _cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE district_id = %s AND updated_at >= %s",
            [district_id, since],
        )
        cursor.fetchall()
        cursor.execute(
            f"SELECT * FROM {table} WHERE district_id = %s AND updated_at >= %s "
            f"ORDER BY id LIMIT {FEED_PAGE}",
            [district_id, since],
        )
        cursor.fetchall()


def rebuild_sql(table: str, *, by_entry: bool) -> str:
    """``rebuild_balances``' aggregate for one district: by its teachers (what
    a balance needs: a teacher who moved keeps entries of the old district),
    or, ``by_entry``, by the entries' district column."""
    from credits.models import Category

    by_category = ", ".join(
        f"ROUND(SUM(CASE WHEN e.category = '{c}' THEN e.hours ELSE 0 END), 1)"
        for c in Category.values
    )
    where = (
        "e.district_id = %s"
        if by_entry
        else "e.teacher_id IN (SELECT id FROM centers_teacher WHERE district_id = %s)"
    )
    return (
        f"SELECT e.teacher_id, ROUND(SUM(e.hours), 1), {by_category} FROM {table} e "
        f"WHERE {where} AND e.earned_on >= %s AND e.earned_on < %s GROUP BY e.teacher_id"
    )


def rebuild(table: str, district_id: int, cycle: tuple, *, by_entry: bool = False) -> int:
    with _cursor() as cursor:
        cursor.execute(rebuild_sql(table, by_entry=by_entry), [district_id, cycle[0], cycle[1]])
        return len(cursor.fetchall())


# --- The writes and the maintenance -----------------------------------------------------------

# The sync benchmark's columns (``bench.run.COPY_COLUMNS``) but the poster: these
# batches are posted by no one (``registered_by`` is filled as null).
COPY_COLUMNS = [c for c in COPY_COLUMNS_OF_THE_SYNC if c != "registered_by_id"]


def batch_rows(teachers: list[tuple], *, batches: int, size: int, cycle: tuple, seed: int = 11):
    """``batches`` lists of ``size`` ledger rows of the current cycle, for
    random (teacher, district) pairs, tagged ``bench-part-``."""
    from django.utils import timezone

    from credits.models import OrgKind

    rng = random.Random(seed)
    now = timezone.now()
    today = min(timezone.localdate(), cycle[1] - datetime.timedelta(days=1))
    span = max(1, min(600, (today - cycle[0]).days))
    kinds = [
        ("online", "it"),
        ("external", "subject"),
        ("school_based", "school_based"),
        ("external", "ethics"),
    ]
    out = []
    for b in range(batches):
        rows = []
        for i in range(size):
            teacher, district = rng.choice(teachers)
            source, category = kinds[(b + i) % len(kinds)]
            key = f"bench.part:{b}-{i}" if i % 5 == 0 else ""
            rows.append(
                (
                    teacher,
                    district,
                    source,
                    category,
                    f"{rng.randint(1, 16) / 2:.1f}",
                    (today - datetime.timedelta(days=rng.randint(0, span))).isoformat(),
                    "省级教师教育网络研修",
                    f"证书 {b}-{i}",
                    key,
                    1 if key else 0,
                    f"bench-part-{b}-{i}",
                    OrgKind.SYSTEM,
                    "区教师发展中心",
                    now,
                    now,
                )
            )
        out.append(rows)
    return out


def copy_batch(table: str, rows: list[tuple]) -> float:
    """Seconds to load one batch by ``COPY`` in its own committed transaction."""
    from django.db import connection, transaction

    from bench.generate import Loader
    from credits.models import CreditEntry

    loader = Loader(connection)
    columns, filler = loader.columns(CreditEntry, COPY_COLUMNS)
    started = time.perf_counter()
    with transaction.atomic():
        loader.copy(table, columns, [r + filler for r in rows])
    return time.perf_counter() - started


def remove_batches(table: str) -> int:
    with _cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE external_id LIKE 'bench-part-%%'")
        return cursor.rowcount


def current_partition(layout: str, cycle: tuple) -> str:
    table = PREFIX + layout
    return f"{table}_{cycle[0].year}" if layout == "cycle" else table


def archive(layout: str, closed: tuple) -> dict:
    """Take the closed cycle out of the ledger: ``DETACH PARTITION`` where
    the cycle is a partition, else ``DELETE`` and the ``VACUUM`` that makes
    its space reusable."""
    table = PREFIX + layout
    if layout == "cycle":
        name = f"{table}_{closed[0].year}"
        rows = _exec(f"SELECT COUNT(*) FROM {name}")[0][0]
        seconds = _seconds(f"ALTER TABLE {table} DETACH PARTITION {name}")
        return {"how": "DETACH PARTITION", "rows": rows, "seconds": seconds, "vacuum_s": 0.0}
    with _cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(f"DELETE FROM {table} WHERE earned_on < %s", [closed[1]])
        seconds = time.perf_counter() - started
        rows = cursor.rowcount
    vacuum_s = _seconds(f"VACUUM {table}") if _can_vacuum() else None
    return {"how": "DELETE", "rows": rows, "seconds": round(seconds, 3), "vacuum_s": vacuum_s}


# --- The run -----------------------------------------------------------------------------------


def measure_partition(
    *,
    layouts: tuple[str, ...] = ("cycle", "district"),
    teachers: int = 50,
    rounds: int = 3,
    batches: int = 20,
    batch_size: int = 1000,
    rebuild_districts: int = 3,
    keep: bool = False,
    log=print,
) -> dict:
    """Build the copies, measure each, drop them (unless ``keep``)."""
    from django.db import connection

    from centers.models import District, Teacher
    from credits.services import policy_for

    if connection.vendor != "postgresql":
        return {}
    policy = policy_for(None)
    first, last, newest = _exec(
        f"SELECT MIN(earned_on), MAX(earned_on), MAX(updated_at) FROM {LEDGER}"
    )[0]
    bounds = cycles(policy, first, last)
    current = next(b for b in bounds if b[0] <= policy.cycle_start < b[1])
    closed = [b for b in bounds if b[1] <= current[0]]
    district_ids = list(District.objects.order_by("pk").values_list("pk", flat=True))
    rng = random.Random(17)
    sample = (
        rng.sample(list(Teacher.objects.order_by("pk").values_list("pk", flat=True)), teachers)
        if Teacher.objects.count() >= teachers
        else list(Teacher.objects.values_list("pk", flat=True))
    )
    pairs = list(Teacher.objects.filter(is_active=True).values_list("pk", "district_id"))
    big = [
        d
        for d, _n in sorted(
            _exec("SELECT district_id, COUNT(*) FROM centers_teacher GROUP BY 1"),
            key=lambda r: -r[1],
        )
    ]
    rebuild_ids = [
        big[len(big) * k // max(1, rebuild_districts)]
        for k in range(min(rebuild_districts, len(big)))
    ]
    since = newest - datetime.timedelta(days=FEED_DAYS)
    rows = batch_rows(pairs, batches=batches, size=batch_size, cycle=current)

    result: dict = {
        "ledger": sizes(LEDGER),
        "rows": _exec(f"SELECT COUNT(*) FROM {LEDGER}")[0][0],
        "cycles": [(s.isoformat(), e.isoformat()) for s, e in bounds],
        "current_cycle": (current[0].isoformat(), current[1].isoformat()),
        "teachers_sampled": len(sample),
        "rebuild_districts": rebuild_ids,
        "feed_since": since.isoformat(),
        "layouts": {},
    }
    names = ("plain", *layouts)
    try:
        for layout in names:
            log(f"  building {PREFIX}{layout}…")
            built = result["layouts"][layout] = build(layout, bounds, district_ids)
            log(
                f"    rows {built['insert_s']} s, indexes {built['index_s']} s, "
                f"foreign keys {built['fk_s']} s, vacuum {built.get('vacuum_analyze_s')} s"
            )
        # Reads, interleaved: each teacher (district) on every copy in turn,
        # the copies' order rotated, so the machine's noise falls on all alike.
        for layout in names:
            for t in sample[:5]:
                teacher_read(PREFIX + layout, t, current)
        reads: dict = {layout: {} for layout in names}
        kinds = (
            ("teacher", sample, lambda x, t: teacher_read(x, t, current)),
            ("feed", district_ids, lambda x, d: district_feed(x, d, since)),
            ("rebuild", rebuild_ids, lambda x, d: rebuild(x, d, current)),
            ("rebuild_entry", rebuild_ids, lambda x, d: rebuild(x, d, current, by_entry=True)),
        )
        turn = 0
        for _ in range(rounds):
            for kind, items, fn in kinds:
                for item in items:
                    turn += 1
                    for layout in names[turn % len(names) :] + names[: turn % len(names)]:
                        started = time.perf_counter()
                        fn(PREFIX + layout, item)
                        spent = time.perf_counter() - started
                        reads[layout].setdefault(kind, []).append(spent)
        for layout in names:
            for kind, samples in reads[layout].items():
                result["layouts"][layout][kind] = _stats(samples)
        log("  COPY batches, VACUUM, archiving…")
        copies: dict = {layout: [] for layout in names}
        for b, batch in enumerate(rows):
            for layout in names[b % len(names) :] + names[: b % len(names)]:
                copies[layout].append(copy_batch(PREFIX + layout, batch))
        for layout in names:
            table = PREFIX + layout
            figures = result["layouts"][layout]
            figures["copy"] = _stats(copies[layout])
            figures["copy"]["entries_per_s"] = round(
                batch_size * len(copies[layout]) / sum(copies[layout])
            )
            figures["removed"] = remove_batches(table)
            if _can_vacuum():
                part = current_partition(layout, current)
                figures["vacuum_current_s"] = _seconds(f"VACUUM {part}")
                figures["freeze_current_s"] = _seconds(f"VACUUM (FREEZE) {part}")
            if closed:
                figures["archive"] = archive(layout, closed[-1])
        for layout in layouts:
            figures, plain = result["layouts"][layout], result["layouts"]["plain"]
            ratios = {}
            for name in ("teacher", "feed", "rebuild", "rebuild_entry", "copy"):
                ratios[name] = _ratio(figures[name]["median_ms"], plain[name]["median_ms"])
            for name in ("insert_s", "index_s", "fk_s", "vacuum_current_s", "freeze_current_s"):
                if name in figures:
                    ratios[name] = _ratio(figures[name], plain[name])
            if "archive" in figures:
                ratios["archive"] = _fine_ratio(
                    figures["archive"]["seconds"] + (figures["archive"]["vacuum_s"] or 0),
                    plain["archive"]["seconds"] + (plain["archive"]["vacuum_s"] or 0),
                )
            figures["ratio_to_plain"] = ratios
    finally:
        if not keep:
            for layout in names:
                drop(layout)
    return result


def _fine_ratio(measured, floor):
    return round(measured / floor, 4) if floor else None


def report_rows(p: dict) -> list[tuple[str, str, str, None]]:
    """Rows for bench.run's table: each figure on the plain copy (floor) and
    on each partitioned copy, with the ratio to the plain one."""
    if not p:
        return []
    rows = []
    led = p["ledger"]
    rows.append(
        (
            f"Ledger ({p['rows']:,} rows): heap / indexes / total",
            f"{led['heap_mb']:,} / {led['index_mb']:,} / {led['total_mb']:,} MB",
            "(size)",
            None,
        )
    )
    plain = p["layouts"]["plain"]
    labels = (
        ("teacher", "Teacher page's ledger reads (summary + history), median", "ms"),
        ("feed", f"District feed, updated_since {FEED_DAYS} days (count + {FEED_PAGE})", "ms"),
        ("rebuild", "Balance rebuild, one district's teachers", "ms"),
        ("rebuild_entry", "  same by the entries' district column", "ms"),
        ("copy", "COPY, committed 1,000-row batch, median", "ms"),
    )
    for key, label, _unit in labels:
        rows.append((label + ", plain", f"{plain[key]['median_ms']} ms", "(floor)", None))
        for layout, figures in p["layouts"].items():
            if layout == "plain":
                continue
            rows.append(
                (
                    f"  by {layout}",
                    f"{figures[key]['median_ms']} ms",
                    f"{figures['ratio_to_plain'][key]}× plain",
                    None,
                )
            )
    for key, label in (
        ("insert_s", "Copy built: INSERT … SELECT of every row"),
        ("index_s", "  its keys and indexes"),
        ("fk_s", "  its foreign keys, validated"),
        ("vacuum_current_s", "VACUUM of the current cycle after the batches"),
        ("freeze_current_s", "VACUUM (FREEZE) of the current cycle"),
    ):
        if key not in plain:
            continue
        rows.append((label + ", plain", f"{plain[key]} s", "(floor)", None))
        for layout, figures in p["layouts"].items():
            if layout != "plain":
                rows.append(
                    (
                        f"  by {layout}",
                        f"{figures[key]} s",
                        f"{figures['ratio_to_plain'][key]}× plain",
                        None,
                    )
                )
    if "archive" in plain:
        for layout, figures in p["layouts"].items():
            a = figures["archive"]
            rows.append(
                (
                    f"Archive the closed cycle, {layout}: {a['how']}",
                    f"{a['seconds']} s + VACUUM {a['vacuum_s']} s ({a['rows']:,} rows)",
                    "(floor)"
                    if layout == "plain"
                    else f"{figures['ratio_to_plain']['archive']}× plain",
                    None,
                )
            )
    for layout, figures in p["layouts"].items():
        s = figures["size"]
        rows.append(
            (
                f"Copy {layout}: heap / indexes / total",
                f"{s['heap_mb']:,} / {s['index_mb']:,} / {s['total_mb']:,} MB",
                "(size)",
                None,
            )
        )
    return rows
