"""The standards held to the letter of the seeds (issue 13): each test names
the seed and the sentence it follows, with figures giving a known verdict."""

from datetime import date
from decimal import Decimal

import pytest

from centers.models import (
    Degree,
    Employment,
    Honour,
    RoomFunction,
    StaffStatusChange,
    StandardRule,
    StatusChangeKind,
    Title,
)
from centers.services import (
    entry_conditions,
    evaluate_center,
    meets_entry_conditions,
    move_out_inactive,
    staff_meets_standard,
    trainer_conditions,
)
from centers.standards_data import REQUIRED_SUBJECTS
from tests.factories import CenterFactory

from .factories import CampusFactory, RecordFactory, RoomFactory, StaffFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)  # the reference year is 2025-2026


def results(center):
    return {r.rule.code: r for r in evaluate_center(center, today=TODAY).results}


def test_the_migrated_rows_follow_the_seeds(db):
    rules = {r.code: r for r in StandardRule.objects.all()}
    assert rules["capacity"].metric == "hosting_capacity"
    assert "食堂、宿舍、体育活动场所" in rules["capacity"].description
    assert rules["part-time-ratio"].metric == "part_time_to_research_ratio"
    assert "教研员人数" in rules["part-time-ratio"].description
    assert "教师总数" in rules["senior-or-intermediate"].description
    assert "教师总数" in rules["senior"].description
    assert {"rooms", "renewal", "postgraduate", "demo-lessons", "subjects"} <= set(rules)


def test_capacity_counts_the_living_facilities(db):
    """000: 配套生活设施(食堂、宿舍、体育活动场所等)能同时满足100人以上面授培训要求."""
    center = CenterFactory()
    campus = CampusFactory(center=center)
    RoomFactory(campus=campus, function=RoomFunction.LECTURE_HALL, seats=200)
    RoomFactory(campus=campus, function=RoomFunction.CANTEEN, seats=300)
    dormitory = RoomFactory(campus=campus, function=RoomFunction.DORMITORY, seats=60)
    RoomFactory(campus=campus, function=RoomFunction.SPORTS, seats=150)
    r = results(center)["capacity"]
    assert r.value == 60 and not r.passed  # 200 seats but beds for 60
    assert r.detail.endswith("60 · " + r.detail.split(" · ")[-1]) and "300" in r.detail
    dormitory.seats = 100
    dormitory.save()
    r = results(center)["capacity"]
    assert r.value == 100 and r.passed


def test_capacity_without_living_facilities_fails(db):
    """000: teaching seats alone do not host trainees at once."""
    center = CenterFactory()
    RoomFactory(campus=CampusFactory(center=center), function=RoomFunction.LECTURE_HALL, seats=300)
    assert not results(center)["capacity"].passed


def test_part_time_staff_against_the_research_staff(db):
    """003: 兼职教师人数应按不低于教研员人数的1:1比例配备."""
    center = CenterFactory()
    for n in range(10):
        StaffFactory(center=center, is_research_staff=n < 4)
    part = [StaffFactory(center=center, employment=Employment.PART_TIME) for _ in range(4)]
    r = results(center)["part-time-ratio"]
    assert r.value == Decimal("1.00") and r.passed  # 4 : 4 research staff (not 4 : 10)
    part[0].delete()
    r = results(center)["part-time-ratio"]
    assert r.figure.startswith("3 : 4") and not r.passed


def test_title_shares_of_the_teachers_in_total(db):
    """003: 中高级职称比例占教师总数的90%以上，其中高级教师占50%以上."""
    center = CenterFactory()
    for _ in range(10):
        StaffFactory(center=center, title=Title.SENIOR)
    for _ in range(10):
        StaffFactory(center=center, employment=Employment.PART_TIME, title=Title.SECOND)
    r = results(center)
    assert r["senior-or-intermediate"].value == Decimal("50.0")
    assert not r["senior-or-intermediate"].passed  # all full-timers senior, but not 90 % of all
    assert r["senior"].value == Decimal("50.0") and r["senior"].passed
    assert r["senior"].detail.startswith("10 / 20")


def _candidate(**kwargs):
    fields = {
        "title": Title.FIRST,
        "honour": Honour.DISTRICT_LEADER,
        "degree": Degree.BACHELOR,
        "years_teaching": 8,
        "date_of_birth": date(1980, 1, 1),
        "hired_on": date(2025, 9, 1),
        "is_research_staff": True,
    }
    return StaffFactory.build(center=CenterFactory(), **(fields | kwargs))


