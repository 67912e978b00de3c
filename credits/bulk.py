"""Set-based reads and writes behind the ledger's batch paths (district
sync, bulk awards, balances): one statement per step, whatever the number of
rows.

On PostgreSQL they pass the rows as arrays (``unnest``, ``= ANY``) and write
new entries with ``COPY``; on other databases (SQLite in development and in
the default test run) they use the ORM. ``services`` holds the rules, the
order of the steps and the transaction; these functions only read and write,
inside the caller's transaction.

Measured on the city-size bench database (docs/benchmarks.md), per batch of
1,000 entries: ``COPY`` with ids from the sequence 23 ms against 90 ms for
``bulk_create``; the activities' update through ``unnest`` 3.6 ms against
47 ms for ``bulk_update``.
"""

from __future__ import annotations

import io
import re
import time
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from centers.models import Teacher

from .models import (
    Category,
    CreditActivity,
    CreditBalance,
    CreditEntry,
    CreditPolicy,
    EntryStatus,
    category_hours_field,
)

BALANCE_CHUNK = 1000  # 10,000 parameters: within SQLite ≥ 3.32 limits (32,766)

# The columns of a new entry, in the order ``insert_entries`` takes its rows.
ENTRY_ROW = (
    "teacher_id",
    "district_id",
    "source",
    "category",
    "hours",
    "earned_on",
    "title",
    "evidence",
    "activity_key",
    "generation",
    "external_id",
)
# Written with every row of a batch: the same values for all of them.
ENTRY_COMMON = (
    "registered_by_id",
    "org_kind",
    "org_name",
    "created_at",
    "updated_at",
    "reverses_id",
    "reason",
    "status",
)
ENTRY_COPY_COLUMNS = ("id", *ENTRY_ROW, *ENTRY_COMMON)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- Reads --------------------------------------------------------------------------


def teachers(district_id, external_ids) -> dict[str, tuple[int, int]]:
    """The district's teachers by their district-system id: (id, school id)."""
    external_ids = sorted(set(external_ids))
    if not is_postgres():
        return {
            ext: (pk, school)
            for ext, pk, school in Teacher.objects.filter(
                district_id=district_id, external_id__in=external_ids
            )
            .exclude(external_id="")
            .values_list("external_id", "pk", "school_id")
        }
    # ``external_id <> ''`` lets PostgreSQL use the partial unique index on
    # (district, external id): it cannot infer it from a long ``IN`` list.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT external_id, id, school_id FROM {Teacher._meta.db_table} "
            "WHERE district_id = %s AND external_id <> '' "
            "AND external_id = ANY(%s::varchar[])",
            [district_id, array(external_ids)],
        )
        return {ext: (pk, school) for ext, pk, school in cursor.fetchall()}


def sent_entries(district_id, external_ids) -> dict[str, int]:
    """The entries the district already sent under these ids."""
    external_ids = sorted(set(external_ids))
    if not is_postgres():
        # The exclusion matches the partial unique index's condition, so the
        # index serves the look-up (a plain ``IN`` of 1,000 ids scanned
        # every entry of the district: 67 ms → 5 ms on the bench data).
        return dict(
            CreditEntry.objects.filter(district_id=district_id, external_id__in=external_ids)
            .exclude(external_id="")
            .values_list("external_id", "pk")
        )
    return _pairs(
        f"SELECT external_id, id FROM {CreditEntry._meta.db_table} "
        "WHERE district_id = %s AND external_id <> '' AND external_id = ANY(%s::varchar[])",
        [district_id, array(external_ids)],
    )


