"""``services.completion`` runs its statement compiled once per shape
(``completion._statement``): the same figures as the ORM building the same
queryset on the call (``grouped_completion``) and as the hand-written floor
(``bench.run.completion_sql``), for every shape a page or a job asks; a new
day, a changed minimum or a district's own policy compiles it again."""

import importlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.run import completion_sql
from credits import services
from credits.models import CategoryMinimum
from tests.factories import TeacherFactory

from .conftest import district_policy

# the module (``services.completion`` is its function)
completion_module = importlib.import_module("credits.services.completion")

pytestmark = pytest.mark.django_db

DAYS = [
    date(2021, 12, 1),  # before the cycle: no policy in force
    date(2023, 6, 30),
    date(2026, 6, 1),
    date(2026, 12, 31),
    date(2027, 2, 1),  # after it: the latest started policy
]


def figures(rows):
    return [(r.key, r.name, r.teachers, r.complete, r.at_risk, r.hours, r.order) for r in rows]


def by_orm(*, by="school", district_ids=None, school_ids=None, on=None, pmap=None):
    """The figures with the queryset built and compiled by the ORM on the call."""
    on = on or date.today()
    pmap = pmap or services.policy_map(on)
    if (
        (district_ids is not None and not district_ids)
        or (school_ids is not None and not school_ids)
        or (pmap.city is None and not pmap.overrides)
    ):
        return []
    grouped = completion_module.grouped_completion(
        by=by, district_ids=district_ids, school_ids=school_ids, on=on, pmap=pmap
    )
    return completion_module.completion_rows(by, [tuple(g.values()) for g in grouped])


def by_hand(*, by, district_ids=None, on):
    sql, params = completion_sql(by=by, district_ids=district_ids, on=on)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(
            (k, n, complete, risky, services.as_hours(hours or 0))
            for k, n, complete, risky, hours in cursor.fetchall()
        )


@pytest.fixture
def teachers(world, policy, award):
    """Teachers of every standing: complete; 360 h but short in ethics; on pace
    early and behind late; a reversal; no entry; inactive; another district."""
    CategoryMinimum.objects.create(policy=policy, category="it", hours=Decimal("50"))
    done = TeacherFactory(school=world.school_a, name="完成者")
    award(done, 36, category="ethics")
    award(done, 50, category="it")
    award(done, 274)
    short = TeacherFactory(school=world.school_a, name="差师德")
    award(short, 50, category="it")
    award(short, 310)
    award(world.teacher_a, 120, earned_on=date(2022, 6, 1))
    reversed_ = TeacherFactory(school=world.school_a2, name="冲销")
    entry = award(reversed_, 200).entry
    services.reverse_entry(entry=entry, reason="录入有误", by=world.user("bureau"))
    award(reversed_, 40, category="ethics", earned_on=date(2021, 5, 1))  # before the cycle
    TeacherFactory(school=world.school_a2, name="无学时")
    gone = TeacherFactory(school=world.school_a, name="离职")
    award(gone, 360)
    gone.is_active = False
    gone.save()
    award(world.teacher_b, 90, category="it")
    award(TeacherFactory(school=world.school_b, name="海珠完成"), 400, category="ethics")
    return world


def shapes(world):
    a, b = world.district_a.pk, world.district_b.pk
    both = [world.school_a.pk, world.school_a2.pk]
    return [
        {"by": "district"},
        {"by": "school"},
        {"by": "school", "district_ids": [a]},
        {"by": "school", "district_ids": [b]},
        {"by": "school", "district_ids": [a, b]},
        {"by": "school", "school_ids": [world.school_a.pk]},
        {"by": "school", "district_ids": [a], "school_ids": both},
        {"by": "district", "district_ids": [b, a]},
        {"by": "school", "district_ids": []},
        {"by": "school", "school_ids": []},
    ]


