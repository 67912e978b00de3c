"""The load benchmark's client and report on a tiny federation (bench/load.py):
real log-ins through the log-in form, with the staff's second factor (a TOTP
code from the run's authenticator, posted through the verification form) as
in production, signed-in page requests and the batch sync with tokens, against
Django's live test server (gunicorn itself runs only in ``make loadtest``). No
timing is asserted: only that every request is answered as expected and
counted, and that the run leaves nothing behind."""

import json
import os
import subprocess
import sys
import time

import pytest
from django.db import connection
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench import env, generate, load, run
from centers.models import District
from core.models import User
from credits.models import CreditEntry

# The live server reads what the test wrote: committed, so flushed after.
live = pytest.mark.django_db(transaction=True)


@pytest.fixture
def city(settings):
    generate.generate(generate.TINY, log=lambda *_: None)
    # As behind the TLS proxy in production: X-Forwarded-Proto makes it HTTPS,
    # and the staff owe a second factor.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TWO_FACTOR_ENFORCED = True
    return run.bench_actors()


def people(actors):
    return [*actors["teachers"], *actors["districts"], actors["bureau"]]


def staff(actors):
    return [*actors["districts"], actors["bureau"]]


def devices_of(users):
    ids = [u.pk for u in users]
    return (
        TOTPDevice.objects.filter(user_id__in=ids).count()
        + StaticDevice.objects.filter(user_id__in=ids).count()
    )


@live
def test_the_load_client_signs_in_and_drives_each_target(city, live_server):
    actors = city
    password = load.set_run_password(people(actors))
    keys = load.enrol_run_devices(staff(actors))
    assert set(keys) == {u.username for u in staff(actors)}
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
        totp_keys=keys,
        log=lambda *_: None,
    )

    for key in ("teacher_page", "district_completion", "bureau_dashboard"):
        fig = figures[key]
        assert (fig["requests"], fig["errors"]) == (10, 0), fig["first_errors"]
        assert 0 < fig["p50_ms"] <= fig["p95_ms"] <= fig["p99_ms"] <= fig["max_ms"]
        assert fig["req_per_s"] > 0
    assert figures["teacher_page"]["sessions"] == 3
    # One sign-in of the bureau (a code works once per step), shared by its clients.
    assert figures["bureau_dashboard"]["sessions"] == 1
    login = figures["login"]
    assert login["two_factor"] is True
    assert (login["teacher"]["sign_ins"], login["teacher"]["second_factor_median_ms"]) == (3, None)
    assert login["district_staff"]["sign_ins"] == len(actors["districts"])
    assert login["bureau"]["sign_ins"] == 1
    for role in ("district_staff", "bureau"):
        fig = login[role]
        assert 0 < fig["password_median_ms"] < fig["median_ms"]
        assert fig["second_factor_median_ms"] > 0
    # Each staff account's code was accepted: the device has used a step.
    assert TOTPDevice.objects.filter(user__in=staff(actors), last_t__gt=-1).count() == len(
        staff(actors)
    )
    alone = figures["teacher_page"]["single_client"]  # the service time, one client
    assert (alone["requests"], alone["errors"], alone["concurrency"]) == (5, 0, 1)
    sync = figures["batch_sync"]
    assert (sync["requests"], sync["errors"], sync["batch_size"]) == (4, 0, 10)
    assert CreditEntry.objects.filter(external_id__startswith="bench-smokeload-").count() == 40
    rows = load.verdicts(figures)
    assert [r[0] for r in rows][:2] == ["Teacher page /credits/, req/s", "  p50 / p95 / p99"]
    assert ("Sign-in, median", "password + TOTP code (staff)", "", None) in rows
    json.dumps(figures)  # the report's JSON

    # What the run added goes again: the sync rows, the passwords, the devices.
    assert run.remove_sync_rows("smokeload") == 40
    load.clear_run_password(people(actors))
    assert not User.objects.get(pk=actors["bureau"].pk).has_usable_password()
    assert load.remove_run_devices(staff(actors)) == 2 * len(staff(actors))
    assert devices_of(people(actors)) == load.run_devices_left(staff(actors)) == 0


@live
def test_a_refused_code_is_retried_once_with_the_next(city, live_server):
    """The step of the code was used already (or rotated): the client waits
    out django-otp's throttle and posts the next step's code."""
    password = load.set_run_password(people(city))
    keys = load.enrol_run_devices(staff(city))
    device = TOTPDevice.objects.get(user=city["bureau"])
    left = device.step - time.time() % device.step
    if left < 3:  # the step must not rotate before the first code is posted
        time.sleep(left + 0.1)
    device.last_t = int(time.time()) // device.step  # this step's code is spent
    device.save()
    session = load.login(live_server.url, "bench-bureau", password, keys["bench-bureau"])
    assert session.code_retries == 1
    assert session.second_factor_ms >= 1000  # the throttle's second
    client = load.Client(live_server.url)
    assert client.request("GET", "/dashboards/bureau/", session=session)[0].status == 200
    client.close()

    # Twice refused: no session, a clear error (the step after next is spent too).
    device.refresh_from_db()
    device.last_t += 5
    device.throttle_reset(commit=False)
    device.save()
    with pytest.raises(RuntimeError, match="two-factor code of bench-bureau refused"):
        load.login(live_server.url, "bench-bureau", password, keys["bench-bureau"])
    assert load.remove_run_devices(staff(city)) == 2 * len(staff(city))


