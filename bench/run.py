"""Measure learning-hour credits at city scale on PostgreSQL.

``python -m bench`` (``make bench``): create and fill the bench database if it
is empty (bench/generate.py), then measure

* a teacher's own credits page (``/credits/``): median server time and the
  number of queries, over 50 different teachers;
* the completion page as each district's staff and as the bureau;
* district batch sync through the API endpoint (100 batches of 1,000 with a
  district token and an ``Idempotency-Key``), the same through the service
  alone, and the same rows loaded by ``COPY``, with the ratio;
* the city-wide completion export (``core.exports.run_export``) in a child
  process: seconds, peak RSS growth and tracemalloc peak;
* training's check-in and closing (bench/training.py) and the principals'
  city campaign (bench/evaluation.py: the scoring task and the district
  profile page, each beside its floor; it builds its own district and needs
  no generated city, so ``--only evaluation`` skips the generation).

It prints a table (figure, target, PASS/MISS) and writes the figures as JSON
to bench/out/. Timing runs with ``DEBUG`` off; queries are counted in a
separate request with ``CaptureQueriesContext``. The rows the sync adds are
removed afterwards (the bench database only), so every run measures the
same 1,500,000-entry ledger.

The measuring functions take their inputs as arguments, so the smoke test
(tests/bench/) runs them on a tiny federation in the test database.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import logging
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

TARGETS = {
    "teacher_page_ms": 50,
    "teacher_page_queries": 10,
    "district_completion_ms": 300,
    "bureau_completion_ms": 300,
    "api_entries_per_s": 5000,
    "api_vs_copy": 0.60,  # issue 17 (was 20 %)
    "export_s": 20,
    "export_mb": 300,
    # Ratios to the floor measured in the same run (issue 17).
    "page_vs_orm": 4,
    "page_vs_balance_sql": 2,  # completion pages over the hand-written SQL on the balances
    "checkin_ms": 50,
    "close_s": 5,
    "bureau_dashboard_ms": 100,  # issue 16
    "district_dashboard_ms": 50,  # issue 16
    "export_vs_writer": 1.0,
    "annual_report_s": 30,
    "campaign_s": 60,
    "profile_ms": 200,
}
BATCH_URL = "/api/v1/credits/entries/batch/"
TAG_PREFIX = "bench-"  # external ids, idempotency keys and activity keys of sync rows


# --- Pages -------------------------------------------------------------------------------


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _stats(samples_s: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples_s)
    return {
        "median_ms": round(statistics.median(ms), 1),
        "p90_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.9))], 1),
        "min_ms": round(ms[0], 1),
        "max_ms": round(ms[-1], 1),
        "samples": len(ms),
    }


def measure_page(
    users, url: str, *, rounds: int = 1, warmup: int = 2, orm_floor=None, balance_floor=None
) -> dict:
    """GET ``url`` as each user (``rounds`` times): server time through the
    test client, and the queries of one more request per user.

    Beside it, in the same run, the floors that bound it: the page's own SQL
    (the captured statements of each user's request, executed bare on a
    cursor: what the database alone costs) and, given ``orm_floor(user)``, the
    figures of the page computed by the ORM with no HTTP, session or
    template; given ``balance_floor(user)``, the page's figures by one
    hand-written statement (``completion_sql``). ``ratio_sql`` /
    ``ratio_orm`` / ``ratio_balance``: the page over each floor."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = [(_client(user), user) for user in users]
    for client, _user in clients[:warmup]:
        client.get(url)
    samples, queries, statements = [], [], []
    for _ in range(rounds):
        for client, user in clients:
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} as {user} answered {response.status_code}")
    for client, _user in clients:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries.append(len(captured))
        statements.append([q["sql"] for q in captured.captured_queries])
    result = _stats(samples)
    result.update(url=url, users=len(users), queries_min=min(queries), queries_max=max(queries))
    result["sql_floor"] = _stats(_replay(statements, rounds))
    result["ratio_sql"] = _ratio(result["median_ms"], result["sql_floor"]["median_ms"])
    if orm_floor is not None:
        result["orm_floor"] = _stats(_timed([user for _c, user in clients] * rounds, orm_floor))
        result["ratio_orm"] = _ratio(result["median_ms"], result["orm_floor"]["median_ms"])
    if balance_floor is not None:
        result["balance_floor"] = _stats(
            _timed([user for _c, user in clients] * rounds, balance_floor)
        )
        result["ratio_balance"] = _ratio(result["median_ms"], result["balance_floor"]["median_ms"])
    return result


def _replay(statements: list[list[str]], rounds: int = 1) -> list[float]:
    """Seconds to execute each request's captured SQL bare (fetching every row)."""
    from django.db import connection

    samples = []
    for _ in range(rounds):
        for sqls in statements:
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for sql in sqls:
                    if sql.startswith("DECLARE "):  # a server-side cursor: its SELECT
                        sql = sql.split(" FOR ", 1)[1]
                    cursor.execute(sql)
                    if cursor.description is not None:
                        cursor.fetchall()
            samples.append(time.perf_counter() - started)
    return samples


def _timed(args: list, fn) -> list[float]:
    samples = []
    for arg in args:
        started = time.perf_counter()
        fn(arg)
        samples.append(time.perf_counter() - started)
    return samples


def _ratio(measured, floor) -> float | None:
    return round(measured / floor, 1) if floor else None


def teacher_page_floor(user):
    """The teacher page's figures by the ORM: the summary, one history page,
    the pending claims and transcripts (what the view reads, nothing else)."""
    from centers.models import Teacher
    from credits import services
    from credits.models import CreditClaim, CreditEntry, Transcript

    teacher = Teacher.objects.select_related("school", "district").get(user=user)
    services.teacher_summary(teacher)
    list(CreditEntry.objects.filter(teacher=teacher).order_by("-earned_on", "-id")[:20])
    list(CreditClaim.objects.filter(teacher=teacher).pending()[:20])
    list(Transcript.objects.filter(teacher=teacher)[:5])


def completion_floor(user):
    """The completion figures by the service alone (no page around them)."""
    from centers.models import District
    from core.permissions import sees_all
    from credits import services

    if sees_all(user, "follow_credits", District):
        return services.completion(by="district")
    ids = list(District.objects.restrict(user, "follow_credits").values_list("pk", flat=True))
    return services.completion(by="school", district_ids=ids)


