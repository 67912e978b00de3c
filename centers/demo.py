"""The demo federation: the real six municipal centers and eleven district
centers (DOMAIN.md §1), deterministic schools and teachers, and one account
per role. Loading twice changes nothing."""

import random
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.models import Membership
from core.roles import Role

from . import services
from .models import (
    Campus,
    CampusKind,
    CareerStage,
    Center,
    CenterKind,
    Degree,
    District,
    Employment,
    Honour,
    Ownership,
    Room,
    RoomFunction,
    School,
    SchoolStage,
    StaffMember,
    StaffYearRecord,
    StatusChangeKind,
    Teacher,
    TeacherRole,
    Title,
    Vendor,
)
from .standards_data import REQUIRED_SUBJECTS
from .validators import id_check_digit

DEMO_PASSWORD = "Gz-Demo-2026"

# (code, name, ID-number region code)
DISTRICTS = [
    ("yuexiu", "越秀区", "440104"),
    ("liwan", "荔湾区", "440103"),
    ("haizhu", "海珠区", "440105"),
    ("tianhe", "天河区", "440106"),
    ("baiyun", "白云区", "440111"),
    ("huangpu", "黄埔区", "440112"),
    ("panyu", "番禺区", "440113"),
    ("huadu", "花都区", "440114"),
    ("nansha", "南沙区", "440115"),
    ("conghua", "从化区", "440117"),
    ("zengcheng", "增城区", "440118"),
]

MUNICIPAL_CENTERS = [
    ("primary-secondary", "广州市中小学教师发展中心", "中小学中心", "广州大学桂花岗校区"),
    (
        "research-training",
        "广州市教师发展研训中心",
        "研训中心",
        "广州市教育研究院（主校区）；湾区实验学校、花城实验学校（分校区）",
    ),
    ("distance", "广州市远程培训教师发展中心", "远程中心", "广州开放大学"),
    ("private-schools", "广州市民办学校教师发展中心", "民办中心", "广州开放大学"),
    ("vocational", "广州市中职学校教师发展中心", "中职中心", "广州番禺职业技术学院"),
    ("kindergarten", "广州市幼儿园教师发展中心", "幼儿园中心", "广州市幼儿师范学校"),
]

SCHOOL_PLAN = [
    (SchoolStage.KINDERGARTEN, "幼儿园", Ownership.PUBLIC),
    (SchoolStage.PRIMARY, "第一小学", Ownership.PUBLIC),
    (SchoolStage.PRIMARY, "实验小学", Ownership.PUBLIC),
    (SchoolStage.JUNIOR, "第一中学", Ownership.PUBLIC),
    (SchoolStage.SENIOR, "高级中学", Ownership.PUBLIC),
    (SchoolStage.PRIMARY, "育才学校", Ownership.PRIVATE),
]
TEACHERS_PER_SCHOOL = 12
SUBJECTS = [
    "语文",
    "数学",
    "英语",
    "物理",
    "化学",
    "生物",
    "历史",
    "地理",
    "道德与法治",
    "音乐",
    "体育",
    "美术",
    "信息技术",
    "学前教育",
]
SURNAMES = "陈李黄张梁林刘吴罗何郑谢周曾冯邓许朱叶苏"
GIVEN = [
    "晓明",
    "丽华",
    "志强",
    "嘉欣",
    "伟杰",
    "淑仪",
    "建国",
    "慧敏",
    "子豪",
    "雅婷",
    "俊杰",
    "诗琪",
    "国栋",
    "婉婷",
    "文辉",
    "美玲",
]