def array(values) -> str:
    """A PostgreSQL array literal (``'{1,2,3}'``) to pass as one parameter
    and cast (``%s::bigint[]``): the server reads it in one go, where a list
    adapted by the driver becomes one expression per element to build, parse
    and plan (10 ms against 3.6 ms for three arrays of 1,000 values). The
    values of one array share a type (numbers, text, dates); each distinct
    date or decimal is written once."""
    values = list(values)
    if not values:
        return "{}"
    if any(v is None for v in values):  # not ``None in``: Decimal == None is slow
        return "{" + ",".join("NULL" if v is None else _array_item(v) for v in values) + "}"
    first = values[0]
    if isinstance(first, str):
        every = "".join(values)  # escape only when some value needs it
        if "\\" in every or '"' in every:
            values = [v.replace("\\", "\\\\").replace('"', '\\"') for v in values]
        return '{"' + '","'.join(values) + '"}'
    if isinstance(first, int):
        return "{" + ",".join(map(str, values)) + "}"
    return "{" + ",".join(texts(values, _array_item)) + "}"


def texts(values, to_text) -> list[str]:
    """``to_text`` of each value, computed once per distinct value (a batch
    repeats a few hundred dates and a dozen hours)."""
    known = {v: to_text(v) for v in set(values)}
    return [known[v] for v in values]


