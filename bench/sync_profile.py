"""Profile the district batch sync (``credits.services.sync_batch``) on a bench
database: where one 1,000-row batch's Python and SQL go (issue 17,
docs/benchmarks.md "The sync's profile and the cut").

    BENCH_DATABASE_URL=postgres://…/gz_sync_bench python -m bench.sync_profile \
        [--batches 10] [--batch-size 1000] [--explain] [--top 25]

Runs the bench's batches (``bench.run.build_batches``) through the service:
three to warm up, ``--batches`` timed (wall, this process's CPU and the
database backend's, per batch), three with each statement's time
(``CaptureQueriesContext``), ``--batches`` with the database backend's CPU
time read around each statement, the ``COPY`` and the ``COMMIT``
(``/proc/<pid>/schedstat``, nanoseconds: the split of the backend's CPU
by statement, which wall times under load do not give), then ``--batches``
under cProfile (CPU timer).
``--api`` posts the batches to the endpoint instead (Django's test client,
a token per district system, as ``bench --only sync``: the request, DRF and
the JSON parsing in the figures; the bodies are encoded beforehand).
``--explain`` also runs one more batch in a rolled-back transaction and
``EXPLAIN (ANALYZE, BUFFERS, WAL)`` its set-based statements (again, rolled
back). The refreshes the batches queue are collected, not run (as in the
bench), and every row added is removed at the end: use a copy of the bench
database (``createdb -T gz_bench``).
"""

import argparse
import cProfile
import datetime
import io
import os
import pstats
import sys
import time

EXPLAINED = ("credits_creditbalance", "INSERT INTO credits_creditactivity", "centers_teacher")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--api", action="store_true", help="post the batches to the endpoint (test client)"
    )
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url or "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit("Set BENCH_DATABASE_URL to a copy of a bench database (the sync writes).")

    from bench import env as bench_env

    bench_env.setup(migrate=False, verbose=False)
    from django.conf import settings

    settings.DEBUG = False
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(report(args.batches, args.batch_size, explain=args.explain, top=args.top, api=args.api))
    return 0