def completion_sql(*, by="district", district_ids=None, on=None) -> tuple[str, list]:
    """The completion figures (teachers, complete, at risk, hours per school
    or district) written by hand as one statement over the balances: the
    floor of ``services.completion`` (the same figures, checked by the smoke
    test). One city policy (the bench's), each teacher's balance row joined
    once."""
    from decimal import Decimal

    from django.utils import timezone

    from credits.models import category_hours_field
    from credits.services import policy_map

    on = on or timezone.localdate()
    policy = policy_map(on).city
    elapsed, days = policy.elapsed_days(on), policy.cycle_days
    minimums = list(policy.minimums.all())
    columns = "".join(
        f", COALESCE(b.{category_hours_field(m.category)}, 0) AS m{i}"
        for i, m in enumerate(minimums)
    )
    # The policy's numbers are written into the statement as literals (they
    # are ours, not input): a number to SQLite, numeric to PostgreSQL.
    met = "".join(f" AND m{i} >= {m.hours}" for i, m in enumerate(minimums))
    pace = [min(m.hours, m.hours * Decimal(elapsed) / days) for m in minimums]
    behind = "".join(f" OR m{i} < {p}" for i, p in enumerate(pace))
    where = "t.is_active"
    params: list = [policy.pk]
    if district_ids is not None:
        where += f" AND t.district_id IN ({', '.join(['%s'] * len(district_ids))})"
        params += list(district_ids)
    complete = f"h >= {policy.total_hours}{met}"
    sql = (
        f"SELECT k, COUNT(*), COUNT(CASE WHEN {complete} THEN 1 END), "
        f"COUNT(CASE WHEN NOT ({complete}) AND (h * {days} < {policy.total_hours * elapsed}"
        f"{behind}) THEN 1 END), SUM(h) "
        f"FROM (SELECT t.{by}_id AS k, COALESCE(b.hours, 0) AS h{columns} "
        "FROM centers_teacher t LEFT JOIN credits_creditbalance b "
        f"ON b.teacher_id = t.id AND b.policy_id = %s WHERE {where}) s GROUP BY k"
    )
    return sql, params


