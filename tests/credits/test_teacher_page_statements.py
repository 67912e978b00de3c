"""The teacher page's four statements (``credits.teacher_page``) compiled once
per shape of scope (``core.statements.ScopedStatement``): for every actor of
the test world and each teacher, the same SQL, parameters and instances as the
``restrict``ed queryset the ORM builds for that user (the related school and
district, the history's count, SQLite's dates and decimals converted), before
and after the shape is compiled, in one query; one compile for every teacher a
user looks at, a new one when a membership changes the shape."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from core import statements
from core.permissions import get_scope
from core.replica import replica_reads
from core.roles import Role
from core.statements import UNPREPARED, ScopedStatement
from credits import services, teacher_page
from tests.credits.test_notifications import submit
from tests.factories import member

pytestmark = pytest.mark.django_db

STATEMENTS = (
    teacher_page._OWN_TEACHER,
    teacher_page._PENDING,
    teacher_page._TRANSCRIPTS,
    teacher_page._FIRST_HISTORY_PAGE,
)


def fresh(user):
    """The user as a new request loads it (no scope read yet)."""
    return get_user_model().objects.get(pk=user.pk)


def fields(objects):
    """Each instance's loaded values, its related objects' and annotations."""
    rows = []
    for obj in objects:
        row = {k: v for k, v in vars(obj).items() if not k.startswith("_")}
        for name, related in sorted(obj._state.fields_cache.items()):
            row[name] = fields([related])[0] if related is not None else None
        rows.append(row)
    return rows


@pytest.fixture
def busy(world, policy, award):
    for i in range(25):  # more than the history's page
        award(world.teacher_a, 2, earned_on=date(2024, 1, 1) + timedelta(days=i))
    award(world.teacher_b, 3)
    submit(world)
    services.approve_claim(claim=submit(world, title="另一个"), by=world.user("school_a"))
    services.issue_transcript(teacher=world.teacher_a, by=world.user("teacher_a"))
    for statement in STATEMENTS:
        statement._compiled.clear()
    return world


def _orm(user, teacher):
    return {
        "pending": list(teacher_page.pending_queryset(user, teacher)),
        "transcripts": list(teacher_page.transcripts_queryset(user, teacher)),
        "history": list(teacher_page.history_queryset(user, teacher, 0)),
    }


def _compiled(user, teacher):
    return {
        "pending": teacher_page.pending(user, teacher),
        "transcripts": teacher_page.transcripts(user, teacher),
        "history": teacher_page.history_rows(user, teacher, 0),
    }


def _sql(queryset):
    return statements.compose(queryset)[:3]


def test_every_actor_reads_what_the_orm_reads(busy, django_assert_max_num_queries):
    seen = 0
    for actor in busy.actors:
        for teacher in (busy.teacher_a, busy.teacher_b):
            for _ in range(2):  # the shape's first compile, then the compiled one
                user = fresh(busy.user(actor))
                expected = _orm(user, teacher)
                get_scope(user)
                compiled = {}
                for name, read in (
                    ("pending", teacher_page.pending),
                    ("transcripts", teacher_page.transcripts),
                    ("history", lambda u, t: teacher_page.history_rows(u, t, 0)),
                ):
                    with django_assert_max_num_queries(1):  # compiling runs no query
                        compiled[name] = read(user, teacher)
                assert {k: fields(v) for k, v in compiled.items()} == {
                    k: fields(v) for k, v in expected.items()
                }, (actor, teacher)
                seen += sum(map(len, expected.values()))
                # the statement sent is the ORM's (an IN list up to its order)
                for statement, queryset in (
                    (teacher_page._PENDING, teacher_page.pending_queryset(user, teacher)),
                    (teacher_page._TRANSCRIPTS, teacher_page.transcripts_queryset(user, teacher)),
                    (
                        teacher_page._FIRST_HISTORY_PAGE,
                        teacher_page.history_queryset(user, teacher, 0),
                    ),
                ):
                    found = statement.statement(
                        user, get_scope(user), ("default",), teacher=teacher.pk
                    )
                    using, sql, params = _sql(queryset)
                    assert found[:2] == (using, sql), actor
                    if sql is not None:
                        assert sorted(map(repr, found[2])) == sorted(map(repr, params)), actor
    assert seen > 50
    history = teacher_page.history_rows(fresh(busy.user("teacher_a")), busy.teacher_a, 0)
    assert len(history) == 20 and history[0].history_count == 25
    assert history[0].earned_on == date(2024, 1, 25)  # a date, not SQLite's text
    staff = teacher_page.pending(fresh(busy.user("school_a")), busy.teacher_a)
    assert [c.title for c in staff] == ["另一个", "全国课标研讨会"]
    assert len(teacher_page.transcripts(fresh(busy.user("district_a")), busy.teacher_a)) == 1
    assert teacher_page.pending(fresh(busy.user("district_b")), busy.teacher_a) == []


def test_the_own_record_is_the_orms_with_its_school_and_district(
    busy, django_assert_max_num_queries, django_assert_num_queries
):
    for actor in busy.actors:
        for _ in range(2):
            user = fresh(busy.user(actor))
            try:
                expected = fields(
                    [teacher_page.get_object_or_404(teacher_page.own_teacher_queryset(user))]
                )
            except Http404:
                expected = Http404
            get_scope(user)
            with django_assert_max_num_queries(1):
                try:
                    got = fields([teacher_page.own_teacher(user)])
                except Http404:
                    got = Http404
            assert got == expected, actor
    mine = teacher_page.own_teacher(fresh(busy.user("teacher_a")))
    assert mine.pk == busy.teacher_a.pk
    with django_assert_num_queries(0):  # school and district came with it
        assert (mine.school.name, mine.district.name) == ("天河第一小学", "天河区")
    busy.teacher_a.is_active = False
    busy.teacher_a.save(update_fields=["is_active"])
    with pytest.raises(Http404):
        teacher_page.own_teacher(fresh(busy.user("teacher_a")))


def test_one_compile_for_every_teacher_and_a_new_shape_for_a_membership(busy):
    user = busy.user("district_a")
    before = teacher_page._PENDING.compiles
    for teacher in (busy.teacher_a, busy.teacher_b, busy.teacher_a):
        assert fields(teacher_page.pending(fresh(user), teacher)) == fields(
            teacher_page.pending_queryset(fresh(user), teacher)
        )
    assert teacher_page._PENDING.compiles == before + 1
    assert teacher_page.pending(fresh(user), busy.teacher_b) == []
    extra = member(user, Role.DISTRICT_STAFF, busy.district_b)  # a longer IN
    claims = teacher_page.pending(fresh(user), busy.teacher_a)
    assert teacher_page._PENDING.compiles == before + 2
    assert fields(claims) == fields(teacher_page.pending_queryset(fresh(user), busy.teacher_a))
    extra.starts_on = date(2020, 1, 1)
    extra.ends_on = date.today() - timedelta(days=1)
    extra.save()
    teacher_page.pending(fresh(user), busy.teacher_a)
    assert teacher_page._PENDING.compiles == before + 2  # the first shape again


def test_later_history_pages_and_a_moving_value_keep_the_orms_path(busy, monkeypatch):
    user = fresh(busy.user("teacher_a"))
    second = teacher_page.history_rows(user, busy.teacher_a, 20)
    assert fields(second) == fields(teacher_page.history_queryset(user, busy.teacher_a, 20))
    assert len(second) == 5
    moving = iter(range(10_000, 20_000))
    statement = ScopedStatement(
        lambda user, *, teacher: statements.compose(
            teacher_page.entries_queryset(user, teacher).filter(pk__lt=next(moving))
        ),
        ints=("teacher",),
    )
    found = statement.statement(user, get_scope(user), teacher=busy.teacher_a.pk)
    assert next(iter(statement._compiled.values())) is UNPREPARED
    assert found[1] is not None


def test_the_callers_ids_are_checked():
    with pytest.raises(ImproperlyConfigured):
        ScopedStatement(lambda user, *, pk: None, ints=("pk",))
    statement = ScopedStatement(lambda user, *, teacher: None, ints=("teacher",))
    with pytest.raises(TypeError):
        statement.statement(None, None)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_routed_database_is_part_of_the_key(busy, settings):
    """Under the replica's router: a read inside ``replica_reads()`` goes to the
    replica, the page's own reads (and a block's after a write) to the primary,
    whichever was compiled first."""
    settings.DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
    user = fresh(busy.user("school_a"))

    def where(run):
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(connections["replica"]) as replica,
        ):
            result = run()
        return len(primary), len(replica), result

    def read():
        return [c.pk for c in teacher_page.pending(user, busy.teacher_a)]

    expected = [c.pk for c in teacher_page.pending_queryset(user, busy.teacher_a)]
    get_scope(user)
    assert where(read) == (1, 0, expected)

    def replicated():
        with replica_reads():
            first = read()
            get_user_model().objects.filter(pk=user.pk).update(name="x")  # pins the block
            return first, read()

    assert where(replicated) == (2, 1, (expected, expected))
    assert where(read) == (1, 0, expected)