def id_number(region: str, birth: date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_check_digit(first17)


def load(stdout=None):
    districts = {}
    for order, (code, name, _region) in enumerate(DISTRICTS, start=1):
        districts[code], _ = District.objects.update_or_create(
            code=code, defaults={"name": name, "order": order}
        )
    for code, name, short, host in MUNICIPAL_CENTERS:
        Center.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "kind": CenterKind.MUNICIPAL,
                "host_institution": host,
                "established_on": date(2019, 11, 1),
            },
        )
    for code, name, _region in DISTRICTS:
        Center.objects.update_or_create(
            code=f"district-{code}",
            defaults={
                "name": f"广州市{name}教师发展中心",
                "short_name": f"{name}中心",
                "kind": CenterKind.DISTRICT,
                "district": districts[code],
                "host_institution": f"{name}教师发展中心",
                "established_on": date(2020, 10, 1),
            },
        )
    rng = random.Random(20261124)
    for code, name, region in DISTRICTS:
        district = districts[code]
        for s_index, (stage, suffix, ownership) in enumerate(SCHOOL_PLAN, start=1):
            school, _ = School.objects.get_or_create(
                district=district,
                name=f"{name[:-1]}{suffix}",
                defaults={
                    "stage": stage,
                    "ownership": ownership,
                    "external_id": f"{code}-S{s_index:03d}",
                },
            )
            if school.teachers.exists():
                continue
            for t_index in range(1, TEACHERS_PER_SCHOOL + 1):
                birth = date(1965 + rng.randrange(35), rng.randrange(1, 13), rng.randrange(1, 29))
                is_head = t_index == 1
                role = (
                    TeacherRole.KINDERGARTEN_DIRECTOR
                    if is_head and stage == SchoolStage.KINDERGARTEN
                    else TeacherRole.PRINCIPAL
                    if is_head
                    else TeacherRole.TEACHER
                )
                Teacher.objects.create(
                    school=school,
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    id_number=id_number(region, birth, s_index * 100 + t_index),
                    subject="学前教育"
                    if stage == SchoolStage.KINDERGARTEN
                    else rng.choice(SUBJECTS[:13]),
                    stage=stage,
                    title=rng.choice(
                        [Title.SENIOR, Title.FIRST, Title.FIRST, Title.SECOND, Title.THIRD]
                    ),
                    role=role,
                    career_stage=CareerStage.PRINCIPAL_KEY
                    if is_head
                    else rng.choice(
                        [
                            CareerStage.NEW,
                            CareerStage.ADAPTING,
                            CareerStage.QUALIFIED,
                            CareerStage.QUALIFIED,
                            CareerStage.KEY,
                            CareerStage.EXPERT,
                        ]
                    ),
                    external_id=f"{code}-T{s_index:03d}{t_index:03d}",
                )
    Vendor.objects.get_or_create(
        name="广州市师训教育咨询有限公司", defaults={"credit_code": "91440101MA5DEMO01X"}
    )
    _accounts(districts)
    services.ensure_standards()
    services.load_mandates()
    for index, center in enumerate(Center.objects.order_by("kind", "code")):
        _facilities(center, index)
        _staff(center, index)
    _appointments()


def _appointments():
    """互聘: two trainers of the first municipal center appointed by the
    second for the school year, one confirmed by the home center, one
    awaiting its confirmation (only trainers meeting the municipal standard)."""
    from .models import AppointmentStatus, StaffAppointment

    home, appointing = Center.objects.filter(kind=CenterKind.MUNICIPAL).order_by("code")[:2]
    if StaffAppointment.objects.filter(center=appointing).exists():
        return
    year = services.current_school_year()
    trainers = [
        s
        for s in StaffMember.objects.filter(center=home, is_active=True)
        .prefetch_related("year_records")
        .order_by("external_id")
        if services.staff_meets_standard(s)
    ][:2]
    for trainer, status, role in zip(
        trainers,
        (AppointmentStatus.CONFIRMED, AppointmentStatus.PROPOSED),
        ("兼职培训师", "课程主讲"),
        strict=False,
    ):
        StaffAppointment.objects.create(
            staff=trainer,
            center=appointing,
            role=role,
            starts_on=date(year, 9, 1),
            ends_on=date(year + 1, 7, 31),
            status=status,
            decided_at=timezone.now() if status == AppointmentStatus.CONFIRMED else None,
        )


def _user(username, name):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _member(user, role, organisation_id=None):
    Membership.objects.get_or_create(
        user=user,
        role=role,
        organisation_id=organisation_id,
        defaults={"starts_on": date(2020, 1, 1)},
    )


def _accounts(districts):
    tianhe = districts["tianhe"]
    chair = Center.objects.get(code="primary-secondary")
    school = School.objects.filter(district=tianhe).order_by("pk").first()
    teacher = Teacher.objects.filter(school=school, role=TeacherRole.TEACHER).order_by("pk")[0]
    vendor = Vendor.objects.order_by("pk").first()

    _member(_user("bureau", "市教育局 王处长"), Role.BUREAU)
    _member(_user("secretariat", "联盟秘书处 陈秘书"), Role.CENTER_STAFF, chair.pk)
    _member(_user("center", "中小学中心 李老师"), Role.CENTER_STAFF, chair.pk)
    _member(_user("district", "天河区中心 张老师"), Role.DISTRICT_STAFF, tianhe.pk)
    _member(_user("school", f"{school.name} 管理员"), Role.SCHOOL_ADMIN, school.pk)
    teacher_user = _user("teacher", teacher.name)
    if teacher.user_id != teacher_user.pk:
        teacher.user = teacher_user
        teacher.save(update_fields=["user"])
    _member(teacher_user, Role.TEACHER, teacher.pk)
    _member(_user("vendor", f"{vendor.name} 项目经理"), Role.VENDOR, vendor.pk)
    _member(_user("tianhe-system", "天河区教育信息系统"), Role.DISTRICT_SYSTEM, tianhe.pk)