def completion_balance_floor(user):
    """``completion_sql`` for what the user follows (the city per district, or
    a district per school), executed bare, every row fetched."""
    from django.db import connection

    from centers.models import District
    from core.permissions import sees_all

    if sees_all(user, "follow_credits", District):
        sql, params = completion_sql(by="district")
    else:
        ids = list(District.objects.restrict(user, "follow_credits").values_list("pk", flat=True))
        sql, params = completion_sql(by="school", district_ids=ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- Dashboards (optional: ``--only dashboards``) -----------------------------------------

DASHBOARD_DISTRICTS = 5  # district officials measured (each their own district)


def measure_dashboards(actors, *, rounds: int = 3, warmup: int = 2) -> dict:
    """The bureau's city-wide dashboard and district dashboards: median server
    time and queries, beside the page's own SQL replayed bare (``measure_page``);
    and the annual statistics workbook the worker writes, beside the bare
    writer of the same rows (``measure_annual_report``). First the
    completion standings the dashboards read are refreshed, as the worker
    does after a ledger commit and daily (``measure_standings_refresh``)."""
    refresh = measure_standings_refresh()
    return {
        "standings_refresh": refresh,
        "bureau_dashboard": measure_page(
            [actors["bureau"]] * 5,
            "/dashboards/bureau/",
            rounds=rounds,
            warmup=warmup,
            balance_floor=completion_balance_floor,
        ),
        "district_dashboard": measure_page(
            actors["districts"][:DASHBOARD_DISTRICTS],
            "/dashboards/district/",
            rounds=rounds,
            warmup=warmup,
            balance_floor=completion_balance_floor,
        ),
        "annual_report": measure_annual_report(actors["bureau"]),
    }


def measure_standings_refresh(rounds: int = 3) -> dict:
    """``credits.services.refresh_standings``: the city (every district), one
    district, the schools of a 1,000-row batch of that district's random
    teachers (what a batch's commit refreshes) and one school (a small
    batch's), as the worker runs it; beside it the hand-written city
    statement (``completion_sql``, per school) it is bounded by."""
    from django.db import connection

    from centers.models import District, Teacher
    from credits import services

    district = District.objects.order_by("pk").values_list("pk", flat=True).first()
    staff = list(
        Teacher.objects.filter(district_id=district, is_active=True).values_list(
            "school_id", flat=True
        )
    )
    rng = random.Random(7)
    batch_schools = sorted({rng.choice(staff) for _ in range(1000)}) if staff else []
    city = _timed([None] * rounds, services.refresh_standings)
    one = _timed([[district]] * rounds, services.refresh_standings)
    by_school = lambda ids: services.refresh_standings(school_ids=ids)  # noqa: E731
    batch = _timed([batch_schools] * rounds, by_school)
    school = _timed([batch_schools[:1]] * rounds, by_school)
    sql, params = completion_sql(by="school")

    def bare(_arg):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    floor = _stats(_timed([None] * rounds, bare))
    result = {
        "city": _stats(city),
        "district": _stats(one),
        "batch_schools": {**_stats(batch), "schools": len(batch_schools)},
        "school": _stats(school),
        "floor": floor,
    }
    result["ratio_floor"] = _ratio(result["city"]["median_ms"], floor["median_ms"])
    return result


ANNUAL_REPORT = "dashboards-annual-report"


def measure_annual_report(user, year: int | None = None, *, rounds: int = 3) -> dict:
    """The alliance's annual statistics workbook (``dashboards.exporters``) as
    the export worker writes it (``core.exports.run_export``, the task's own
    function) beside the bare openpyxl writer of the same rows
    (``measure_writer_floor``), like with like: ``measure_export_beside_floor``."""
    from dashboards.services import report_years

    year = year or report_years()[0]
    result = measure_export_beside_floor(user, ANNUAL_REPORT, {"year": year}, rounds=rounds)
    result["year"] = year
    return result


def measure_export_beside_floor(
    user, exporter: str, options: dict | None = None, *, rounds: int = 3, warmup: bool = True
) -> dict:
    """An export through ``run_export`` and its bare writer, like with like: one
    of each first as warm-up (a worker runs many exports; its first one pays the
    process's imports, URL resolver and catalogues once, which is no export's
    own cost), then ``rounds`` of each, alternating which goes first (export,
    floor; floor, export; …) so that neither always finds the database's cache
    the warmer. Medians of wall seconds and of this process's CPU seconds
    (``time.process_time``: far less moved by the load of a shared machine)."""
    options = options or {}
    if warmup:
        run_export_job(user, exporter, options)
        measure_writer_floor(user, exporter, options)
    exports, floors = [], []

    def export():
        cpu = time.process_time()
        done = run_export_job(user, exporter, options)
        done["cpu_seconds"] = time.process_time() - cpu
        exports.append(done)

    def floor():
        cpu = time.process_time()
        done = measure_writer_floor(user, exporter, options)
        done["cpu_seconds"] = time.process_time() - cpu
        floors.append(done)

    for round_ in range(rounds):
        for step in (export, floor) if round_ % 2 == 0 else (floor, export):
            step()

    def median(runs, key, digits=3):
        return round(statistics.median(r[key] for r in runs), digits)

    result = {
        "exporter": exporter,
        "rounds": rounds,
        "seconds": median(exports, "seconds"),
        "cpu_seconds": median(exports, "cpu_seconds"),
        "rows": exports[0]["rows"],
        "bytes": exports[0]["bytes"],
        "samples": [r["seconds"] for r in exports],
        "writer_floor": {
            "rows": floors[0]["rows"],
            "seconds": median(floors, "seconds"),
            "read_seconds": median(floors, "read_seconds"),
            "write_seconds": median(floors, "write_seconds"),
            "cpu_seconds": median(floors, "cpu_seconds"),
            "samples": [r["seconds"] for r in floors],
        },
    }
    result["ratio_writer"] = _ratio(result["seconds"], result["writer_floor"]["seconds"])
    result["ratio_writer_cpu"] = _ratio(
        result["cpu_seconds"], result["writer_floor"]["cpu_seconds"]
    )
    return result


#: The largest exports on the bench data besides the city's completion (measured
#: in its own process with its memory): as the bureau, each beside its floor.
OTHER_EXPORTS = ("teachers", "credits-at-risk", "schools")


def measure_other_exports(user, identifiers=OTHER_EXPORTS, *, rounds: int = 2) -> dict:
    return {
        identifier: measure_export_beside_floor(user, identifier, rounds=rounds, warmup=False)
        for identifier in identifiers
    }


# --- The change feed (``?updated_since=``) ------------------------------------------------

FEED_DAYS = 7
FEED_PAGE = 500
FEED_URL = "/api/v1/credits/entries/"


def read_feed(client, *, since: str, numbered: bool, page_size: int = FEED_PAGE) -> dict:
    """Read a whole change feed as a district system does, following ``next``
    until it is null; ``numbered``: by ``?page=N`` (what every page did before
    the cursor: a count and an offset each), else from the first page by the
    cursor in ``next``. Each page's milliseconds and whether it counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    params = {"updated_since": since, "page_size": page_size}
    if numbered:
        params["page"] = 1
    url, pages, rows, count = FEED_URL, [], 0, None
    while url:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            answer = client.get(url, params) if params else client.get(url)
            ms = (time.perf_counter() - started) * 1000
        if answer.status_code != 200:
            raise RuntimeError(f"feed answered {answer.status_code}: {answer.content[:300]!r}")
        body = answer.json()
        count = body["count"] if count is None else count
        rows += len(body["results"])
        counted = any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
        pages.append({"ms": round(ms, 1), "queries": len(queries), "counted": counted})
        url, params = body["next"], None
    if rows != count:
        raise RuntimeError(f"the feed gave {rows} rows for a count of {count}")
    return {"rows": rows, "pages": pages, "total_ms": round(sum(p["ms"] for p in pages), 1)}


def measure_feed(user, *, rounds: int = 3, days: int = FEED_DAYS) -> dict:
    """A district's change feed of ``days`` read whole, by page numbers and by
    the cursor, alternately ``rounds`` times (after one of each as warm-up):
    the median of each page after the first, the first page, and the whole read."""
    from django.utils import timezone

    since = (timezone.now() - datetime.timedelta(days=days)).isoformat()
    client = _client(user)
    result: dict = {"user": user.username, "days": days, "page_size": FEED_PAGE}
    runs: dict = {"numbered": [], "cursor": []}
    for round_ in range(rounds + 1):
        for way in ("numbered", "cursor"):
            read = read_feed(client, since=since, numbered=way == "numbered")
            if round_:
                runs[way].append(read)
    for way, reads in runs.items():
        later = [p["ms"] for r in reads for p in r["pages"][1:]]
        result[way] = {
            "rows": reads[0]["rows"],
            "pages": len(reads[0]["pages"]),
            "first_page_ms": round(statistics.median(r["pages"][0]["ms"] for r in reads), 1),
            "later_page_ms": round(statistics.median(later), 1) if later else None,
            "total_ms": round(statistics.median(r["total_ms"] for r in reads), 1),
            "counts": sum(p["counted"] for p in reads[0]["pages"]),
            "queries_per_page": [p["queries"] for p in reads[0]["pages"]],
        }
    result["ratio_total"] = _ratio(result["cursor"]["total_ms"], result["numbered"]["total_ms"])
    return result


# --- Sync: API, service, COPY ------------------------------------------------------------


def build_batches(districts, *, batches: int, size: int, tag: str, seed: int = 7, today=None):
    """``batches`` batches of ``size`` rows, round-robin over the districts,
    for random teachers of each; every fifth row names a new activity."""
    from django.utils import timezone

    from centers.models import Teacher

    today = today or timezone.localdate()
    rng = random.Random(seed)
    staff = {
        d.pk: list(
            Teacher.objects.filter(district=d, is_active=True)
            .exclude(external_id="")
            .values_list("external_id", flat=True)
        )
        for d in districts
    }
    kinds = [
        ("online", "it", "信息技术应用能力提升工程2.0"),
        ("external", "subject", "省级教师教育网络研修"),
        ("school_based", "school_based", "校本研修：同课异构"),
        ("external", "ethics", "师德师风专题学习"),
    ]
    out = []
    for b in range(batches):
        district = districts[b % len(districts)]
        rows = []
        for i in range(size):
            source, category, title = kinds[(b + i) % len(kinds)]
            row = {
                "external_id": f"{TAG_PREFIX}{tag}-{b}-{i}",
                "teacher": rng.choice(staff[district.pk]),
                "category": category,
                "source": source,
                "hours": f"{rng.randint(1, 16) / 2:.1f}",
                "earned_on": (today - datetime.timedelta(days=rng.randint(0, 600))).isoformat(),
                "title": title,
                "evidence": f"证书 {b}-{i}",
            }
            if i % 5 == 0:
                row["activity_key"] = f"bench.course:{tag}-{b}-{i}"
            rows.append(row)
        out.append((district, rows))
    return out


@contextlib.contextmanager
def queued_refreshes():
    """The bench runs tasks eagerly (no Redis); in production the standings
    refresh a batch's commit queues runs on a worker, not in the request.
    So while the sync is measured, the refreshes are collected (yielded
    list of their arguments) instead of run in the request."""
    from django.core.cache import cache

    from credits.services.standings import QUEUED_KEY
    from credits.tasks import refresh_completion_standings

    queued: list = []
    try:
        with mock.patch.object(
            refresh_completion_standings, "delay", side_effect=lambda *a: queued.append(a)
        ):
            yield queued
    finally:  # as if the worker had started them
        keys = set()
        for args in queued:
            ids, schools = (*args, None)[:2]
            keys.update(["all"] if ids is None else ids)
            keys.update(f"school-{s}" for s in schools or ())
        cache.delete_many([QUEUED_KEY.format(k) for k in keys])


def backend_cpu() -> float | None:
    """CPU seconds (user + system) the PostgreSQL backend of this connection
    has used, read from /proc when the server runs on this machine (else
    None). With this process's ``time.process_time`` it gives a figure the
    load of a shared machine moves far less than wall time."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return process_cpu(pid)


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process on this machine, all its threads
    (``/proc/<pid>/stat``); None when it is not there (or not readable)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def cpu_per_1000(result: dict, rows_of):
    """Put into ``result`` the CPU milliseconds per 1,000 rows of what runs
    inside: ``client_cpu_ms`` (this process) and ``server_cpu_ms`` (the
    database backend, when readable). ``rows_of()`` gives the rows after."""
    server0, client0 = backend_cpu(), time.process_time()
    yield
    client = time.process_time() - client0
    server1 = backend_cpu()
    per = 1000 / max(rows_of(), 1)
    result["client_cpu_ms"] = round(client * per * 1000, 1)
    if server0 is not None and server1 is not None:
        result["server_cpu_ms"] = round((server1 - server0) * per * 1000, 1)


def measure_api_sync(batches, tokens: dict) -> dict:
    """POST each batch to the batch endpoint with the district's token and
    a new Idempotency-Key; entries per second over all of them."""
    from django.test import Client

    client = Client()
    bodies = [
        (district, json.dumps({"entries": rows}, ensure_ascii=False).encode(), len(rows), n)
        for n, (district, rows) in enumerate(batches)
    ]
    tag = batches[0][1][0]["external_id"].rsplit("-", 2)[0]
    # A worker serving the API is warm: one refused (empty) batch per token
    # first loads the views and stamps the token's last use (once a minute).
    quiet = logging.getLogger("django.request")
    level, quiet.level = quiet.level, logging.ERROR  # the expected 400s
    try:
        for district_id, token in tokens.items():
            client.post(
                BATCH_URL,
                data=b'{"entries": []}',
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {token}",
                HTTP_IDEMPOTENCY_KEY=f"{tag}-warm-{district_id}",
            )
    finally:
        quiet.level = level
    samples, rows_total, cpu, answers = [], sum(count for _d, _b, count, _n in bodies), {}, []
    with cpu_per_1000(cpu, lambda: rows_total):
        _post_batches(client, bodies, tokens, tag, samples, answers)
    # The answers are read after the CPU count: parsing them is the district
    # system's work, not the portal's (0.7 ms a batch of 1,000 rows).
    for (_district, _body, count, n), (status, content) in zip(bodies, answers, strict=True):
        if status != 201:
            raise RuntimeError(f"batch {n}: {status} {content[:300]!r}")
        created = json.loads(content)["batch"]["created"]
        if created != count:
            raise RuntimeError(f"batch {n}: {created} of {count} created")
    total = sum(samples)
    result = _stats(samples)
    result.update(
        batches=len(bodies),
        rows=rows_total,
        seconds=round(total, 2),
        entries_per_s=round(rows_total / total),
        **cpu,
    )
    return result


def _post_batches(client, bodies, tokens, tag, samples, answers) -> None:
    for district, body, _count, n in bodies:
        started = time.perf_counter()
        response = client.post(
            BATCH_URL,
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {tokens[district.pk]}",
            HTTP_IDEMPOTENCY_KEY=f"{tag}-api-{n}",
        )
        samples.append(time.perf_counter() - started)
        answers.append((response.status_code, response.content))
        if response.status_code != 201:
            return


def measure_service_sync(batches, systems: dict) -> dict:
    """The same batches through ``credits.services.sync_batch`` directly:
    the database and validation work without HTTP, DRF and JSON."""
    from credits import services

    tag = batches[0][1][0]["external_id"].rsplit("-", 2)[0]
    samples, rows_total, cpu = [], sum(len(rows) for _d, rows in batches), {}
    with cpu_per_1000(cpu, lambda: rows_total):
        for n, (district, rows) in enumerate(batches):
            body = {"entries": rows}
            started = time.perf_counter()
            answer = services.sync_batch(
                district=district, key=f"{tag}-svc-{n}", body=body, user=systems[district.pk]
            )
            samples.append(time.perf_counter() - started)
            if answer.status != 201:
                raise RuntimeError(f"batch {n}: {answer.status} {str(answer.body)[:300]}")
    total = sum(samples)
    result = _stats(samples)
    result.update(
        batches=len(batches),
        rows=rows_total,
        seconds=round(total, 2),
        entries_per_s=round(rows_total / total),
        **cpu,
    )
    return result


def copy_rows(batches):
    """The batches' rows as ledger columns, the way post_batch would write
    them (teacher ids resolved beforehand, outside the timing)."""
    from django.utils import timezone

    from centers.models import Teacher
    from credits.models import OrgKind

    ids = {
        (d, ext): pk
        for d, ext, pk in Teacher.objects.exclude(external_id="").values_list(
            "district_id", "external_id", "pk"
        )
    }
    # The sync registers each row as the district's system (the token's
    # user): the same rows carry that user, whose foreign key PostgreSQL
    # checks at the commit as it checks the teacher's and the district's.
    systems = {d: user.pk for d, user in bench_actors()["systems"].items()}
    now = timezone.now()
    rows = []
    for district, batch in batches:
        for r in batch:
            key = r.get("activity_key", "")
            rows.append(
                (
                    ids[(district.pk, r["teacher"])],
                    district.pk,
                    r["source"],
                    r["category"],
                    r["hours"],
                    r["earned_on"],
                    r["title"],
                    r["evidence"],
                    key,
                    1 if key else 0,
                    r["external_id"],
                    OrgKind.SYSTEM,
                    district.name,
                    now,
                    now,
                    systems.get(district.pk),
                )
            )
    return rows


COPY_COLUMNS = [
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
    "org_kind",
    "org_name",
    "created_at",
    "updated_at",
    "registered_by_id",
]


def measure_copy(rows, batch: int | None = None) -> dict | None:
    """Load the rows into the ledger with one ``COPY`` (PostgreSQL only),
    committed: the ceiling any insert path can reach. With ``batch``, one
    ``COPY`` and one commit per ``batch`` rows, as the sync commits per
    request (shown beside the reference, not instead of it)."""
    from django.db import connection, transaction

    from bench.generate import Loader
    from credits.models import CreditEntry

    if connection.vendor != "postgresql":
        return None
    loader = Loader(connection)
    columns, filler = loader.columns(CreditEntry, COPY_COLUMNS)
    cpu: dict = {}
    with cpu_per_1000(cpu, lambda: len(rows)):
        started = time.perf_counter()
        full = [r + filler for r in rows]
        step = batch or len(full)
        for start in range(0, len(full), step):
            with transaction.atomic():
                loader.copy(CreditEntry._meta.db_table, columns, full[start : start + step])
        seconds = time.perf_counter() - started
    return {
        "rows": len(rows),
        "batch": batch,
        "seconds": round(seconds, 2),
        "entries_per_s": round(len(rows) / seconds),
        **cpu,
    }


def measure_plain_copy(rows, batch: int = 1000) -> dict | None:
    """The same rows by ``COPY`` in batches of ``batch``, each committed, into
    a plain table with the ledger's columns and one index (on the teacher),
    no constraints: the floor of any write into a ledger (PostgreSQL only)."""
    from django.db import connection, transaction

    from bench.generate import Loader
    from credits.models import CreditEntry

    if connection.vendor != "postgresql":
        return None
    table = "bench_plain_ledger"
    loader = Loader(connection)
    columns, filler = loader.columns(CreditEntry, COPY_COLUMNS)
    full = [r + filler for r in rows]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE TABLE {table} "
            f"(LIKE {CreditEntry._meta.db_table} INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )
        cursor.execute(f"CREATE INDEX ON {table} (teacher_id)")
    try:
        started = time.perf_counter()
        for start in range(0, len(full), batch):
            with transaction.atomic():
                loader.copy(table, columns, full[start : start + batch])
        seconds = time.perf_counter() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
    return {
        "rows": len(rows),
        "seconds": round(seconds, 2),
        "entries_per_s": round(len(rows) / seconds),
    }


def remove_sync_rows(tag: str = "") -> int:
    """Remove what the sync measures added (rows, activities, idempotency
    records). The ledger refuses DELETE by trigger on PostgreSQL, so this
    runs with the session in replica mode, which skips triggers: acceptable
    in the bench database and in a test database only."""
    from django.db import connection, transaction

    from bench.generate import rebuild_balances

    prefix = f"{TAG_PREFIX}{tag}"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "DELETE FROM credits_creditactivity WHERE key LIKE %s", [f"bench.course:{tag}%"]
        )
        cursor.execute("DELETE FROM credits_creditentry WHERE external_id LIKE %s", [f"{prefix}%"])
        removed = cursor.rowcount
        cursor.execute("DELETE FROM credits_syncrequest WHERE key LIKE %s", [f"{prefix}%"])
    if removed:
        # The removal went beside the services: recompute the derived balances,
        # then vacuum, so the next measure does not write past the 30,000 dead
        # balance rows of the rebuild (an upsert of a batch took 26 ms after
        # vacuum against 73–109 ms before, on the same data).
        rebuild_balances()
        vacuum()
    return removed