def report(n=10, size=1000, *, explain=False, top=25, api=False) -> str:
    """The profile's text (Django set up, on a bench database or the tiny
    test city); what it adds is removed before it returns. ``api``: the
    batches go to the endpoint through Django's test client, with a token
    per district system (as ``bench --only sync`` posts them), instead of
    straight to ``services.sync_batch``."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from bench.run import (
        backend_cpu,
        bench_actors,
        build_batches,
        queued_refreshes,
        remove_sync_rows,
    )
    from centers.models import District
    from credits import services

    actors = bench_actors()
    districts = list(District.objects.filter(pk__in=actors["systems"]).order_by("order"))
    tag = "prof" + datetime.datetime.now(datetime.UTC).strftime("%H%M%S")
    batches = iter(build_batches(districts, batches=3 * n + 7, size=size, tag=tag))
    lines = []

    if api:
        import json

        from django.test import Client

        from bench.run import BATCH_URL, issue_tokens

        tokens, http = issue_tokens(actors["systems"]), Client()
        # Encoded beforehand, as the bench does: the client's work, not the portal's.
        batches = iter(
            [(d, json.dumps({"entries": r}, ensure_ascii=False).encode()) for d, r in batches]
        )

    def run(key):
        district, rows = next(batches)
        if api:
            response = http.post(
                BATCH_URL,
                data=rows,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {tokens[district.pk]}",
                HTTP_IDEMPOTENCY_KEY=f"bench-{tag}-{key}",
            )
            if response.status_code != 201:
                raise RuntimeError(f"{response.status_code} {response.content[:300]!r}")
            return
        answer = services.sync_batch(
            district=district,
            key=f"bench-{tag}-{key}",
            body={"entries": rows},
            user=actors["systems"][district.pk],
        )
        if answer.status != 201:
            raise RuntimeError(f"{answer.status} {str(answer.body)[:300]}")

    try:
        with queued_refreshes():
            for i in range(3):
                run(f"warm-{i}")
            wall, client, server = time.perf_counter(), time.process_time(), backend_cpu()
            for i in range(n):
                run(f"timed-{i}")
            wall, client = time.perf_counter() - wall, time.process_time() - client
            server = (backend_cpu() - server) if server is not None else None
            lines.append(
                f"per batch: wall {wall / n * 1000:.1f} ms, this process's CPU "
                f"{client / n * 1000:.1f} ms, the backend's "
                + ("unreadable" if server is None else f"{server / n * 1000:.1f} ms")
            )
            times: dict = {}
            with CaptureQueriesContext(connection) as queries:
                for i in range(3):
                    run(f"sql-{i}")
            for query in queries.captured_queries:
                times.setdefault(query["sql"][:100], []).append(float(query["time"]) * 1000)
            lines.append("statements, ms per batch (3 batches):")
            for sql, values in sorted(times.items(), key=lambda kv: -sum(kv[1])):
                lines.append(f"  {sum(values) / 3:7.2f}  ×{len(values)}  {sql}")
            lines += _backend_cpu_by_statement(run, n)
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for i in range(n):
                run(f"profiled-{i}")
            profile.disable()
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out)
            stats.sort_stats("tottime").print_stats(top)
            stats.sort_stats("cumulative").print_stats(top)
            lines.append(f"cProfile of {n} batches (CPU):{out.getvalue()}")
            if explain and connection.vendor == "postgresql":
                lines += _explain(run, connection, transaction, CaptureQueriesContext)
    finally:
        remove_sync_rows(tag)
    return "\n".join(lines)


def schedstat_ns(pid) -> int | None:
    """CPU time of a process on this machine in nanoseconds (the first field
    of ``/proc/<pid>/schedstat``), None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/schedstat") as stat:
            return int(stat.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _statement_name(sql: str) -> str:
    words = sql.split()
    if words[:1] == ["WITH"] and "nextval" in sql:
        return "ids (nextval)"
    if words[:1] in (["SAVEPOINT"], ["RELEASE"]):
        return " ".join(words[:-1])
    text = " ".join(words[:6])
    return text[:70]


def _backend_cpu_by_statement(run, n) -> list[str]:
    """Run ``n`` batches reading the backend's CPU time (``schedstat``)
    around each statement, the entries' ``COPY`` and the ``COMMIT``."""
    from unittest import mock

    from django.db import connection

    from credits import bulk

    if connection.vendor != "postgresql":
        return []
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    if schedstat_ns(pid) is None:
        return ["backend CPU by statement: /proc/<pid>/schedstat unreadable"]
    spent: dict = {}

    def timed(name, call, *args, **kwargs):
        before = schedstat_ns(pid)
        try:
            return call(*args, **kwargs)
        finally:
            total = spent.setdefault(name, [0, 0])
            total[0] += schedstat_ns(pid) - before
            total[1] += 1

    def wrapper(execute, sql, params, many, context):
        return timed(_statement_name(sql), execute, sql, params, many, context)

    copy_from, commit = bulk.copy_from, connection._commit
    start = schedstat_ns(pid)
    with (
        connection.execute_wrapper(wrapper),
        mock.patch.object(bulk, "copy_from", lambda *a: timed("COPY (entries)", copy_from, *a)),
        mock.patch.object(connection, "_commit", lambda: timed("COMMIT", commit)),
    ):
        for i in range(n):
            run(f"cpu-{i}")
    whole = (schedstat_ns(pid) - start) / n / 1e6
    lines = [f"backend CPU by statement, ms per batch ({n} batches; {whole:.1f} in all):"]
    for name, (ns, count) in sorted(spent.items(), key=lambda kv: -kv[1][0]):
        lines.append(f"  {ns / n / 1e6:7.2f}  ×{count / n:g}  {name}")
    rest = whole - sum(ns for ns, _c in spent.values()) / n / 1e6
    lines.append(f"  {rest:7.2f}      (between statements)")
    return lines


def _explain(run, connection, transaction, capture) -> list[str]:
    class Undo(Exception):
        pass

    try:
        with transaction.atomic(), capture(connection) as queries:
            run("explain")
            raise Undo
    except Undo:
        pass
    lines = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if not any(name in sql[:80] for name in EXPLAINED):
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, WAL) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
            transaction.set_rollback(True)
        lines += [sql[:100], *plan[:4], *plan[-2:], ""]
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