ACCOUNTS = [
    ("bureau", "市教育局 / bureau official"),
    ("secretariat", "联盟秘书处 / alliance secretariat"),
    ("center", "中心工作人员 / center staff"),
    ("district", "区教师发展中心 / district staff"),
    ("school", "学校管理员 / school admin"),
    ("teacher", "教师 / teacher"),
    ("vendor", "承办机构 / vendor staff"),
    ("tianhe-system", "区系统 (API) / district system"),
]


# --- Facilities and staff of every center (DOMAIN.md §1; 000) -----------------

# (center code) -> [(campus name, kind, floor area m², address)]
CAMPUSES = {
    "primary-secondary": [("广州大学桂花岗校区", CampusKind.MAIN, None, "越秀区桂花岗东1号")],
    "research-training": [
        ("主校区（广州市教育研究院）", CampusKind.MAIN, None, "越秀区"),
        ("湾区实验学校分校区", CampusKind.BRANCH, Decimal("73580.0"), "南沙区"),
        ("花城实验学校分校区", CampusKind.BRANCH, Decimal("31546.0"), "花都区"),
    ],
    "distance": [("广州开放大学校区", CampusKind.MAIN, None, "天河区")],
    "private-schools": [("广州开放大学校区", CampusKind.MAIN, None, "天河区")],
    "vocational": [("广州番禺职业技术学院校区", CampusKind.MAIN, None, "番禺区")],
    "kindergarten": [("广州市幼儿师范学校校区", CampusKind.MAIN, None, "黄埔区")],
}

# (function, name, seats, bookable) for a campus that hosts training.
FULL_ROOMS = [
    (RoomFunction.LECTURE_HALL, "多功能学术报告厅", 220, True),
    (RoomFunction.MULTIMEDIA, "多媒体教室一", 60, True),
    (RoomFunction.MULTIMEDIA, "多媒体教室二", 60, False),
    (RoomFunction.COMPUTER_ROOM, "计算机网络教室", 50, True),
    (RoomFunction.COUNSELLING, "心理健康辅导室", 8, False),
    (RoomFunction.LIBRARY, "图书资料室", 40, False),
    (RoomFunction.SELF_STUDY, "自习研训室", 60, False),
    (RoomFunction.CANTEEN, "学员食堂", 300, True),
    (RoomFunction.DORMITORY, "学员宿舍楼", 160, True),
    (RoomFunction.SPORTS, "室内体育馆", 200, True),
]
BRANCH_EXTRA = [
    (RoomFunction.SPORTS, "游泳馆", 120, True),
    (RoomFunction.SPORTS, "室外足球场", 300, False),
    (RoomFunction.SPORTS, "篮球场", 100, False),
    (RoomFunction.SPORTS, "网球场", 40, False),
    (RoomFunction.SPORTS, "排球场", 40, False),
]
SMALL_ROOMS = [
    (RoomFunction.MULTIMEDIA, "多媒体教室", 48, False),
    (RoomFunction.COMPUTER_ROOM, "计算机网络教室", 32, False),
    (RoomFunction.LIBRARY, "资料室", 20, False),
]


def _facilities(center, index):
    campuses = CAMPUSES.get(center.code) or [
        (
            f"{center.short_name or center.name}本部",
            CampusKind.MAIN,
            Decimal(4000 + 900 * index).quantize(Decimal("0.1")),
            "",
        )
    ]
    for name, kind, area, address in campuses:
        campus, _ = Campus.objects.update_or_create(
            center=center,
            name=name,
            defaults={"kind": kind, "floor_area": area, "address": address},
        )
        # Every sixth district center is short of teaching seats (80 < 100).
        small = center.kind == CenterKind.DISTRICT and index % 6 == 1
        rooms = SMALL_ROOMS if small else FULL_ROOMS
        if kind == CampusKind.BRANCH:
            rooms = rooms + BRANCH_EXTRA
        for function, room_name, seats, bookable in rooms:
            Room.objects.update_or_create(
                campus=campus,
                name=room_name,
                defaults={"function": function, "seats": seats, "bookable": bookable},
            )