def _array_item(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _pairs(sql, params) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


# --- Activities ---------------------------------------------------------------------


def claim_activities(claims) -> dict[tuple[int, str], tuple]:
    """Create the missing ``CreditActivity`` rows of ``claims`` ({(teacher
    id, activity key): the new entry's id, or None when it is not known
    yet}) and lock the existing ones, always in the same order (so two
    batches never wait on each other crosswise). A row created here already
    points at its claim's entry (generation 1): the entry is written later
    in the same transaction (the foreign key is checked at the commit).
    Returns, per pair, ``(activity id, counting entry id or None,
    generation, created here)``."""
    pairs = sorted(claims)
    if not pairs:
        return {}
    if not is_postgres():
        found = {
            (t, k): (pk, e, g, False)
            for t, k, pk, e, g in CreditActivity.objects.select_for_update()
            .filter(teacher_id__in={t for t, _k in pairs}, key__in={k for _t, k in pairs})
            .order_by("teacher_id", "key")
            .values_list("teacher_id", "key", "pk", "entry_id", "generation")
            if (t, k) in claims
        }
        new = [
            CreditActivity(
                teacher_id=t, key=k, entry_id=claims[(t, k)], generation=int(bool(claims[(t, k)]))
            )
            for t, k in pairs
            if (t, k) not in found
        ]
        for activity in CreditActivity.objects.bulk_create(new):
            pair = (activity.teacher_id, activity.key)
            found[pair] = (activity.pk, activity.entry_id, activity.generation, True)
        return found
    table = CreditActivity._meta.db_table
    with connection.cursor() as cursor:
        # One statement creates the missing rows and locks the others, in the
        # sorted order above (Python's: by code point), so two batches never
        # wait on each other crosswise: ``ON CONFLICT DO UPDATE`` locks each
        # row it meets (FOR UPDATE, after a concurrent writer's commit) even
        # when its ``WHERE false`` leaves the row as it is. Only new rows come
        # back; the others, locked now, are read after it.
        cursor.execute(
            f"INSERT INTO {table} AS a (teacher_id, key, entry_id, generation) "
            "SELECT v.t, v.k, v.e, CASE WHEN v.e IS NULL THEN 0 ELSE 1 END "
            "FROM unnest(%s::bigint[], %s::varchar[], %s::bigint[]) "
            "WITH ORDINALITY AS v(t, k, e, n) ORDER BY v.n "
            "ON CONFLICT (teacher_id, key) DO UPDATE SET generation = a.generation WHERE false "
            "RETURNING a.teacher_id, a.key, a.id, a.entry_id, a.generation",
            [
                array(t for t, _k in pairs),
                array(k for _t, k in pairs),
                array(claims[pair] for pair in pairs),
            ],
        )
        found = {(t, k): (pk, e, g, True) for t, k, pk, e, g in cursor.fetchall()}
        if len(found) < len(pairs):
            known = [pair for pair in pairs if pair not in found]
            cursor.execute(
                f"SELECT a.teacher_id, a.key, a.id, a.entry_id, a.generation FROM {table} a "
                "JOIN unnest(%s::bigint[], %s::varchar[]) AS v(t, k) "
                "ON a.teacher_id = v.t AND a.key = v.k",
                [array(t for t, _k in known), array(k for _t, k in known)],
            )
            found.update({(t, k): (pk, e, g, False) for t, k, pk, e, g in cursor.fetchall()})
        return found


def set_counting_entries(changes) -> None:
    """Point locked activities at the entry that now counts for them:
    ``changes`` holds (activity id, entry id, generation)."""
    if not changes:
        return
    if not is_postgres():
        CreditActivity.objects.bulk_update(
            [CreditActivity(pk=a, entry_id=e, generation=g) for a, e, g in changes],
            ["entry", "generation"],
        )
        return
    ids, entries, generations = (array(column) for column in zip(*changes, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {CreditActivity._meta.db_table} AS a "
            "SET entry_id = v.e, generation = v.g "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) AS v(id, e, g) "
            "WHERE a.id = v.id",
            [ids, entries, generations],
        )


# --- Entries ----------------------------------------------------------------------------


def reserve_entry_ids(n) -> list[int] | None:
    """``n`` ids for entries still to write (PostgreSQL: from the ledger's
    sequence, one statement), so that rows written before them (activities)
    can point at them; None elsewhere, where the ids come with the insert."""
    if not is_postgres() or not n:
        return None
    return next_ids(CreditEntry._meta.db_table, n)


def insert_entries(rows, *, registered_by_id, org_kind, org_name, ids=None, now=None) -> list[int]:
    """Append new entries (tuples in ``ENTRY_ROW`` order, checked by the
    caller) and return their ids in the same order: ``ids`` when the caller
    reserved them (``reserve_entry_ids``). PostgreSQL: the ids come from the
    table's sequence in one statement and the rows go in with one ``COPY``;
    the database still checks every constraint and index (a repeated
    external id raises IntegrityError as an INSERT would)."""
    if not rows:
        return []
    now = now or timezone.now()
    if not is_postgres():
        entries = [
            CreditEntry(
                **dict(zip(ENTRY_ROW, row, strict=True)),
                id=None if ids is None else ids[n],
                registered_by_id=registered_by_id,
                org_kind=org_kind,
                org_name=org_name,
                created_at=now,
                updated_at=now,
            )
            for n, row in enumerate(rows)
        ]
        CreditEntry.objects.bulk_create(entries, batch_size=1000)
        return [entry.pk for entry in entries]
    table = CreditEntry._meta.db_table
    if ids is None:
        ids = next_ids(table, len(rows))
    stamp = now.isoformat()
    tail = "\t".join(
        [
            _copy_value(registered_by_id),
            _copy_text(org_kind),
            _copy_text(org_name),
            stamp,
            stamp,
            r"\N",
            "",
            EntryStatus.POSTED,
        ]
    )
    # Source and category are choices; the free texts are escaped for COPY
    # only when one of them holds a character COPY reads specially.
    teacher, district, source, category, hours, earned_on, title, evidence, key, gen, ext = zip(
        *rows, strict=True
    )
    free = (title, evidence, key, ext)
    if any(_NEEDS_ESCAPE.search("".join(column)) for column in free):
        title, evidence, key, ext = ([_copy_text(v) for v in column] for column in free)
    lines = [
        f"{columns}\t{tail}\n"
        for columns in map(
            "\t".join,
            zip(
                map(str, ids),
                map(str, teacher),
                map(str, district),
                source,
                category,
                texts(hours, str),
                texts(earned_on, _iso),
                title,
                evidence,
                key,
                map(str, gen),
                ext,
                strict=True,
            ),
        )
    ]
    copy_from(table, ENTRY_COPY_COLUMNS, "".join(lines))
    return ids


def next_ids(table, n) -> list[int]:
    """``n`` new ids from the table's sequence, in one statement. The
    sequence is looked up once (a CTE the planner cannot inline): called per
    row, ``pg_get_serial_sequence`` made 1,000 ids cost 12–20 ms, not 0.5."""
    with connection.cursor() as cursor:
        # One array, not 1,000 one-column rows: one value to send and parse.
        cursor.execute(
            "WITH s AS MATERIALIZED "
            "(SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) "
            "SELECT array_agg(nextval(s.seq)) FROM s, generate_series(1, %s)",
            [table, n],
        )
        return cursor.fetchone()[0]


def _iso(value) -> str:
    return value.isoformat()


_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


def _copy_value(value) -> str:
    return r"\N" if value is None else _copy_text(str(value))


def copy_from(table, columns, data: str) -> None:
    """``COPY table (columns) FROM STDIN`` (text format) in the current
    transaction. Database errors come out as Django's (IntegrityError…), and
    the statement is logged like a query when queries are (DEBUG, tests)."""
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    statement = f"COPY {table} ({cols}) FROM STDIN"
    started = time.monotonic()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(statement, io.StringIO(data), size=1 << 20)
        else:  # psycopg 3
            with raw.copy(statement) as copy:
                copy.write(data)
    if connection.queries_logged:
        connection.queries_log.append(
            {
                "sql": f"{statement} -- {data.count(chr(10))} rows",
                "time": "%.3f" % (time.monotonic() - started),
            }
        )


# --- Balances ---------------------------------------------------------------------------


def add_to_balances(lines) -> None:
    """Add (teacher id, earned on, hours, category) lines — new entries,
    reversals negative — to the balance (in all and in the line's category's
    column) of every active policy whose cycle holds the date: one upsert
    (PostgreSQL: for any number of lines, the policies joined in the
    statement), in a fixed order (policy, teacher) so concurrent writers
    never wait on each other crosswise."""
    lines = list(lines)
    if not lines:
        return
    table = CreditBalance._meta.db_table
    columns = [category_hours_field(c) for c in Category.values]
    now = timezone.now()
    if is_postgres():
        teachers, dates, hours, categories = (array(column) for column in zip(*lines, strict=True))
        by_category = ", ".join(
            f"COALESCE(SUM(v.h) FILTER (WHERE v.c = '{c}'), 0)" for c in Category.values
        )
        updates = ", ".join(f"{col} = b.{col} + EXCLUDED.{col}" for col in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} AS b (policy_id, teacher_id, hours, {', '.join(columns)}, "
                "updated_at) "
                f"SELECT p.id, v.t, SUM(v.h), {by_category}, %s "
                "FROM unnest(%s::bigint[], %s::date[], %s::numeric[], %s::varchar[]) "
                "AS v(t, d, h, c) "
                f"JOIN {CreditPolicy._meta.db_table} p "
                "ON p.is_active AND v.d BETWEEN p.cycle_start AND p.cycle_end "
                "GROUP BY p.id, v.t ORDER BY p.id, v.t "
                "ON CONFLICT (policy_id, teacher_id) DO UPDATE "
                f"SET hours = b.hours + EXCLUDED.hours, {updates}, "
                "updated_at = EXCLUDED.updated_at",
                [now, teachers, dates, hours, categories],
            )
        return
    policies = list(
        CreditPolicy.objects.filter(is_active=True).only("pk", "cycle_start", "cycle_end")
    )
    index = {c: i + 1 for i, c in enumerate(Category.values)}
    sums: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * (len(index) + 1))
    for teacher_id, earned_on, hours, category in lines:
        for policy in policies:
            if policy.cycle_start <= earned_on <= policy.cycle_end:
                row = sums[(policy.pk, teacher_id)]
                row[0] += hours
                row[index[category]] += hours
    _upsert(table, ["policy_id", "teacher_id"], ["hours", *columns], sums, now)


def _upsert(table, key_columns, value_columns, sums, now) -> None:
    """Add ``sums`` ({key tuple: [value per column]}) to ``table`` (not PostgreSQL)."""
    items = sorted(sums.items())
    columns = [*key_columns, *value_columns, "updated_at"]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in value_columns)
    with connection.cursor() as cursor:
        for start in range(0, len(items), BALANCE_CHUNK):
            chunk = items[start : start + BALANCE_CHUNK]
            params = []
            for key, values in chunk:
                params += [*key, *values, now]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES {', '.join([row] * len(chunk))} "
                f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET "
                f"{updates}, updated_at = EXCLUDED.updated_at",
                params,
            )