@live
def test_staff_without_the_code_get_no_session(city, live_server):
    """Two-factor is enforced: the password alone leaves a staff session that
    is sent to enrolment, so the warm-up refuses it."""
    password = load.set_run_password(people(city))
    session = load.login(live_server.url, "bench-bureau", password)
    with pytest.raises(RuntimeError, match="GET /dashboards/bureau/ as bench-bureau: 302"):
        load.warm_up(live_server.url, [session], "/dashboards/bureau/")


def test_devices_of_another_name_stop_the_run(db, city):
    bureau = city["bureau"]
    TOTPDevice.objects.create(user=bureau, name="authenticator", confirmed=True)
    with pytest.raises(RuntimeError, match="not made by a run"):
        load.enrol_run_devices(staff(city))
    assert load.run_devices_left(staff(city)) == 0
    # What a killed run left behind goes at the next run's start.
    TOTPDevice.objects.filter(user=bureau).delete()
    TOTPDevice.objects.create(user=bureau, name=load.RUN_DEVICE_NAME, confirmed=True)
    keys = load.enrol_run_devices(staff(city))
    assert TOTPDevice.objects.filter(user=bureau).count() == 1
    assert TOTPDevice.objects.get(user=bureau).bin_key == keys["bench-bureau"].key


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
        base={
            "PATH": "/usr/bin:/bin",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            # a developer's shell (local runserver): production's values win
            "TWO_FACTOR_ENFORCED": "0",
            "TWO_FACTOR_REQUIRED_ROLES": "bureau",
        },
    )
    assert "REDIS_URL" not in env  # the dev Redis is never the bench's
    assert (env["DJANGO_DEBUG"], env["ALLOWED_HOSTS"], env["TWO_FACTOR_ENFORCED"]) == (
        "0",
        "127.0.0.1",
        "1",
    )
    assert "TWO_FACTOR_REQUIRED_ROLES" not in env  # production's roles
    off = load.server_env(
        "postgres://postgres@127.0.0.1:5432/gz_bench",
        static_root=tmp_path / "static",
        media_root=tmp_path / "media",
        metrics_dir=str(tmp_path / "metrics"),
        two_factor=False,
        base={"PATH": "/usr/bin:/bin", "TWO_FACTOR_ENFORCED": "1"},
    )
    assert off["TWO_FACTOR_ENFORCED"] == "0"
    # The settings accept that environment as production.
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_PROXY_SSL_HEADER[0], s.SESSION_COOKIE_SECURE, "
        "s.TWO_FACTOR_ENFORCED)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "HTTP_X_FORWARDED_PROTO", "True", "True"]
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


@live
def test_only_the_targets_named_are_driven_and_their_cpu_accounted(city, live_server):
    """``--only teacher_page``: only the teachers sign in and only their page is
    driven; the meter accounts the run's CPU by process (here the live server is
    this process: no worker children, no backends named)."""
    password = load.set_run_password(people(city))
    meter = load.CpuMeter(os.getpid(), backends=list) if load.CpuMeter.available() else None
    figures = load.measure(
        live_server.url,
        city,
        password,
        tokens={},
        batches=[],
        tag="smokeonly",
        concurrency=1,
        requests=4,
        seconds=60,
        teacher_sessions=2,
        single=2,
        only=("teacher_page",),
        meter=meter,
        log=lambda *_: None,
    )
    assert set(figures) == {"login", "teacher_page"}
    assert set(figures["login"]) == {"two_factor", "teacher"}
    assert (figures["teacher_page"]["requests"], figures["teacher_page"]["errors"]) == (4, 0)
    load.clear_run_password(people(city))
    if meter is None:
        return
    cpu = figures["teacher_page"]["cpu_per_request"]
    assert cpu["client_ms"] > 0  # the live server's threads are this process
    assert (cpu["gunicorn_workers_ms"], cpu["postgres_ms"], cpu["postgres_backends"]) == (0, 0, 0)
    assert cpu["machine_ms"] >= cpu["ours_ms"] - 1  # ticks round: within one
    assert any(r[0].startswith("  CPU a request") for r in load.verdicts(figures))


@pytest.mark.skipif(not load.CpuMeter.available(), reason="no /proc")
def test_the_meter_counts_a_childs_cpu_as_the_workers():
    """A child of the "server" that spends CPU is a worker's CPU, per request."""
    meter = load.CpuMeter(os.getpid(), backends=list)
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; t = time.process_time() + 0.3\n"
            "while time.process_time() < t: pass\nimport sys; sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
    )
    try:
        meter.start()  # the child is counted from here: its start-up comes first
        time.sleep(1.0)
        cpu = meter.stop(requests=10)
    finally:
        child.communicate(b"")
    assert cpu["workers"] == 1
    assert 0 < cpu["gunicorn_workers_ms"] <= 60  # its 0.3 s (and start-up) over 10 requests
