"""The load benchmark's client and report on a tiny federation (bench/load.py):
real log-ins through the log-in form, signed-in page requests and the batch
sync with tokens, against Django's live test server (gunicorn itself runs only
in ``make loadtest``). No timing is asserted: only that every request is
answered as expected and counted, and that the run leaves nothing behind."""

import json
import subprocess
import sys

import pytest
from django.db import connection

from bench import env, generate, load, run
from centers.models import District
from core.models import User
from credits.models import CreditEntry

# The live server reads what the test wrote: committed, so flushed after.
live = pytest.mark.django_db(transaction=True)


@pytest.fixture
def city(settings):
    generate.generate(generate.TINY, log=lambda *_: None)
    # As behind the TLS proxy in production: X-Forwarded-Proto makes it HTTPS.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return run.bench_actors()


def people(actors):
    return [*actors["teachers"], *actors["districts"], actors["bureau"]]


@live
def test_the_load_client_signs_in_and_drives_each_target(city, live_server):
    actors = city
    password = load.set_run_password(people(actors))
    tokens = run.issue_tokens(actors["systems"])
    districts = list(District.objects.filter(pk__in=actors["systems"]))
    batches = run.build_batches(districts, batches=4, size=10, tag="smokeload")
    # The live server's threads share SQLite's one in-memory connection.
    concurrency = 3 if connection.vendor == "postgresql" else 1

    figures = load.measure(
        live_server.url,
        actors,
        password,
        tokens=tokens,
        batches=batches,
        tag="smokeload",
        concurrency=concurrency,
        requests=10,
        seconds=60,
        teacher_sessions=3,
        single=5,
        log=lambda *_: None,
    )

    for key in ("teacher_page", "district_completion", "bureau_dashboard"):
        fig = figures[key]
        assert (fig["requests"], fig["errors"]) == (10, 0), fig["first_errors"]
        assert 0 < fig["p50_ms"] <= fig["p95_ms"] <= fig["p99_ms"] <= fig["max_ms"]
        assert fig["req_per_s"] > 0
    assert figures["teacher_page"]["sessions"] == 3
    alone = figures["teacher_page"]["single_client"]  # the service time, one client
    assert (alone["requests"], alone["errors"], alone["concurrency"]) == (5, 0, 1)
    sync = figures["batch_sync"]
    assert (sync["requests"], sync["errors"], sync["batch_size"]) == (4, 0, 10)
    assert CreditEntry.objects.filter(external_id__startswith="bench-smokeload-").count() == 40
    rows = load.verdicts(figures)
    assert [r[0] for r in rows][:2] == ["Teacher page /credits/, req/s", "  p50 / p95 / p99"]
    json.dumps(figures)  # the report's JSON

    # What the run added goes again: the sync rows, the passwords.
    assert run.remove_sync_rows("smokeload") == 40
    load.clear_run_password(people(actors))
    assert not User.objects.get(pk=actors["bureau"].pk).has_usable_password()


@live
def test_a_wrong_password_is_no_session(city, live_server):
    load.set_run_password(people(city))
    with pytest.raises(RuntimeError, match="log-in of bench-bureau answered 200"):
        load.login(live_server.url, "bench-bureau", "not-the-password-1A!")


def test_the_server_is_gunicorn_on_loopback_with_production_settings(tmp_path):
    command = load.gunicorn_command(8123, 3)
    assert command[1:4] == ["-m", "gunicorn", "config.wsgi:application"]
    assert command[command.index("--bind") + 1] == "127.0.0.1:8123"
    env = load.server_env(
        "postgres://postgres@127.0.0.1:5432/gz_bench",
        static_root=tmp_path / "static",
        media_root=tmp_path / "media",
        metrics_dir=str(tmp_path / "metrics"),
        base={"PATH": "/usr/bin:/bin", "REDIS_URL": "redis://127.0.0.1:6379/0"},
    )
    assert "REDIS_URL" not in env  # the dev Redis is never the bench's
    assert (env["DJANGO_DEBUG"], env["ALLOWED_HOSTS"], env["TWO_FACTOR_ENFORCED"]) == (
        "0",
        "127.0.0.1",
        "0",
    )
    # The settings accept that environment as production.
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_PROXY_SSL_HEADER[0], s.SESSION_COOKIE_SECURE, "
        "s.TWO_FACTOR_ENFORCED)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "HTTP_X_FORWARDED_PROTO", "True", "False"]
    assert load.gunicorn_workers_default() == 3


def test_scale_n_is_the_city_n_times_over_in_its_own_database(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    assert env.database_name(env.bench_url()) == "gz_bench"
    assert env.database_name(env.bench_url(10)) == "gz_bench_x10"  # never gz_bench's data
    ten = generate.scaled(10)
    assert (ten.districts, ten.schools, ten.teachers, ten.entries) == (
        11,
        15_000,
        300_000,
        15_000_000,
    )
    assert generate.scaled(1) == generate.CITY