def _staff(center, index):
    """A deterministic staff whose figures pass most rules, with a few
    failures that differ from center to center (see docs/centers.md)."""
    rng = random.Random(f"staff-{center.code}")
    this_year = services.current_school_year()
    full_count = 8 + index % 5
    part_count = full_count - 3 if index % 4 == 1 else full_count + 2 + index % 3
    low_senior = index % 3 == 2
    low_titles = index % 5 == 3
    people = []
    subjects = iter(REQUIRED_SUBJECTS * 3)
    for n in range(full_count + part_count):
        full = n < full_count
        # Full-time research staff on the even rows; part-timers are 兼职教研员.
        research = n % 2 == 0 or not full
        if low_senior:
            title = Title.SENIOR if n % 5 < 2 else Title.FIRST
        else:
            title = Title.SENIOR_PROFESSOR if n % 7 == 0 else Title.SENIOR if n % 3 else Title.FIRST
        if low_titles and full and n in (1, 3):
            title = Title.SECOND
        hired = date(2006 + n % 12, 9, 1)
        birth = date(1972 + n % 10, 1 + n % 12, 1 + n % 27)
        people.append(
            {
                "external_id": f"{center.code}-{n + 1:03d}",
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                "employment": Employment.FULL_TIME if full else Employment.PART_TIME,
                "is_research_staff": research,
                "title": title,
                "honour": [Honour.DISTRICT_LEADER, Honour.MUNICIPAL_KEY, Honour.MUNICIPAL_LEADER][
                    n % 3
                ],
                # At least 4 postgraduate research staff, but every fifth center.
                "degree": Degree.MASTER
                if n % 4 == 0 or (n % 2 == 0 and index % 5 != 1)
                else Degree.BACHELOR,
                "subject": next(subjects) if research else SUBJECTS[n % len(SUBJECTS)],
                "years_teaching": 8 + n % 15,
                "date_of_birth": birth,
                "hired_on": hired,
            }
        )
    # A research staffer hired recently who meets the entry conditions, and
    # at every fourth center (from the fourth) one who does not.
    people[0].update(hired_on=date(this_year - 2, 9, 1), date_of_birth=date(this_year - 42, 3, 1))
    # About 20 % of the full-time staff renewed in five years, but every sixth center.
    if index % 6 != 4:
        people[1].update(hired_on=date(this_year - 3, 9, 1))
        people[3].update(hired_on=date(this_year - 4, 9, 1))
    if index % 4 == 3:
        people[2].update(
            hired_on=date(this_year - 1, 9, 1),
            title=Title.SECOND,
            honour=Honour.DISTRICT_KEY,
            degree=Degree.BACHELOR,
        )
    staff = []
    for values in people:
        external_id = values.pop("external_id")
        member, _ = StaffMember.objects.update_or_create(
            center=center, external_id=external_id, defaults=values
        )
        staff.append(member)
    for n, member in enumerate(staff):
        for year in range(this_year - 4, this_year):
            hired_year = services.current_school_year(member.hired_on)
            if year < hired_year:
                continue
            took_part = True
            # One part-timer idle for two years at every seventh center.
            if index % 7 == 3 and n == full_count and year >= this_year - 2:
                took_part = False
            autumn = 20 + (n * 3 + year) % 9
            spring = 20 + (n * 5 + year) % 8
            lessons = 120 + (n * 7 + year) % 40
            if member.is_research_staff and n == 4 and year == this_year - 1:
                if index % 4 == 2:
                    spring = 15  # short of the 20 days
                if index % 6 == 5:
                    lessons = 96  # short of the 120 lessons
            taught = member.is_research_staff and (year + n) % 3 == 0
            demo_lessons = member.is_research_staff and not (
                index % 5 == 2 and n == 0 and year == this_year - 1
            )
            if index % 5 == 4 and n == 2:
                taught = False  # never back in a school
            StaffYearRecord.objects.update_or_create(
                staff=member,
                year=year,
                defaults={
                    "school_days_autumn": autumn if member.is_research_staff else 0,
                    "school_days_spring": spring if member.is_research_staff else 0,
                    "lessons_observed": lessons if member.is_research_staff else 10 + n,
                    "taught_semester_in_school": taught,
                    "demo_lesson_autumn": demo_lessons,
                    "demo_lesson_spring": demo_lessons,
                    "took_part": took_part,
                },
            )
    if index == 3:
        _moved_out(center, this_year)


def _moved_out(center, this_year):
    """One staff member moved out for two idle years, with the recorded change."""
    member, created = StaffMember.objects.get_or_create(
        center=center,
        external_id=f"{center.code}-moved",
        defaults={
            "name": "何振宇",
            "employment": Employment.FULL_TIME,
            "title": Title.FIRST,
            "hired_on": date(this_year - 10, 9, 1),
            "years_teaching": 20,
        },
    )
    if created or not member.status_changes.exists():
        for year in range(this_year - 4, this_year - 2):
            StaffYearRecord.objects.update_or_create(
                staff=member, year=year, defaults={"took_part": year < this_year - 4}
            )
        services.record_status_change(
            member,
            kind=StatusChangeKind.MOVED_OUT,
            changed_on=date(this_year - 1, 9, 1),
            reason=services.staff.MOVED_OUT_REASON,
        )
