"""Production settings refuse to start half-configured, and a properly set
production environment passes Django's deployment checklist with no finding.
Each case runs ``manage.py check`` in a fresh process with its own env."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_KEY = next(
    line.split("=", 1)[1]
    for line in (ROOT / ".env.example").read_text().splitlines()
    if line.startswith("SECRET_KEY=")
)
GOOD_KEY = "kq8-Zr2x_Vb7Lm4NwPe9Ts1Yc6Hd3Jf0Ga5Ru8Io2Ek7Wl4Qn9Xs1Bz6Mv3Cy0"


def manage(*args, drop=(), **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_DEBUG",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "PYTEST_XDIST_WORKER",
            *drop,
        }
    }
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "env,message",
    [
        ({"ALLOWED_HOSTS": "portal.example.gov.cn"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "x.example"}, "at least 50 characters"),
        (
            {
                "SECRET_KEY": "dev-only-insecure-key-never-use-in-production-0123456789abcdef",
                "ALLOWED_HOSTS": "x.example",
            },
            "at least 50 characters",
        ),
        (
            {
                "SECRET_KEY": EXAMPLE_KEY,
                "ALLOWED_HOSTS": "x.example",
            },
            "at least 50 characters",
        ),
        ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS"),
    ],
    ids=["no-key", "short-key", "dev-key", "example-key", "no-hosts", "blank-hosts"],
)
def test_production_refuses_to_start_half_configured(env, message):
    result = manage("check", DJANGO_DEBUG="0", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


#: A Fernet key (urlsafe base64 of 32 bytes), for the ID numbers at rest.
ID_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


def test_production_passes_the_deploy_checklist():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="portal.example.gov.cn",
        ID_NUMBER_KEYS=ID_KEY,
        ID_NUMBER_HASH_KEY=GOOD_KEY[::-1],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_without_its_own_id_number_keys_is_a_finding():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        drop=("ID_NUMBER_KEYS", "ID_NUMBER_HASH_KEY"),
        DJANGO_DEBUG="0",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="portal.example.gov.cn",
    )
    assert result.returncode != 0
    assert "centers.W001" in result.stdout + result.stderr


def test_development_needs_nothing():
    result = manage("check", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr


def test_malformed_values_fail_loudly():
    result = manage("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be a boolean" in result.stderr
    result = manage("check", AUDIT_RETENTION_DAYS="90")
    assert result.returncode != 0
    assert "at least 180" in result.stderr


def test_cache_and_broker_use_different_redis_databases():
    code = (
        "from django.conf import settings as s; "
        "print(s.CELERY_BROKER_URL, s.CACHES['default'].get('LOCATION', '-'), "
        "s.CELERY_TASK_ALWAYS_EAGER)"
    )
    result = manage(
        "shell", "-c", code, drop=("REDIS_CACHE_URL",), REDIS_URL="redis://redis.example:6379/0"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "redis://redis.example:6379/0",
        "redis://redis.example:6379/1",
        "False",
    ]
    # Parallel test workers each get their own cache database.
    result = manage(
        "shell",
        "-c",
        code,
        drop=("REDIS_CACHE_URL",),
        REDIS_URL="redis://redis.example:6379/0",
        PYTEST_XDIST_WORKER="gw1",
    )
    assert result.stdout.strip().splitlines()[-1].split()[1] == "redis://redis.example:6379/2"
    result = manage("shell", "-c", code, drop=("REDIS_URL", "REDIS_CACHE_URL"))
    assert result.returncode == 0, result.stderr
    broker, _cache, eager = result.stdout.strip().splitlines()[-1].split()
    assert broker == "memory://" and eager == "True"


def test_next_redis_db():
    from django.core.exceptions import ImproperlyConfigured

    from config.env import next_redis_db

    assert next_redis_db("redis://h:6379/0") == "redis://h:6379/1"
    assert next_redis_db("redis://:secret@h:6379") == "redis://:secret@h:6379/1"
    assert next_redis_db("redis://h:6379/1", 2) == "redis://h:6379/3"
    with pytest.raises(ImproperlyConfigured):
        next_redis_db("redis://h:6379/cache")


def test_postgres_connections_run_without_jit(postgres):
    """JIT compilation cost the city completion 2.4 of its 4.1 s (the
    portal's queries are short): every connection turns it off."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
