"""Profile one page end to end in-process, with the production settings of the
load benchmark (``DEBUG`` off, manifest static files, metrics on): where a
request's Python time goes (issue 17, docs/benchmarks.md "Python per request").

    BENCH_DATABASE_URL=postgres://…/gz_perf_bench python -m bench.profile \
        [--url /credits/] [--requests 50] [--sort cumulative] [--top 40]

Signs in one bench teacher (``--user`` for another account) with the test
client, sends ``--warmup`` requests, then measures ``--requests`` requests:
CPU time of this process per request (``time.process_time``, which the load on
a shared machine affects far less than wall time), wall time, queries, and a
cProfile of the measured requests sorted by cumulative and own time.
``--no-profile`` gives the CPU figure without the profiler's overhead.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time

from .env import OUT_DIR


def production_env(url: str) -> None:
    """The load benchmark's server environment, in this process: the
    development settings are read once for the bench city's ID-number key,
    then dropped so that ``django.setup()`` reads the production ones."""
    from django.conf import settings
    from django.utils.functional import empty

    from . import load

    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings")

    env = load.server_env(
        url,
        static_root=OUT_DIR / "static",
        media_root=OUT_DIR / "media",
        metrics_dir=tempfile.mkdtemp(prefix="gz-profile-metrics-"),
        # The test client's force_login cannot pass a second factor.
        two_factor=False,
    )
    env["ALLOWED_HOSTS"] = "testserver"
    load.collect_static(env, OUT_DIR / "static")
    os.environ.clear()
    os.environ.update(env)
    settings._wrapped = empty
    sys.modules.pop("config.settings", None)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="/credits/")
    parser.add_argument("--user", default="", help="username (default: the first bench teacher)")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--sort", default="cumulative,tottime")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--queries", type=int, default=0, help="print each query's time and its first N characters"
    )
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--dump", default="", help="write the raw profile here (pstats)")
    args = parser.parse_args(argv)

    # No default database: the profile signs a user in (a session row, last_login),
    # so it names the copy it may write to.
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url or "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit("Set BENCH_DATABASE_URL to a bench database (a copy: signing in writes).")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    production_env(url)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    users = get_user_model().objects.order_by("username")
    user = (
        users.get(username=args.user)
        if args.user
        else users.filter(username__startswith="bench-teacher-").first()
    )
    client = Client(headers={"X-Forwarded-Proto": "https"})
    client.force_login(user)
    for _ in range(args.warmup):
        assert client.get(args.url).status_code == 200
    timings = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - started, sql))

    with connection.execute_wrapper(timed):
        for _ in range(3):
            timings.clear()
            client.get(args.url)
    captured = timings
    if args.queries:
        for seconds, sql in timings:
            print(f"{seconds * 1000:7.2f} ms  {sql[: args.queries]}")

    # CPU time, not wall time: what a worker spends, without the waits on the database.
    profiler = None if args.no_profile else cProfile.Profile(time.process_time)
    cpu, wall = [], []
    for _ in range(args.requests):
        c0, w0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        response = client.get(args.url)
        if profiler:
            profiler.disable()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        assert response.status_code == 200, response.status_code
    print(
        f"{args.url} as {user.username}: {args.requests} requests, {len(captured)} queries; "
        f"CPU per request median {statistics.median(cpu) * 1000:.1f} ms "
        f"(mean {statistics.mean(cpu) * 1000:.1f}), "
        f"wall median {statistics.median(wall) * 1000:.1f} ms"
        f"{' (under cProfile)' if profiler else ''}; load average {os.getloadavg()[0]:.1f}"
    )
    if profiler:
        stats = pstats.Stats(profiler)
        if args.dump:
            stats.dump_stats(args.dump)
        for key in args.sort.split(","):
            stats.sort_stats(key).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
