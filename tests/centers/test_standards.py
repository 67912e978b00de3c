"""Standards held as data, evaluated per center into pass/fail with the
figure behind each rule; edge cases at the thresholds and with no staff;
a fixed number of queries whatever the number of centers and staff."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centers.models import (
    Degree,
    Employment,
    Honour,
    RoomFunction,
    StandardRule,
    Title,
)
from centers.services import (
    entry_conditions,
    evaluate_center,
    evaluate_centers,
    is_inactive,
    meets_entry_conditions,
    staff_meets_standard,
)
from core.models import ExportJob
from tests.contracts import assert_constant_queries
from tests.factories import CenterFactory

from .factories import CampusFactory, RecordFactory, RoomFactory, StaffFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)  # school year 2026; the reference year is 2025


def results(center):
    return {r.rule.code: r for r in evaluate_center(center, today=TODAY).results}


def test_the_rules_are_data(db):
    codes = set(StandardRule.objects.values_list("code", flat=True))
    assert {
        "part-time-ratio",
        "senior-or-intermediate",
        "senior",
        "capacity",
        "school-days",
        "lessons",
        "school-semester",
        "inactive",
        "entry",
    } <= codes


def test_a_center_with_no_staff(db):
    center = CenterFactory()
    r = results(center)
    assert not r["part-time-ratio"].passed and r["part-time-ratio"].figure == "—"
    assert not r["senior"].passed and r["senior"].value is None
    assert not r["school-days"].passed
    assert not r["capacity"].passed and r["capacity"].value == 0
    assert r["inactive"].passed and r["inactive"].value == 0
    assert r["entry"].passed  # nobody hired: nothing to violate


def _full(center, n, **kwargs):
    return [
        StaffFactory(center=center, employment=Employment.FULL_TIME, **kwargs) for _ in range(n)
    ]


def test_exactly_at_each_threshold_passes(db):
    center = CenterFactory()
    # 10 full-time: 5 senior, 4 first grade (= 90 % senior or intermediate), 1 second.
    _full(center, 5, title=Title.SENIOR)
    _full(center, 4, title=Title.FIRST)
    _full(center, 1, title=Title.SECOND)
    for _ in range(10):
        StaffFactory(center=center, employment=Employment.PART_TIME)
    room = RoomFactory(campus=CampusFactory(center=center), seats=60)
    RoomFactory(campus=room.campus, seats=40, function=RoomFunction.LECTURE_HALL)
    RoomFactory(campus=room.campus, seats=500, function=RoomFunction.CANTEEN)
    RoomFactory(campus=room.campus, seats=100, function=RoomFunction.DORMITORY)
    RoomFactory(campus=room.campus, seats=100, function=RoomFunction.SPORTS)
    researcher = StaffFactory(center=center, is_research_staff=True, title=Title.SENIOR)
    RecordFactory(
        staff=researcher,
        year=2025,
        school_days_autumn=20,
        school_days_spring=20,
        lessons_observed=120,
    )
    RecordFactory(staff=researcher, year=2023, taught_semester_in_school=True)
    r = results(center)
    assert r["part-time-ratio"].value == Decimal("10.00")  # 10 part-time : 1 research staffer
    # 20 of 21 staff (the part-timers are senior by default) have such a title.
    assert r["senior-or-intermediate"].value == Decimal("95.2")
    assert r["capacity"].value == 100 and r["capacity"].passed
    assert r["school-days"].value == 20 and r["school-days"].passed
    assert r["lessons"].value == 120 and r["lessons"].passed
    assert r["school-semester"].value == 3 and r["school-semester"].passed


def test_ratio_and_title_shares_at_the_threshold(db):
    center = CenterFactory()
    _full(center, 3, title=Title.SENIOR, is_research_staff=True)
    _full(center, 2, title=Title.SENIOR)
    _full(center, 4, title=Title.FIRST)
    _full(center, 1, title=Title.SECOND)
    r = results(center)
    assert not r["part-time-ratio"].passed  # no part-timer against 3 research staff
    for _ in range(3):
        StaffFactory(center=center, employment=Employment.PART_TIME, title=Title.SENIOR)
    StaffFactory(center=center, employment=Employment.PART_TIME, title=Title.FIRST)
    StaffFactory(center=center, employment=Employment.PART_TIME, title=Title.FIRST)
    StaffFactory(center=center, employment=Employment.PART_TIME, title=Title.SECOND)
    r = results(center)
    assert r["part-time-ratio"].value == Decimal("2.00") and r["part-time-ratio"].passed
    assert r["part-time-ratio"].figure.startswith("6 : 3")
    # 8 senior + 6 first grade of 16 teachers in total: 87.5 % and 50 %.
    assert r["senior-or-intermediate"].value == Decimal("87.5")
    assert not r["senior-or-intermediate"].passed
    assert r["senior"].value == Decimal("50.0") and r["senior"].passed
    assert r["senior"].detail.startswith("8 / 16")
    center.staff.filter(title=Title.SENIOR).update(title=Title.FIRST)
    r = results(center)
    assert r["senior"].value == 0 and not r["senior"].passed


def test_research_staff_below_the_minimums_are_named(db):
    center = CenterFactory()
    good = StaffFactory(center=center, is_research_staff=True, name="达标者")
    short = StaffFactory(center=center, is_research_staff=True, name="不足者")
    RecordFactory(staff=good, year=2025, school_days_autumn=25, school_days_spring=22)
    RecordFactory(
        staff=short, year=2025, school_days_autumn=25, school_days_spring=19, lessons_observed=119
    )
    r = results(center)
    assert r["school-days"].value == 19 and not r["school-days"].passed
    assert "不足者" in r["school-days"].detail and "达标者" not in r["school-days"].detail
    assert r["lessons"].value == 119 and not r["lessons"].passed


def test_a_research_staffer_without_a_record_counts_zero(db):
    center = CenterFactory()
    StaffFactory(center=center, is_research_staff=True)
    assert results(center)["school-days"].value == 0


def test_someone_hired_this_year_is_not_judged_on_last_year(db):
    center = CenterFactory()
    StaffFactory(center=center, is_research_staff=True, hired_on=date(2026, 9, 1))
    r = results(center)
    assert r["school-days"].value is None  # nobody to judge yet


def test_a_semester_in_a_school_every_three_years(db):
    center = CenterFactory()
    s = StaffFactory(center=center, is_research_staff=True)
    RecordFactory(staff=s, year=2022, taught_semester_in_school=True)
    r = results(center)
    assert r["school-semester"].value == 4 and not r["school-semester"].passed


def test_inactive_for_two_years(db):
    center = CenterFactory()
    idle = StaffFactory(center=center, employment=Employment.PART_TIME, name="闲置者")
    RecordFactory(staff=idle, year=2024, took_part=False)
    RecordFactory(staff=idle, year=2025, took_part=False)
    busy = StaffFactory(center=center)
    RecordFactory(staff=busy, year=2025, took_part=True)
    new = StaffFactory(center=center, hired_on=date(2025, 10, 1))
    assert is_inactive(idle, today=TODAY)
    assert not is_inactive(busy, today=TODAY)
    assert not is_inactive(new, today=TODAY)
    r = results(center)
    assert r["inactive"].value == 1 and "闲置者" in r["inactive"].detail
    assert not r["inactive"].passed


def test_entry_conditions(db):
    center = CenterFactory()
    ok = StaffFactory.build(
        center=center,
        title=Title.FIRST,
        honour=Honour.DISTRICT_LEADER,
        degree=Degree.BACHELOR,
        years_teaching=6,
        date_of_birth=date(1980, 1, 1),
        hired_on=date(2025, 9, 1),  # 45 years old
    )
    assert meets_entry_conditions(ok)
    too_old = StaffFactory.build(**{**_fields(ok), "date_of_birth": date(1970, 1, 1)})
    assert not meets_entry_conditions(too_old)
    # A municipal subject leader or a master's degree relaxes honour and age.
    relaxed = StaffFactory.build(
        **{**_fields(too_old), "honour": Honour.NONE, "degree": Degree.MASTER}
    )
    assert meets_entry_conditions(relaxed)
    junior = StaffFactory.build(**{**_fields(ok), "title": Title.SECOND})
    failed = {c.code for c in entry_conditions(junior) if not c.met}
    assert failed == {"title"}
    assert not meets_entry_conditions(StaffFactory.build(**{**_fields(ok), "years_teaching": 5}))


def _fields(staff):
    return {
        f: getattr(staff, f)
        for f in (
            "center",
            "title",
            "honour",
            "degree",
            "years_teaching",
            "date_of_birth",
            "hired_on",
        )
    }


def test_new_hires_meeting_entry_conditions_rule(db):
    center = CenterFactory()
    StaffFactory(
        center=center,
        is_research_staff=True,
        hired_on=date(2024, 9, 1),
        title=Title.SECOND,
        date_of_birth=date(1990, 1, 1),
    )
    StaffFactory(
        center=center,
        is_research_staff=True,
        hired_on=date(2024, 9, 1),
        title=Title.FIRST,
        honour=Honour.DISTRICT_LEADER,
        date_of_birth=date(1985, 1, 1),
    )
    r = results(center)
    assert r["entry"].value == Decimal("50.0") and not r["entry"].passed
    assert r["entry"].figure.startswith("50.0% (1 / 2)")


def test_staff_meets_standard_for_the_faculty_register(db):
    center = CenterFactory()
    ok = StaffFactory(
        center=center,
        title=Title.FIRST,
        honour=Honour.DISTRICT_LEADER,
        years_teaching=8,
        date_of_birth=date(1985, 1, 1),
        hired_on=date(2024, 9, 1),
    )
    assert staff_meets_standard(ok)
    ok.is_active = False
    assert not staff_meets_standard(ok)
    junior = StaffFactory(center=center, title=Title.SECOND, honour=Honour.DISTRICT_LEADER)
    assert not staff_meets_standard(junior)


def test_a_rule_edited_as_data_changes_the_verdict(db):
    center = CenterFactory()
    campus = CampusFactory(center=center)
    RoomFactory(campus=campus, seats=80, function=RoomFunction.LECTURE_HALL)
    for function in (RoomFunction.CANTEEN, RoomFunction.DORMITORY, RoomFunction.SPORTS):
        RoomFactory(campus=campus, seats=200, function=function)
    assert not results(center)["capacity"].passed
    StandardRule.objects.filter(code="capacity").update(threshold=80)
    assert results(center)["capacity"].passed
    StandardRule.objects.filter(code="capacity").update(is_active=False)
    assert "capacity" not in results(center)


def test_evaluation_makes_a_fixed_number_of_queries(db):
    def run():
        every = list(type(centers[0]).objects.all())
        with CaptureQueriesContext(connection) as ctx:
            evaluate_centers(every, today=TODAY)
        return len(ctx.captured_queries)

    centers = [CenterFactory()]
    _populate(centers[0])
    before = run()
    for _ in range(4):
        c = CenterFactory()
        _populate(c)
        centers.append(c)
    assert run() == before == 4
    with CaptureQueriesContext(connection) as ctx:
        assert evaluate_centers([], today=TODAY) == []
    assert ctx.captured_queries == []  # no center (a district without one): nothing read


def _populate(center):
    s = StaffFactory(center=center, is_research_staff=True)
    RecordFactory(staff=s, year=2025)
    RecordFactory(staff=s, year=2024)
    StaffFactory(center=center, employment=Employment.PART_TIME)
    RoomFactory(campus=CampusFactory(center=center))


def test_matrix_page_makes_a_constant_number_of_queries(world, login):
    client = login(world.user("bureau"))
    _populate(world.center_a)

    def add(n):
        for _ in range(n):
            _populate(CenterFactory())

    assert_constant_queries(client, reverse("centers:standards-matrix"), add)


def test_center_page_makes_a_constant_number_of_queries(world, login):
    client = login(world.user("center_a"))
    url = reverse("centers:center-standards", args=[world.center_a.pk])
    _populate(world.center_a)
    assert_constant_queries(client, url, lambda n: [_populate(world.center_a) for _ in range(n)])


def test_matrix_page_shows_every_center_and_rule(world, login, staffed):
    response = login(world.user("bureau")).get(reverse("centers:standards-matrix"))
    body = response.content.decode()
    for center in (world.center_a, world.center_b, world.district_center_a):
        assert f'data-center="{center.pk}"' in body
    assert len(response.context["rules"]) == StandardRule.objects.count()
    filtered = login(world.user("bureau")).get(
        reverse("centers:standards-matrix"), {"kind": "district"}
    )
    assert [e.center for e in filtered.context["evaluations"]] == [world.district_center_a]


def test_center_standards_export(world, staffed):
    import io

    from openpyxl import load_workbook

    from core.exports import run_export, start_export

    job = start_export(
        user=world.user("center_a"),
        identifier="center-standards",
        data={"center": world.center_a.pk},
    )
    job.refresh_from_db()
    job = run_export(job)
    assert job.status == "done", job.error
    rows = list(load_workbook(io.BytesIO(job.file.read())).active.iter_rows(values_only=True))
    assert len(rows) == 1 + StandardRule.objects.count()
    # Another center's standards are outside center A's reach: an invalid
    # option, refused before any job exists.
    from django.core.exceptions import ValidationError

    jobs = ExportJob.objects.count()
    with pytest.raises(ValidationError):
        start_export(
            user=world.user("center_a"),
            identifier="center-standards",
            data={"center": world.center_b.pk},
        )
    assert ExportJob.objects.count() == jobs