def test_a_provincial_skills_contest_second_prize_relaxes_the_conditions(db):
    """003: 对获得……省中小学教师技能大赛二等奖及以上荣誉之一的……人员条件可适当放宽."""
    older = _candidate(honour=Honour.SKILLS_PRIZE, date_of_birth=date(1975, 1, 1))  # 50
    assert meets_entry_conditions(older)
    assert not meets_entry_conditions(
        _candidate(honour=Honour.NONE, date_of_birth=date(1975, 1, 1))
    )


def test_a_municipal_key_teacher_is_not_a_county_subject_leader(db):
    """003: 新补充教研员应具有……县级学科带头人及以上荣誉 — 市级骨干教师 is a key
    teacher, not a 学科带头人."""
    key = _candidate(honour=Honour.MUNICIPAL_KEY)
    assert {c.code for c in entry_conditions(key) if not c.met} == {"honour"}
    assert meets_entry_conditions(_candidate(honour=Honour.DISTRICT_LEADER))
    assert meets_entry_conditions(_candidate(honour=Honour.MUNICIPAL_LEADER))


def test_the_faculty_register_uses_the_municipal_accreditation_standard(db):
    """001 第八条: 各成员单位研训师资须符合市级教师发展中心认定标准 — not the
    conditions for newly recruited research staff (age, honour)."""
    center = CenterFactory()
    veteran = StaffFactory(
        center=center,
        title=Title.FIRST,
        honour=Honour.DISTRICT_KEY,
        date_of_birth=date(1968, 1, 1),
        hired_on=date(2020, 9, 1),  # 52 when hired: too old for a new research staffer
    )
    RecordFactory(staff=veteran, year=2025)
    assert not meets_entry_conditions(veteran)
    assert staff_meets_standard(veteran, today=TODAY)
    veteran.title = Title.SECOND
    assert not staff_meets_standard(veteran, today=TODAY)
    assert [c.code for c in trainer_conditions(veteran, today=TODAY) if not c.met] == ["title"]


def test_required_function_rooms(db):
    """000: 计算机网络教室、多媒体教室、多功能学术报告厅、心理健康辅导室、
    自习研训室、图书资料室等等功能场室."""
    center = CenterFactory()
    campus = CampusFactory(center=center)
    for function in (
        RoomFunction.COMPUTER_ROOM,
        RoomFunction.MULTIMEDIA,
        RoomFunction.LECTURE_HALL,
        RoomFunction.COUNSELLING,
        RoomFunction.LIBRARY,
    ):
        RoomFactory(campus=campus, function=function)
    r = results(center)["rooms"]
    assert r.value == 1 and not r.passed and str(RoomFunction.SELF_STUDY.label) in r.detail
    RoomFactory(campus=campus, function=RoomFunction.SELF_STUDY)
    assert results(center)["rooms"].passed


def test_staff_renewal_about_20_percent_in_five_years(db):
    """003: 每五年教师队伍更新率20%左右."""
    center = CenterFactory()
    for _ in range(8):
        StaffFactory(center=center, hired_on=date(2010, 9, 1))
    StaffFactory(center=center, hired_on=date(2023, 9, 1))
    new = StaffFactory(center=center, hired_on=date(2019, 9, 1))
    r = results(center)["renewal"]
    assert r.value == Decimal("10.0") and not r.passed
    new.hired_on = date(2022, 9, 1)
    new.save()
    r = results(center)["renewal"]
    assert r.value == Decimal("20.0") and r.passed


def test_four_research_staff_with_postgraduate_degrees(db):
    """003: “十四五”期间研究生学历的教研员达4人以上."""
    center = CenterFactory()
    for degree in (Degree.MASTER, Degree.DOCTOR, Degree.MASTER, Degree.BACHELOR):
        StaffFactory(center=center, is_research_staff=True, degree=degree)
    StaffFactory(center=center, degree=Degree.DOCTOR)  # not research staff
    r = results(center)["postgraduate"]
    assert r.value == 3 and not r.passed
    StaffFactory(center=center, is_research_staff=True, degree=Degree.MASTER)
    assert results(center)["postgraduate"].passed


def test_a_demonstration_lesson_each_semester(db):
    """003: 推行……教研员每学期必上示范课,展示课制度."""
    center = CenterFactory()
    a = StaffFactory(center=center, is_research_staff=True, name="甲")
    b = StaffFactory(center=center, is_research_staff=True, name="乙")
    RecordFactory(staff=a, year=2025, demo_lesson_autumn=True, demo_lesson_spring=True)
    record = RecordFactory(staff=b, year=2025, demo_lesson_autumn=True, demo_lesson_spring=False)
    r = results(center)["demo-lessons"]
    assert r.value == 1 and not r.passed and r.detail == "乙"
    record.demo_lesson_spring = True
    record.save()
    assert results(center)["demo-lessons"].passed