def vacuum() -> None:
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for table in (
            "credits_creditentry",
            "credits_creditactivity",
            "credits_syncrequest",
            "credits_creditbalance",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def issue_tokens(systems: dict) -> dict:
    """A fresh API token per district system (earlier bench tokens go)."""
    from core.models import ApiToken, Membership
    from core.roles import Role

    tokens = {}
    for district_id, user in systems.items():
        membership = Membership.objects.get(user=user, role=Role.DISTRICT_SYSTEM)
        ApiToken.objects.filter(membership=membership).delete()
        _token, raw = ApiToken.issue(membership=membership, name="bench", days=1)
        tokens[district_id] = raw
    return tokens


# --- Export --------------------------------------------------------------------------------


def run_completion_export(user) -> dict:
    """The city-wide completion export through ``core.exports.run_export``."""
    return run_export_job(user, "credits-completion", {})


def run_export_job(user, exporter: str, options: dict) -> dict:
    """One export job through ``core.exports.run_export`` (what the worker
    runs): seconds, rows and bytes; the job and its file are removed after."""
    from core.exports import run_export
    from core.models import ExportJob, ExportStatus

    job = ExportJob.objects.create(
        owner=user, exporter=exporter, options=options, language="zh-hans"
    )
    started = time.perf_counter()
    job = run_export(job)
    seconds = time.perf_counter() - started
    if job.status != ExportStatus.DONE:
        raise RuntimeError(f"export failed: {job.error}")
    size = job.file.size
    job.file.delete(save=False)
    job.delete()
    return {"seconds": round(seconds, 3), "rows": job.rows_written, "bytes": size}


def measure_export(user) -> dict:
    """Seconds and peak RSS growth of one export, then tracemalloc's peak
    of Python allocations in a second one (tracemalloc slows it down)."""
    import gc
    import tracemalloc

    gc.collect()
    _reset_peak_rss()
    before = _current_rss_mb()
    result = run_completion_export(user)
    peak = _peak_rss_mb()
    result["rss_before_mb"] = round(before, 1)
    result["max_rss_mb"] = round(peak, 1)
    result["rss_growth_mb"] = round(max(0.0, peak - before), 1)
    tracemalloc.start()
    try:
        run_completion_export(user)
        result["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    finally:
        tracemalloc.stop()
    return result


def measure_writer_floor(user, exporter: str = "credits-completion", options=None) -> dict:
    """The bare writer on the export's own rows: the rows the exporter yields
    are read first (timed apart), then openpyxl write-only writes the same
    values with no styles, widths or progress: the floor of the export."""
    import tempfile

    from openpyxl import Workbook

    from core.exports import registry
    from core.formats import excel_value

    # As the worker reads them: as the job's owner, read from its id (a user
    # object the bench used before keeps what its pages memoised on it, e.g.
    # the dashboards' completion rows, and the floor would skip their query).
    user = type(user).objects.get(pk=user.pk)
    exporter = registry.get(exporter)(user, options or {})
    started = time.perf_counter()
    sheets = [(s.title, list(s.headers), [list(r) for r in s.rows]) for s in exporter.sheets()]
    read_s = time.perf_counter() - started
    rows = sum(len(r) for _t, _h, r in sheets)
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    for title, headers, body in sheets:
        ws = workbook.create_sheet(title=title[:31])
        ws.append(headers)
        for row in body:
            ws.append([excel_value(v) for v in row])
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        workbook.save(handle.name)
    write_s = time.perf_counter() - started
    return {
        "rows": rows,
        "read_seconds": round(read_s, 3),
        "write_seconds": round(write_s, 3),
        "seconds": round(read_s + write_s, 3),
    }


def _current_rss_mb() -> float:
    """The process's resident memory now (Linux; the peak so far elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_rss_mb() -> float:
    """The process's peak resident memory: VmHWM (reset by _reset_peak_rss).
    Not ru_maxrss: on Linux a child inherits its parent's across exec."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak_rss() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # Linux ≥ 4.0: reset VmHWM to the current RSS
    except OSError:
        pass


def _export_in_child() -> dict:
    """Run measure_export in a fresh process, so the RSS growth is the
    export's alone (not the sync's peak before it)."""
    cmd = [sys.executable, "-m", "bench.run", "--child-export"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"export child failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- Actors, environment, report -------------------------------------------------------------


def bench_actors():
    from core.models import Membership, User
    from core.roles import Role

    def users(prefix):
        return list(User.objects.filter(username__startswith=prefix).order_by("username"))

    systems = {
        m.organisation_id: m.user
        for m in Membership.objects.filter(
            role=Role.DISTRICT_SYSTEM, user__username__startswith="bench-system-"
        ).select_related("user")
    }
    return {
        "bureau": User.objects.get(username="bench-bureau"),
        "districts": users("bench-district-"),
        "systems": systems,
        "teachers": users("bench-teacher-"),
    }


def environment(url: str, load_at_start=None) -> dict:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(" on ")[0]
    mem_kb = 0
    try:
        with open("/proc/meminfo") as fh:
            mem_kb = int(fh.readline().split()[1])
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "command": " ".join([Path(sys.executable).name, "-m", "bench", *sys.argv[1:]]),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "git": commit,
        "database": url.rsplit("@", 1)[-1],
        "postgres": pg,
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpus": os.cpu_count(),
        "memory_gib": round(mem_kb / 2**20, 1),
        "load_average": _load(load_at_start)
        + " at the start, "
        + _load(os.getloadavg())
        + " at the end",
        "debug": False,
        "tasks": "eager (no Redis)",
    }


def _load(values) -> str:
    return "/".join(f"{x:.2f}" for x in values) if values else "?"


def data_counts() -> dict:
    from centers.models import District, School, Teacher
    from credits.models import CreditActivity, CreditEntry

    return {
        "districts": District.objects.count(),
        "schools": School.objects.count(),
        "teachers": Teacher.objects.count(),
        "entries": CreditEntry.objects.count(),
        "activities": CreditActivity.objects.count(),
    }


def _floor_rows(page: dict, *, completion: bool = False) -> list:
    """The page's floors and its ratio to each (issue 17: ratios, not times)."""
    rows = []
    sql = page.get("sql_floor")
    if sql:
        rows.append(("  its own SQL, executed bare", f"{sql['median_ms']} ms", "(floor)", None))
        rows.append(("  page / SQL", f"{page['ratio_sql']}×", "(ratio)", None))
    orm = page.get("orm_floor")
    if orm:
        target = TARGETS["page_vs_orm"]
        rows.append(("  its figures by the ORM alone", f"{orm['median_ms']} ms", "(floor)", None))
        rows.append(
            ("  page / ORM", f"{page['ratio_orm']}×", f"≤ {target}×", page["ratio_orm"] <= target)
        )
    balance = page.get("balance_floor")
    if balance:
        target = TARGETS["page_vs_balance_sql"]
        rows.append(
            (
                "  its figures by one hand-written SQL",
                f"{balance['median_ms']} ms",
                "(floor)",
                None,
            )
        )
        rows.append(
            (
                "  page / hand-written SQL",
                f"{page['ratio_balance']}×",
                f"≤ {target}×" if completion else "(ratio)",
                page["ratio_balance"] <= target if completion else None,
            )
        )
    return rows


def verdicts(figures: dict) -> list[tuple[str, str, str, bool]]:
    t, f = TARGETS, figures
    rows = []
    page = f.get("teacher_page")
    if page:
        rows.append(
            (
                "Teacher page /credits/, median",
                f"{page['median_ms']} ms",
                f"< {t['teacher_page_ms']} ms",
                page["median_ms"] < t["teacher_page_ms"],
            )
        )
        fixed = page["queries_min"] == page["queries_max"]
        rows.append(
            (
                "Teacher page queries (min–max over teachers)",
                f"{page['queries_min']}–{page['queries_max']}",
                f"fixed, ≤ {t['teacher_page_queries']}",
                fixed and page["queries_max"] <= t["teacher_page_queries"],
            )
        )
        rows.extend(_floor_rows(page))
    for key, label in (
        ("district_completion", "District completion page, median"),
        ("bureau_completion", "Bureau city-wide completion, median"),
    ):
        if f.get(key):
            rows.append(
                (
                    label,
                    f"{f[key]['median_ms']} ms",
                    f"< {t[key + '_ms']} ms",
                    f[key]["median_ms"] < t[key + "_ms"],
                )
            )
            rows.extend(_floor_rows(f[key], completion=True))
    for key, label in (
        ("bureau_dashboard", "Bureau dashboard /dashboards/bureau/, median"),
        ("district_dashboard", "District dashboard /dashboards/district/, median"),
    ):
        page = f.get(key)
        if not page:
            continue
        rows.append(
            (
                label,
                f"{page['median_ms']} ms",
                f"< {t[key + '_ms']} ms",
                page["median_ms"] < t[key + "_ms"],
            )
        )
        rows.append(
            (
                "  queries (min–max over users)",
                f"{page['queries_min']}–{page['queries_max']}",
                "fixed",
                page["queries_min"] == page["queries_max"],
            )
        )
        rows.extend(_floor_rows(page))
    tr = f.get("training")
    if tr:
        rows += [
            (
                "Check-in (500 trainees, one session), median",
                f"{tr['checkin_median_ms']} ms (p90 {tr['checkin_p90_ms']})",
                f"< {t['checkin_ms']} ms",
                tr["checkin_median_ms"] < t["checkin_ms"],
            ),
            (
                "  each counted once (retries included)",
                f"{tr['checkin_counted']} of {tr['checkins']}",
                "all, once",
                tr["checkin_counted"] == tr["checkins"],
            ),
            (
                "  the attendance row by the ORM alone",
                f"{tr['checkin_floor_median_ms']} ms",
                "(floor)",
                None,
            ),
            ("  check-in / ORM", f"{tr['checkin_ratio']}×", "(ratio)", None),
            (
                f"Closing {tr['trainees']:,} trainees: hours posted",
                f"{tr['post_seconds']} s ({tr['posted']:,} entries)",
                f"< {t['close_s']} s",
                tr["post_seconds"] < t["close_s"] and tr["posted"] == tr["trainees"],
            ),
            (
                "  posted again",
                f"{tr['reposted']} entries in {tr['repost_seconds']} s",
                "none",
                tr["reposted"] == 0,
            ),
            (
                "  award_hours_bulk alone, same awards",
                f"{tr['bulk_floor_seconds']} s",
                "(floor)",
                None,
            ),
            ("  closing / bulk award", f"{tr['post_ratio']}×", "(ratio)", None),
        ]
    ev = f.get("evaluation")
    if ev:
        page = ev["profile_page"]
        rows += [
            (
                f"Campaign scores ({ev['principals']:,} principals × {ev['raters']} raters"
                f" × {ev['items']} items), task",
                f"{ev['task_seconds']} s",
                f"< {t['campaign_s']} s",
                ev["task_seconds"] < t["campaign_s"] and ev["progress"] == 100,
            ),
            (
                "  run again: same scores",
                f"{ev['task_again_seconds']} s, {'same' if ev['same_scores'] else 'DIFFERENT'}",
                "same",
                ev["same_scores"],
            ),
            (
                "  the aggregation as one SQL statement",
                f"{ev['floor_seconds']} s ({ev['floor_rows']:,} rows)",
                "(floor)",
                None,
            ),
            ("  task / SQL", f"{ev['task_ratio']}×", "(ratio)", None),
            (
                f"  answers generated by {ev['generation']}",
                f"{ev['answers']:,} in {ev['generation_seconds']} s",
                "(information)",
                None,
            ),
            (
                "District profile page (campaign), median",
                f"{page['median_ms']} ms (p90 {page['p90_ms']})",
                f"< {t['profile_ms']} ms",
                page["median_ms"] < t["profile_ms"],
            ),
            (
                "  queries",
                f"{page['queries_min']}–{page['queries_max']}",
                "fixed",
                page["queries_min"] == page["queries_max"],
            ),
            *_floor_rows(page),
        ]
    api = f.get("api_sync")
    if api:
        rows.append(
            (
                "API batch sync (100 × 1,000), endpoint",
                f"{api['entries_per_s']:,} entries/s",
                f"≥ {t['api_entries_per_s']:,}/s",
                api["entries_per_s"] >= t["api_entries_per_s"],
            )
        )
        svc = f.get("service_sync")
        if svc:
            rows.append(
                (
                    "  same through sync_batch (no HTTP)",
                    f"{svc['entries_per_s']:,} entries/s",
                    "(information)",
                    None,
                )
            )
        plain = f.get("plain_copy")
        if plain and f.get("copy"):
            rows.append(
                (
                    "  COPY in 1,000-row batches, plain table",
                    f"{plain['entries_per_s']:,} entries/s",
                    "(floor)",
                    None,
                )
            )
            f["api_vs_plain_copy"] = round(api["entries_per_s"] / plain["entries_per_s"], 3)
            rows.append(("API / plain COPY", f"{f['api_vs_plain_copy']:.0%}", "(ratio)", None))
        cp = f.get("copy")
        if cp:
            ratio = api["entries_per_s"] / cp["entries_per_s"]
            f["api_vs_copy"] = round(ratio, 3)
            rows.append(
                ("  same rows by COPY", f"{cp['entries_per_s']:,} entries/s", "(reference)", None)
            )
            rows.append(
                (
                    "API / COPY",
                    f"{ratio:.0%}",
                    f"≥ {t['api_vs_copy']:.0%}",
                    ratio >= t["api_vs_copy"],
                )
            )
            if "server_cpu_ms" in api and "server_cpu_ms" in cp:
                # The same comparison in CPU time (this process + the database
                # backend), which the load of a shared machine moves less.
                api_cpu = api["client_cpu_ms"] + api["server_cpu_ms"]
                copy_cpu = cp["client_cpu_ms"] + cp["server_cpu_ms"]
                f["api_vs_copy_cpu"] = round(copy_cpu / api_cpu, 3)
                rows.append(
                    (
                        "  CPU per 1,000 rows: API · COPY",
                        f"{api['client_cpu_ms']:.0f} + {api['server_cpu_ms']:.0f} ms · "
                        f"{cp['client_cpu_ms']:.0f} + {cp['server_cpu_ms']:.0f} ms",
                        "(client + server)",
                        None,
                    )
                )
                rows.append(
                    ("API / COPY in CPU time", f"{f['api_vs_copy_cpu']:.0%}", "(ratio)", None)
                )
            if svc and "server_cpu_ms" in svc:
                rows.append(
                    (
                        "  CPU per 1,000 rows: sync_batch",
                        f"{svc['client_cpu_ms']:.0f} + {svc['server_cpu_ms']:.0f} ms",
                        "(client + server)",
                        None,
                    )
                )
        per_batch = f.get("copy_per_batch")
        if per_batch:
            # Beside the reference, not instead of it: COPY committed per batch,
            # as the sync commits per request (a WAL flush and the foreign keys'
            # row locks taken again in each transaction).
            ratio = api["entries_per_s"] / per_batch["entries_per_s"]
            f["api_vs_copy_per_batch"] = round(ratio, 3)
            rows.append(
                (
                    f"  same rows by COPY, a commit per {per_batch['batch']:,}",
                    f"{per_batch['entries_per_s']:,} entries/s",
                    "(information)",
                    None,
                )
            )
            rows.append(("API / COPY per batch", f"{ratio:.0%}", "(information)", None))
            if "server_cpu_ms" in api and "server_cpu_ms" in per_batch:
                cpu = per_batch["client_cpu_ms"] + per_batch["server_cpu_ms"]
                f["api_vs_copy_per_batch_cpu"] = round(
                    cpu / (api["client_cpu_ms"] + api["server_cpu_ms"]), 3
                )
                rows.append(
                    (
                        "  in CPU time (COPY per batch: client + server)",
                        f"{f['api_vs_copy_per_batch_cpu']:.0%} "
                        f"({per_batch['client_cpu_ms']:.0f} + {per_batch['server_cpu_ms']:.0f} ms)",
                        "(information)",
                        None,
                    )
                )
    refresh = f.get("standings_refresh")
    if refresh:
        rows += [
            (
                "Completion standings refresh (worker), city",
                f"{refresh['city']['median_ms']} ms",
                "(after commits, daily)",
                None,
            ),
            ("  one district", f"{refresh['district']['median_ms']} ms", "(information)", None),
            (
                f"  a 1,000-row batch's schools ({refresh['batch_schools']['schools']})",
                f"{refresh['batch_schools']['median_ms']} ms",
                "(a batch's)",
                None,
            ),
            ("  one school", f"{refresh['school']['median_ms']} ms", "(a small batch's)", None),
            (
                "  city per school by hand-written SQL",
                f"{refresh['floor']['median_ms']} ms",
                "(floor)",
                None,
            ),
            ("  refresh / hand-written SQL", f"{refresh['ratio_floor']}×", "(ratio)", None),
        ]
    annual = f.get("annual_report")
    if annual:
        floor = annual["writer_floor"]
        rows.extend(
            [
                (
                    f"Annual statistics workbook {annual['year']} (worker)",
                    f"{annual['seconds']} s ({annual['rows']:,} rows)",
                    f"< {t['annual_report_s']} s",
                    annual["seconds"] < t["annual_report_s"],
                ),
                (
                    "  bare openpyxl write-only, same rows",
                    f"{floor['seconds']} s (read {floor['read_seconds']} s)",
                    "(floor)",
                    None,
                ),
                (
                    "  workbook / bare writer (wall; CPU)",
                    f"{annual['ratio_writer']}×; {annual['ratio_writer_cpu']}×",
                    f"≤ {t['export_vs_writer']}×",
                    annual["ratio_writer"] <= t["export_vs_writer"],
                ),
            ]
        )
    feed = f.get("feed")
    if feed:
        for way, label in (("numbered", "by ?page=N"), ("cursor", "by the cursor in next")):
            w = feed[way]
            rows.append(
                (
                    f"Change feed, {feed['days']} days ({w['rows']:,} rows, {w['pages']} pages) "
                    f"{label}",
                    f"{w['total_ms']} ms (first {w['first_page_ms']} ms, "
                    f"then {w['later_page_ms']} ms a page; {w['counts']} counts)",
                    "(information)",
                    None,
                )
            )
        rows.append(("  cursor / page numbers", f"{feed['ratio_total']}×", "(ratio)", None))
    if f.get("partition"):
        from bench.partition import report_rows

        rows.extend(report_rows(f["partition"]))
    exp = f.get("export")
    if exp:
        rows.append(
            (
                "City-wide completion export",
                f"{exp['seconds']} s ({exp['rows']:,} rows)",
                f"< {t['export_s']} s",
                exp["seconds"] < t["export_s"],
            )
        )
        rows.append(
            (
                "  peak memory (RSS growth; tracemalloc)",
                f"{exp['rss_growth_mb']} MB; {exp.get('tracemalloc_peak_mb', '?')} MB",
                f"< {t['export_mb']} MB",
                exp["rss_growth_mb"] < t["export_mb"],
            )
        )
        floor = exp.get("writer_floor")
        if floor:
            rows.append(
                (
                    "  bare openpyxl write-only, same rows",
                    f"{floor['seconds']} s (read {floor['read_seconds']} s)",
                    "(floor)",
                    None,
                )
            )
            rows.append(
                (
                    "Export / bare writer",
                    f"{exp['ratio_writer']}×",
                    f"≤ {t['export_vs_writer']}×",
                    exp["ratio_writer"] <= t["export_vs_writer"],
                )
            )
    for identifier, other in (f.get("other_exports") or {}).items():
        floor = other["writer_floor"]
        rows.extend(
            [
                (
                    f"Export {identifier} (worker)",
                    f"{other['seconds']} s ({other['rows']:,} rows)",
                    "(information)",
                    None,
                ),
                (
                    "  bare openpyxl write-only, same rows",
                    f"{floor['seconds']} s (read {floor['read_seconds']} s)",
                    "(floor)",
                    None,
                ),
                (
                    "  export / bare writer (wall; CPU)",
                    f"{other['ratio_writer']}×; {other['ratio_writer_cpu']}×",
                    f"≤ {t['export_vs_writer']}×",
                    other["ratio_writer"] <= t["export_vs_writer"],
                ),
            ]
        )
    return rows


def print_report(env: dict, counts: dict, figures: dict) -> list:
    rows = verdicts(figures)
    print()
    print("Learning-hour credits at city scale")
    for key in (
        "command",
        "date",
        "git",
        "database",
        "postgres",
        "python",
        "django",
        "cpus",
        "memory_gib",
        "load_average",
        "debug",
        "tasks",
    ):
        print(f"  {key:<13} {env[key]}")
    print("  data          " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    print()
    width = max((len(r[0]) for r in rows), default=20) + 2
    print(f"{'Figure':<{width}}{'Measured':<28}{'Target':<16}Result")
    print("-" * (width + 52))
    for label, measured, target, ok in rows:
        verdict = "" if ok is None else ("PASS" if ok else "MISS")
        print(f"{label:<{width}}{measured:<28}{target:<16}{verdict}")
    print()
    return rows


# --- Main ------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark credits at city scale (PostgreSQL).")
    parser.add_argument("--fresh", action="store_true", help="rebuild the bench database first")
    parser.add_argument("--teachers", type=int, default=50, help="teachers sampled (page)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of completion pages")
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument(
        "--skip", default="", help="comma-separated: pages,sync,export,training,evaluation"
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated parts to run, the others skipped (e.g. sync); "
        "dashboards, load, partition and feed run only when named here",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        help="measure the city N times over (its own database gz_bench_xN, generated if empty)",
    )
    parser.add_argument(
        "--partition-layouts",
        default="cycle,district",
        help="partitioned copies of the ledger measured beside the plain one (--only partition)",
    )
    parser.add_argument("--child-export", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.only:
        parts = {
            "pages",
            "sync",
            "export",
            "dashboards",
            "training",
            "evaluation",
            "load",
            "partition",
            "feed",
        }
        only = set(filter(None, args.only.split(",")))
        if only - parts:
            parser.error(f"--only takes {', '.join(sorted(parts))}")
        args.skip = ",".join(sorted(set(filter(None, args.skip.split(","))) | (parts - only)))

    from bench import env as bench_env

    if args.child_export:
        bench_env.setup(migrate=False, verbose=False)
        from django.conf import settings

        settings.DEBUG = False
        bureau = bench_actors()["bureau"]
        result = measure_export(bureau)
        result["writer_floor"] = measure_writer_floor(bureau)
        result["ratio_writer"] = _ratio(result["seconds"], result["writer_floor"]["seconds"])
        print(json.dumps(result))
        return 0

    url = bench_env.setup(fresh=args.fresh, scale=args.scale)
    from django.conf import settings

    from bench import generate

    city = generate.scaled(args.scale)
    skip = set(filter(None, args.skip.split(",")))
    if "dashboards" not in set(filter(None, args.only.split(","))):
        skip.add("dashboards")  # optional: measured only with --only dashboards
    if "load" not in set(filter(None, args.only.split(","))):
        skip.add("load")  # optional: gunicorn under load (bench/load.py), with --only load
    if "partition" not in set(filter(None, args.only.split(","))):
        skip.add("partition")  # optional: copies of the ledger (bench/partition.py)
    if "feed" not in set(filter(None, args.only.split(","))):
        skip.add("feed")  # optional: a district's change feed read whole (measure_feed)
    # The evaluation part builds its own district: it needs no generated city.
    needs_city = bool(
        {"pages", "sync", "export", "dashboards", "training", "load", "partition", "feed"} - skip
    )
    if needs_city and not generate.already_generated(city):
        print("The bench database is empty: generating the city (a few minutes)…")
        stats = generate.generate(city)
        print(f"Generated in {stats['total_seconds']} s.")
        vacuum()
    settings.DEBUG = False
    load_at_start = os.getloadavg()
    actors = bench_actors() if needs_city else {}
    figures: dict = {}
    tag = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S")
    if needs_city and {"pages", "sync", "export", "dashboards", "training", "load"} - skip:
        remove_sync_rows()  # leftovers of an interrupted run (the partition part adds none)

    if "pages" not in skip:
        print("Teacher pages…")
        figures["teacher_page"] = measure_page(
            actors["teachers"][: args.teachers], "/credits/", orm_floor=teacher_page_floor
        )
        print("Completion pages…")
        figures["district_completion"] = measure_page(
            actors["districts"],
            "/credits/completion/",
            rounds=args.rounds,
            orm_floor=completion_floor,
            balance_floor=completion_balance_floor,
        )
        figures["bureau_completion"] = measure_page(
            [actors["bureau"]] * 5,
            "/credits/completion/",
            rounds=args.rounds,
            orm_floor=completion_floor,
            balance_floor=completion_balance_floor,
        )
    if "dashboards" not in skip:
        print("Dashboards…")
        figures.update(measure_dashboards(actors, rounds=args.rounds))
    if "feed" not in skip:
        print(f"Change feed: a district's {FEED_DAYS} days, by page numbers and by cursor…")
        figures["feed"] = measure_feed(actors["districts"][0], rounds=args.rounds)
    if "sync" not in skip:
        from centers.models import District

        districts = list(District.objects.filter(pk__in=actors["systems"]).order_by("order"))
        batches = build_batches(districts, batches=args.batches, size=args.batch_size, tag=tag)
        tokens = issue_tokens(actors["systems"])
        print(f"API sync: {args.batches} batches of {args.batch_size}…")
        try:
            with queued_refreshes() as queued:
                figures["api_sync"] = measure_api_sync(batches, tokens)
            figures["api_sync"]["refreshes_queued"] = len(queued)
            remove_sync_rows(tag)
            print("Service sync…")
            with queued_refreshes():
                figures["service_sync"] = measure_service_sync(batches, actors["systems"])
            remove_sync_rows(tag)
            print("COPY…")
            rows = copy_rows(batches)
            figures["copy"] = measure_copy(rows)
            remove_sync_rows(tag)
            print("COPY, one commit per batch…")
            figures["copy_per_batch"] = measure_copy(rows, batch=args.batch_size)
            remove_sync_rows(tag)
            figures["plain_copy"] = measure_plain_copy(rows, batch=args.batch_size)
        finally:
            remove_sync_rows(tag)
            vacuum()
    if "training" not in skip:
        from bench.training import measure_training

        print("Training: 500 check-ins, closing 2,000 trainees…")
        figures["training"] = measure_training(checkins=500, trainees=2000)
    if "evaluation" not in skip:
        from bench.evaluation import measure_evaluation

        print("Evaluation: a city campaign, 1,700 principals × 40 raters × 25 items…")
        figures["evaluation"] = measure_evaluation(principals=1700, raters=40, rounds=args.rounds)
    if "export" not in skip:
        print("City-wide export (child process)…")
        figures["export"] = _export_in_child()
        print(f"Other exports beside their floors: {', '.join(OTHER_EXPORTS)}…")
        figures["other_exports"] = measure_other_exports(actors["bureau"])

    if "partition" not in skip:
        from bench.partition import measure_partition

        layouts = tuple(filter(None, args.partition_layouts.split(",")))
        print(f"Partitioning the ledger: plain, {', '.join(layouts)} copies…")
        figures["partition"] = measure_partition(
            layouts=layouts, teachers=args.teachers, rounds=args.rounds
        )
    if "load" not in skip:
        from bench import load

        print("Load: gunicorn at fixed concurrency (bench/load.py)…")
        result = load.run_load(
            url,
            actors,
            concurrency=load.DEFAULTS["concurrency"],
            requests=load.DEFAULTS["requests"],
            seconds=load.DEFAULTS["seconds"],
            batch_size=load.DEFAULTS["batch_size"],
            sync_requests=load.DEFAULTS["batches"],
            workers=load.gunicorn_workers_default(),
            tag=tag,
        )
        load.print_report(result["meta"], result["figures"])
        figures["load"] = result

    env = environment(url, load_at_start)
    counts = data_counts()
    rows = print_report(env, counts, figures)
    out = {
        "environment": env,
        "data": counts,
        "targets": TARGETS,
        "figures": figures,
        "table": [{"figure": r[0], "measured": r[1], "target": r[2], "pass": r[3]} for r in rows],
    }
    bench_env.OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = bench_env.OUT_DIR / f"bench-{tag}.json"
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False, default=str))
    (bench_env.OUT_DIR / "latest.json").write_text(path.read_text())
    print(f"Figures written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