def test_every_shape_gives_the_orms_figures_and_the_hand_written_ones(teachers):
    world = teachers
    for on in DAYS:
        for shape in shapes(world):
            compiled = services.completion(**shape, on=on)
            assert figures(compiled) == figures(by_orm(**shape, on=on)), (shape, on)
            # and through the per-process policies a page passes
            in_force = services.policy_map_in_force(on)
            assert figures(services.completion(**shape, on=on, pmap=in_force)) == figures(compiled)
        if services.policy_map(on).city is None:
            assert services.completion(by="district", on=on) == []  # before the cycle
            continue
        for by, ids in (("district", None), ("school", [world.district_a.pk])):
            rows = services.completion(by=by, district_ids=ids, on=on)
            mine = sorted((r.key, r.teachers, r.complete, r.at_risk, r.hours) for r in rows)
            assert mine == by_hand(by=by, district_ids=ids, on=on), (by, on)
    # Something to compare: every kind of row is there on the late day.
    rows = {r.key: r for r in services.completion(by="school", on=date(2026, 12, 31))}
    a = rows[world.school_a.pk]
    assert (a.teachers, a.complete, a.at_risk, a.hours) == (3, 1, 2, Decimal("840"))


def test_a_district_policy_of_its_own_and_no_city_policy(teachers, policy):
    world = teachers
    district_policy(world.district_b, it="80")
    for on in DAYS[1:4]:
        for shape in shapes(world):
            assert figures(services.completion(**shape, on=on)) == figures(
                by_orm(**shape, on=on)
            ), (shape, on)
    policy.is_active = False
    policy.save()  # only the district's own policy is left
    on = DAYS[2]
    assert services.policy_map(on).city is None
    for shape in shapes(world):
        assert figures(services.completion(**shape, on=on)) == figures(by_orm(**shape, on=on))
    assert [r.key for r in services.completion(by="district", on=on)] == [world.district_b.pk]


def test_one_query_with_the_policies_in_force_and_compiled_once_per_shape(teachers):
    world = teachers
    on = DAYS[2]
    pmap = services.policy_map_in_force(on)
    calls = []
    prepared = completion_module.Prepared
    original = prepared.compiled

    def counting(self, using, key=()):
        found = original(self, using, key)
        calls.append(found)
        return found

    prepared.compiled = counting
    try:
        for _ in range(3):  # the bureau's table and two districts', alternated
            services.completion(by="district", on=on, pmap=pmap)
            for district in (world.district_a, world.district_b):
                with CaptureQueriesContext(connection) as queries:
                    services.completion(by="school", district_ids=[district.pk], on=on, pmap=pmap)
                assert len(queries) == 1
    finally:
        prepared.compiled = original
    # Two shapes, each compiled once: every later call found the same statement.
    assert len({id(found) for found in calls}) == 2


def test_a_changed_minimum_a_new_policy_and_a_new_day_compile_again(teachers, policy, award):
    world = teachers
    on = DAYS[3]
    district = [world.district_a.pk]

    def school_a(on=on):
        rows = services.completion(
            by="school", district_ids=district, on=on, pmap=services.policy_map_in_force(on)
        )
        assert figures(rows) == figures(by_orm(by="school", district_ids=district, on=on))
        return next(r for r in rows if r.key == world.school_a.pk)

    assert school_a().complete == 1
    minimum = CategoryMinimum.objects.get(policy=policy, category="it")
    minimum.hours = Decimal("10")  # the short-in-ethics teacher is still short
    minimum.save()
    assert school_a().complete == 1
    ethics = CategoryMinimum.objects.get(policy=policy, category="ethics")
    ethics.delete()  # now 360 h with 50 of IT completes
    assert school_a().complete == 2
    policy.total_hours = Decimal("400")
    policy.save()
    assert school_a().complete == 0
    minimum.delete()  # no minimum left: the total alone
    policy.total_hours = Decimal("360")
    policy.save()
    assert school_a().complete == 2
    # The day: at risk moves with the pace (early in the cycle nobody is behind).
    early, late = date(2022, 1, 10), date(2026, 12, 1)
    assert school_a(early).at_risk < school_a(late).at_risk
    assert school_a(late + timedelta(days=1)).teachers == 3


def test_long_lists_of_ids_are_built_by_the_orm(teachers, monkeypatch):
    world = teachers
    on = DAYS[2]
    monkeypatch.setattr(completion_module, "MAX_IDS", 1)
    shape = {"by": "school", "district_ids": [world.district_a.pk, world.district_b.pk]}
    assert completion_module._statement("school", shape["district_ids"], None) is None
    assert figures(services.completion(**shape, on=on)) == figures(by_orm(**shape, on=on))
