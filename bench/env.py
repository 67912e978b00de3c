"""Where the benchmark runs: its own PostgreSQL database, never the dev or
test data. ``BENCH_DATABASE_URL`` names it (default
``postgres://postgres@127.0.0.1:5432/gz_bench``); the database name must
contain "bench", because the benchmark removes the rows it adds."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gz_bench"
OUT_DIR = Path(__file__).resolve().parent / "out"


def bench_url(scale: int = 1) -> str:
    """``BENCH_DATABASE_URL``, else gz_bench, or gz_bench_xN for the city N
    times over (``--scale N``): the 1× data is never replaced by a larger one."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    if scale > 1:
        return DEFAULT_URL.rsplit("/", 1)[0] + f"/gz_bench_x{scale}"
    return DEFAULT_URL


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def configure(scale: int = 1) -> str:
    """Point Django at the bench database before it is set up: tasks run
    in-process (no Redis), exports are written under bench/out/."""
    url = bench_url(scale)
    name = database_name(url)
    if "bench" not in name:
        sys.exit(f"Refusing to run on {name!r}: the bench database's name must contain 'bench'.")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmark measures PostgreSQL: BENCH_DATABASE_URL must be postgres://…")
    os.environ["DATABASE_URL"] = url
    os.environ["BENCH_DATABASE_URL"] = url  # the same for the child processes (export)
    os.environ.pop("REDIS_URL", None)  # eager tasks, local-memory cache
    os.environ.pop("TEST_DATABASE_NAME", None)
    os.environ.setdefault("MEDIA_ROOT", str(OUT_DIR / "media"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return url


def ensure_database(url: str, *, fresh: bool = False) -> bool:
    """Create the bench database if missing (drop it first with ``fresh``).
    Returns True when it was created."""
    import psycopg2
    from psycopg2 import sql

    name = database_name(url)
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            if fresh:
                cur.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone():
                return False
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        conn.close()


def setup(
    *, fresh: bool = False, migrate: bool = True, verbose: bool = True, scale: int = 1
) -> str:
    """Configure, create the database if needed, set Django up, migrate."""
    url = configure(scale)
    created = ensure_database(url, fresh=fresh)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        if verbose:
            print(f"{'Created' if created else 'Using'} database {database_name(url)}; migrating…")
        call_command("migrate", verbosity=0, interactive=False)
    return url
