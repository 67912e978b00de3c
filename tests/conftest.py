"""Shared fixtures: a small federation of two districts and two municipal
centers, and the actors every permission test names once (ARCHITECTURE.md):
a bureau official, staff of center A and of center B, a district admin of
district A (and one of B), a school admin, a teacher, a vendor, a district
system, and an outsider with no role."""

import functools
import itertools
import os
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.test import Client

from centers.models import CenterKind
from config.celery import app as celery_app
from core.roles import Role

from .factories import (
    PASSWORD,
    CenterFactory,
    DistrictFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    VendorFactory,
    member,
)

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, what: str):
    """Tests that need a real service or tool fail in CI when it is missing,
    and skip on a newcomer's machine."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI expects {what}, and it is missing.")
    pytest.skip(f"needs {what}")


@pytest.fixture
def redis_services():
    require(bool(os.environ.get("REDIS_URL")), "Redis (REDIS_URL)")


@pytest.fixture
def postgres(db):
    from django.db import connection

    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A second database alias, ``replica``, as a TEST MIRROR of ``default``
    (what DATABASE_REPLICA_URL adds in production; core/replica.py). No router
    sends reads there unless a test installs it (tests/core/test_replica.py),
    and a test that does declares both databases."""
    from django.conf import settings
    from django.db import connections

    if "replica" not in settings.DATABASES:
        default = connections.settings["default"]
        settings.DATABASES["replica"] = {
            **default,
            "TEST": {**default["TEST"], "MIRROR": "default"},
        }


@pytest.fixture(scope="session")
def _media_roots(tmp_path_factory):
    """A media folder per test, made only when the test saves a file: one
    name each under one folder of the session. (``tmp_path`` makes a folder
    per test, and to number it lists every folder made before it on the
    worker: a few milliseconds a test once thousands have run.)"""
    base = tmp_path_factory.mktemp("media")
    return (base / str(n) for n in itertools.count())


@pytest.fixture(autouse=True)
def _tasks_inline(request, settings, _media_roots):
    """Tasks run in-process unless the test drives a real worker."""
    settings.MEDIA_ROOT = next(_media_roots)
    if request.node.get_closest_marker("services"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextmanager
def shared_demo(django_db_blocker, tmp_path_factory, load):
    """Load demo data once for a whole test module (see docs/architecture.md,
    "Tests"): ``load()`` runs in an outer transaction that stays open for the
    module and is rolled back at its end; what it returns is yielded. Each
    test still takes the ``db`` fixture, whose transaction is then a savepoint
    inside that one, so what a test writes (even reloading the demo) is undone before the next test.
    Only for modules where every test uses the demo: a test of the module that
    does not would see it too."""
    from django.db import transaction
    from django.test import override_settings

    media = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("demo-media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],  # as _fast_passwords
    )
    with django_db_blocker.unblock(), media:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            loaded = load()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield loaded
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_federation(django_db_setup, django_db_blocker, tmp_path_factory):
    """The whole demo federation (``manage.py load_demo``), loaded once per
    module; use it as the ``demo`` fixture of a module whose tests all need it."""
    from django.core.management import call_command

    with shared_demo(
        django_db_blocker, tmp_path_factory, lambda: call_command("load_demo", "--quiet-accounts")
    ):
        yield


#: Data migrations whose rows the tests rely on, each idempotent: a
#: transactional test (PostgreSQL concurrency, browser) ends by flushing every
#: table, so they are run again after one, for the tests that follow on the
#: same worker.
SEED_MIGRATIONS = [
    ("centers.migrations.0007_correct_standard_rules", "correct"),
    ("studios.migrations.0002_rules_and_schemes", "forwards"),
    ("funding.migrations.0002_default_rules", "load"),
    ("evaluation.migrations.0003_default_weights", "seed"),
]


def _flushes(item) -> bool:
    marker = item.get_closest_marker("django_db")
    flushed = bool(marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)))
    return flushed or bool({"transactional_db", "live_server"} & set(item.fixturenames))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Seed again after the flush, which pytest-django's own fixture does as it is
    torn down: after every fixture of this file (an autouse fixture here ran its
    seeding before the flush, which then emptied those tables again). Not after
    the last test, whose teardown also ends the test database."""
    result = yield
    if nextitem is not None and _flushes(item):
        from importlib import import_module

        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            apps = _migrated_apps()
            for module, function in SEED_MIGRATIONS:
                getattr(import_module(module), function)(apps, None)
    return result


@functools.cache
def _migrated_apps():
    """The models as the migrations leave them (historical models, as a data
    migration gets): seeding through them writes no audit entry, since they are
    not ``AuditedModel``'s subclasses; built once a worker."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    return MigrationLoader(connection).project_state().apps


