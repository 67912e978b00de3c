"""One definition of complete / hours to go / at risk (issue 10): 360 of 360
hours but 45 of 50 in information technology is neither complete nor on
pace, on every surface."""

from datetime import date
from decimal import Decimal

import pytest

from centers.models import Teacher
from credits import services
from credits.exporters import CompletionExporter
from credits.models import CategoryMinimum
from tests.factories import TeacherFactory

from .conftest import district_policy

pytestmark = pytest.mark.django_db

LATE = date(2026, 12, 1)


@pytest.fixture
def short_in_it(world, policy, award):
    CategoryMinimum.objects.create(policy=policy, category="it", hours=Decimal("50"))
    award(world.teacher_a, 36, category="ethics")
    award(world.teacher_a, 45, category="it")
    award(world.teacher_a, 279)
    return world.teacher_a


def test_summary_and_api(short_in_it, world, login):
    summary = services.teacher_summary(short_in_it, on=LATE)
    assert summary.total == Decimal("360")
    assert not summary.complete and summary.remaining == Decimal("5") and summary.at_risk
    client = login(world.user("teacher_a"))
    data = client.get("/api/v1/credits/summary/").json()
    assert data["complete"] is False and data["remaining_hours"] == "5.0"


def test_lists_completion_export_and_reminders(short_in_it, world):
    row = services.annotate_progress(Teacher.objects.filter(pk=short_in_it.pk), LATE).get()
    assert not row.is_complete and row.hours_to_go == Decimal("5") and row.is_at_risk
    assert short_in_it.pk in set(
        services.at_risk(Teacher.objects.all(), LATE).values_list("pk", flat=True)
    )
    rows = services.completion(by="school", on=LATE)
    mine = next(r for r in rows if r.key == short_in_it.school_id)
    assert mine.complete == 0 and mine.at_risk >= 1
    exporter = CompletionExporter(world.user("bureau"))
    teachers = [r for r in list(exporter.sheets())[1].rows if r[2] == short_in_it.name]
    assert teachers and str(teachers[0][-1]) in {"No", "否"}


def test_meeting_the_minimum_completes(short_in_it, award):
    award(short_in_it, 5, category="it")
    summary = services.teacher_summary(short_in_it, on=LATE)
    assert summary.complete and summary.remaining == 0 and not summary.at_risk
    mine = next(r for r in services.completion(on=LATE) if r.key == short_in_it.school_id)
    assert mine.complete == 1


def test_category_balances_follow_awards_reversals_and_rebuilds(short_in_it, policy, award, world):
    """The minimums read the category columns of the balance row (no ledger
    scan per teacher): kept in step by an award and a reversal, and equal to a
    rebuild."""
    from credits.models import CreditBalance

    def balance():
        return CreditBalance.objects.get(policy=policy, teacher=short_in_it)

    assert balance().hours_it == Decimal("45")
    entry = award(short_in_it, 5, category="it").entry
    assert balance().hours_it == Decimal("50")
    row = services.annotate_progress(Teacher.objects.filter(pk=short_in_it.pk), LATE).get()
    assert row.is_complete
    services.reverse_entry(entry=entry, reason="录入有误", by=world.user("bureau"))
    assert balance().hours_it == Decimal("45")
    row = services.annotate_progress(Teacher.objects.filter(pk=short_in_it.pk), LATE).get()
    assert not row.is_complete and row.hours_to_go == Decimal("5")
    before = {c: h for c, h in balance().category_hours().items() if h}
    services.rebuild_balances(policy)
    after = {c: h for c, h in balance().category_hours().items() if h}
    assert (
        before == after == {"ethics": Decimal("36"), "it": Decimal("45"), "subject": Decimal("279")}
    )