def test_every_subject_covered_by_research_staff(db):
    """003: 重点配齐义务教育各学科教研员."""
    center = CenterFactory()
    for subject in REQUIRED_SUBJECTS[:-1]:
        StaffFactory(center=center, is_research_staff=True, subject=subject)
    StaffFactory(center=center, subject=REQUIRED_SUBJECTS[-1])  # not research staff
    r = results(center)["subjects"]
    assert r.value == 1 and not r.passed and REQUIRED_SUBJECTS[-1] in r.detail
    StaffFactory(
        center=center,
        employment=Employment.PART_TIME,
        is_research_staff=True,
        subject=REQUIRED_SUBJECTS[-1],
    )
    assert results(center)["subjects"].passed


def test_staff_idle_for_two_years_are_moved_out_with_a_record(db, django_user_model):
    """003: 两年以上未参与教研或培训工作的要调离教师进修学校 — a recorded change
    of status with its date and reason."""
    center = CenterFactory()
    idle = StaffFactory(center=center, hired_on=date(2015, 9, 1))
    RecordFactory(staff=idle, year=2024, took_part=False)
    RecordFactory(staff=idle, year=2025, took_part=False)
    busy = StaffFactory(center=center, hired_on=date(2015, 9, 1))
    RecordFactory(staff=busy, year=2025)
    assert not results(center)["inactive"].passed
    user = django_user_model.objects.create_user("keeper")
    changes = move_out_inactive(center, user=user, today=TODAY)
    assert [c.staff for c in changes] == [idle]
    change = StaffStatusChange.objects.get(staff=idle)
    assert change.kind == StatusChangeKind.MOVED_OUT and change.changed_on == TODAY
    assert "两年以上未参与教研或培训工作" in change.reason and change.recorded_by == user
    idle.refresh_from_db()
    assert idle.left_on == TODAY and not idle.is_active
    assert results(center)["inactive"].passed
    assert move_out_inactive(center, today=TODAY) == []


def test_moving_out_from_the_standards_page(world, login):
    """The center's own staff move idle people out from the standards page;
    another center's staff get 404 and move nobody."""
    from django.urls import reverse

    idle = StaffFactory(center=world.center_a, hired_on=date(2010, 9, 1))
    url = reverse("centers:center-move-out-inactive", args=[world.center_a.pk])
    assert login(world.user("center_b")).post(url).status_code == 404
    assert not StaffStatusChange.objects.exists()
    client = login(world.user("center_a"))
    page = client.get(reverse("centers:center-standards", args=[world.center_a.pk]))
    assert url in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    change = StaffStatusChange.objects.get(staff=idle)
    assert change.recorded_by == world.user("center_a")
    detail = client.get(reverse("centers:staff-detail", args=[idle.pk])).content.decode()
    assert 'id="status-changes"' in detail and change.reason in detail
    assert 'id="trainer-conditions"' in detail


def test_the_standards_page_shows_the_new_rules_with_their_figures(world, login, staffed):
    from django.urls import reverse

    body = (
        login(world.user("center_a"))
        .get(reverse("centers:center-standards", args=[world.center_a.pk]))
        .content.decode()
    )
    for code in ("rooms", "renewal", "postgraduate", "demo-lessons", "subjects", "capacity"):
        assert f'data-rule="{code}"' in body
    assert "占教师总数" in body


def test_the_ladders_of_the_seeds_are_data(world, login):
    """003: 以“新任教师、合格教师、骨干教师、学科带头人、名师名校长”五个梯级成长机制为核心;
    000: 校(园)长任职资格培训、校长全员培训、高水平校长培训、教育家型校长培训四级梯次 ……
    从新教师、骨干教师培训、名教师培养对象培训、工作室主持人培训四级梯次."""

    from centers.services import ladder

    assert [n for _c, n in ladder("district-teacher").steps] == [
        "新任教师",
        "合格教师",
        "骨干教师",
        "学科带头人",
        "名师名校长",
    ]
    assert [n for _c, n in ladder("principal").steps] == [
        "任职资格培训",
        "全员培训",
        "高水平培训",
        "教育家型培训",
    ]
    assert ladder("municipal-teacher").step("studio_host") == (3, "工作室主持人")
    response = login(world.user("bureau")).get("/api/v1/standards/ladders/")
    assert response.status_code == 200
    assert {item["code"] for item in response.json()} == {
        "district-teacher",
        "principal",
        "municipal-teacher",
    }