@pytest.fixture(autouse=True)
def _fresh_caches():
    from django.core.cache import cache

    cache.clear()
    yield


@dataclass
class World:
    district_a: object
    district_b: object
    center_a: object
    center_b: object
    district_center_a: object
    school_a: object
    school_a2: object
    school_b: object
    teacher_a: object
    teacher_b: object
    vendor: object
    actors: dict

    def user(self, name):
        return self.actors[name]


ACTOR_NAMES = [
    "bureau",
    "center_a",
    "center_b",
    "district_a",
    "district_b",
    "school_a",
    "teacher_a",
    "vendor",
    "system_a",
    "outsider",
]


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> World:
    """The two-sided world of ``ACTOR_NAMES`` (a plain function, so a module
    can build it once under ``shared_demo``)."""
    district_a = DistrictFactory(code="tianhe", name="天河区", order=1)
    district_b = DistrictFactory(code="haizhu", name="海珠区", order=2)
    center_a = CenterFactory(code="center-a", name="中小学教师发展中心")
    center_b = CenterFactory(code="center-b", name="幼儿园教师发展中心")
    district_center_a = CenterFactory(
        code="district-tianhe",
        name="天河区教师发展中心",
        kind=CenterKind.DISTRICT,
        district=district_a,
    )
    school_a = SchoolFactory(district=district_a, name="天河第一小学")
    school_a2 = SchoolFactory(district=district_a, name="天河实验小学")
    school_b = SchoolFactory(district=district_b, name="海珠第一小学")
    teacher_a = TeacherFactory(school=school_a, name="李老师")
    teacher_b = TeacherFactory(school=school_b, name="王老师")
    vendor = VendorFactory(name="培训机构甲")

    actors = {name: UserFactory(username=name) for name in ACTOR_NAMES}
    member(actors["bureau"], Role.BUREAU)
    member(actors["center_a"], Role.CENTER_STAFF, center_a)
    member(actors["center_b"], Role.CENTER_STAFF, center_b)
    member(actors["district_a"], Role.DISTRICT_STAFF, district_a)
    member(actors["district_b"], Role.DISTRICT_STAFF, district_b)
    member(actors["school_a"], Role.SCHOOL_ADMIN, school_a)
    member(actors["teacher_a"], Role.TEACHER, teacher_a)
    teacher_a.user = actors["teacher_a"]
    teacher_a.save(update_fields=["user"])
    member(actors["vendor"], Role.VENDOR, vendor)
    member(actors["system_a"], Role.DISTRICT_SYSTEM, district_a)
    return World(
        district_a,
        district_b,
        center_a,
        center_b,
        district_center_a,
        school_a,
        school_a2,
        school_b,
        teacher_a,
        teacher_b,
        vendor,
        actors,
    )


@pytest.fixture
def login():
    """``login(user)`` → a test client signed in as that user."""

    def _login(user):
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_token(world):
    """``api_token("system_a")`` → (raw key, token) for that district system."""
    from core.models import ApiToken, Membership

    def _token(actor="system_a"):
        membership = Membership.objects.get(user=world.user(actor), role=Role.DISTRICT_SYSTEM)
        token, raw = ApiToken.issue(membership=membership, name="test")
        return raw, token

    return _token


__all__ = ["PASSWORD"]