def test_standing_reads_each_balance_by_one_join(short_in_it):
    """The city's completion is one statement with no subquery per teacher:
    each teacher's total and category minimums come from their balance row,
    joined once (it was ten correlated look-ups per teacher; see
    docs/benchmarks.md); the district's name and order are looked up once per
    group (a district), not joined to every teacher."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        rows = services.completion(by="district", on=LATE)
    assert sum(r.teachers for r in rows) >= 1
    sql = captured.captured_queries[-1]["sql"].upper()
    assert sql.count("SELECT") == 3 and sql.count('FROM "CENTERS_DISTRICT" U0 WHERE') == 2
    assert sql.count('"CREDITS_CREDITBALANCE"') == 1  # one policy in force: one join
    assert sql.endswith("GROUP BY 1")


# --- The teacher page's one-teacher statement (issue 17) ----------------------------

HOURS_COLUMNS = ("cycle_hours", "shortfall", "hours_to_go")
FLAGS = ("is_complete", "is_at_risk")


def _orm_standing(teacher, on, policy) -> dict:
    """The same figures by ``annotate_progress`` with every district's policy
    (``policy_map``), the hours by category from the balance row it joins."""
    from credits.models import category_hours_field
    from credits.services.progress import _balance_alias

    columns = {
        c: f"{_balance_alias(policy)}__{category_hours_field(c)}" for c in services.Category.values
    }
    row = (
        services.annotate_progress(Teacher.objects.filter(pk=teacher.pk), on)
        .values(*HOURS_COLUMNS, "behind_categories", *FLAGS, *columns.values())
        .get()
    )
    return {**{c: row.pop(column) for c, column in columns.items()}, **row}


def test_one_teacher_statement_equals_annotate_progress(world, policy, award):
    """``one_standing`` (the teacher page's hand-written statement) gives the
    figures of ``annotate_progress`` to the digit, for teachers complete, short
    of a minimum, behind pace, on pace early and behind late, with a reversal
    and entries of the previous cycle, with no entry at all, under the city's
    policy and under a district's own, before, during and after the cycle."""
    CategoryMinimum.objects.create(policy=policy, category="it", hours=Decimal("50"))
    district_policy(world.district_b, it="24.5")

    def teacher(school, *awards):
        t = TeacherFactory(school=school)
        for hours, category in awards:
            award(t, hours, category=category)
        return t

    a, b = world.school_a, world.school_b
    behind = teacher(a, (20, "it"), (12.5, "ethics"))
    services.reverse_entry(
        entry=behind.credit_entries.get(category="it"), reason="重复登记", by=world.user("bureau")
    )
    award(behind, 100, earned_on=date(2021, 6, 1))  # the previous cycle: never counts
    teachers = [
        teacher(a, (40, "ethics"), (60, "it"), (280.5, "subject")),  # complete
        teacher(a, (36, "ethics"), (45, "it"), (279, "subject")),  # 360, short in IT
        behind,
        teacher(a, (150.3, "subject"), (30, "ethics"), (20, "it")),  # on pace early only
        teacher(a, (36, "ethics"), (50, "it"), (10, "subject")),  # minimums met, total behind
        teacher(a),  # no entry: no balance row
        teacher(b, (290, "subject"), (24.4, "it")),  # the district's policy, short
        teacher(b, (300, "it")),  # the district's policy, complete
    ]
    seen = set()
    for on in (date(2021, 12, 1), date(2022, 3, 1), date(2024, 6, 30), LATE, date(2027, 2, 1)):
        for t in teachers:
            in_force = services.policy_for(t.district_id, on)
            mine = services.one_standing(t.pk, in_force, on)
            if in_force is None:
                assert mine == {"pending_count": 0, "pending_hours": None}
                continue
            orm = _orm_standing(t, on, in_force)
            for name, value in orm.items():
                if name in FLAGS:
                    assert bool(mine[name]) is bool(value), (t.pk, on, name)
                elif name == "behind_categories":
                    assert mine[name] == value, (t.pk, on, name)
                else:
                    assert services.as_hours(mine[name]) == services.as_hours(value), (
                        t.pk,
                        on,
                        name,
                        mine[name],
                        value,
                    )
            seen.add((bool(orm["is_complete"]), bool(orm["is_at_risk"]), orm["shortfall"] > 0))
    # Complete; at risk and short of a minimum; at risk on the total alone; on pace.
    assert {(True, False, False), (False, True, True), (False, True, False)} <= seen
    assert (False, False, False) in seen
