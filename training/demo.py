"""Demo training (DOMAIN.md §3): Hezhou's national plans 2016–2020 and
provincial plans 2019–2020 with their budgets and trainees, Guangzhou's
2026 municipal plan whose sub-projects the mandates route to the six
centers, one class mid-way (sessions, check-ins, some results) taught by the
demo vendor, with the demo teacher enrolled, and one closed class whose
hours are on its trainees' ledgers. Loading twice changes nothing."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from centers.models import Center, District, SchoolStage, TargetGroup, Teacher, TrainingKind, Vendor

from . import services
from .models import (
    Attendance,
    Enrollment,
    EnrollmentStatus,
    HolderKind,
    Level,
    Plan,
    PlanStatus,
    Project,
    ResultRule,
    Session,
    SubProject,
    SubProjectStatus,
)

# Hezhou (贺州) 国培计划 and 省培计划: (year, level, budget ¥, trainees, note)
HEZHOU = [
    (2016, Level.NATIONAL, "1850000", 1700, ""),
    (2017, Level.NATIONAL, "4081000", 2524, ""),
    (2018, Level.NATIONAL, "4039480", 2636, ""),
    (2019, Level.NATIONAL, "3997790", 835, "14 个子项目，分三组实施"),
    (2020, Level.NATIONAL, "4068860", 6069, "计划数"),
    (2019, Level.PROVINCIAL, "1020000", 920, "3 个子项目"),
    (2020, Level.PROVINCIAL, "1268200", 392, "计划数"),
]
HEZHOU_2019_GROUPS = ["送教下乡培训", "网络研修与校本研修整合培训", "乡村教师访名校培训"]

# Guangzhou's municipal plan: (code, name, kind, target group, stage, tier, mode, hours, seats)
MUNICIPAL = [
    (
        "GZ26-01",
        "中小学新任校长任职资格培训",
        TrainingKind.PRINCIPAL_QUALIFICATION,
        TargetGroup.PRINCIPALS,
        "",
        "principal",
        "blended",
        120,
        60,
    ),
    (
        "GZ26-02",
        "特殊教育教师专项培训",
        TrainingKind.SPECIAL_EDUCATION,
        TargetGroup.SPECIAL_EDUCATION,
        "",
        "key_teacher",
        "workshop",
        40,
        50,
    ),
    (
        "GZ26-03",
        "信息技术应用能力提升工程2.0 全员培训",
        TrainingKind.IT_ABILITY,
        TargetGroup.TEACHERS,
        "",
        "whole_staff",
        "online",
        50,
        2000,
    ),
    (
        "GZ26-04",
        "教研员与培训者团队研修",
        TrainingKind.RESEARCH_STAFF,
        TargetGroup.RESEARCH_STAFF,
        "",
        "trainer_team",
        "workshop",
        36,
        80,
    ),
    (
        "GZ26-05",
        "幼儿园骨干教师提升培训",
        TrainingKind.GENERAL,
        TargetGroup.TEACHERS,
        SchoolStage.KINDERGARTEN,
        "key_teacher",
        "shadowing",
        48,
        60,
    ),
    (
        "GZ26-06",
        "中职学校青年教师助力培训",
        TrainingKind.GENERAL,
        TargetGroup.TEACHERS,
        SchoolStage.VOCATIONAL,
        "young_teacher",
        "blended",
        40,
        60,
    ),
]
RUNNING = "GZ26-11"
CLOSED = "GZ26-12"


def load(stdout=None):
    with transaction.atomic():
        _hezhou()
        plan = _municipal_plan()
        users = _users()
        if users is None:  # the centers' demo is not there
            return
        _municipal(plan, users)
        if not SubProject.objects.filter(code=CLOSED).exists():
            _closed_class(plan, users)
        if not SubProject.objects.filter(code=RUNNING).exists():
            _running_class(plan, users)
        _procurement(users)


def _procurement(users):
    """Hezhou's practice bases and expert team, and one 2019 procurement
    carried to its contract (``demo_procurement``)."""
    from core.models import Membership
    from core.roles import Role

    from . import demo_procurement

    demo_procurement.load_pool()
    center_id = (
        Membership.objects.filter(user=users["center"], role=Role.CENTER_STAFF)
        .values_list("organisation_id", flat=True)
        .first()
    )
    plan = Plan.objects.get(year=2019, level=Level.NATIONAL, name__startswith="贺州市")
    demo_procurement.load_procurement(
        plan,
        Center.objects.get(pk=center_id),
        users["center"],
        Vendor.objects.order_by("pk").first(),
    )


def _hezhou():
    for year, level, budget, trainees, note in HEZHOU:
        label = "国培计划" if level == Level.NATIONAL else "区培计划（省级）"
        plan, _ = Plan.objects.get_or_create(
            year=year,
            level=level,
            name=f"贺州市{year}年{label}",
            defaults={
                "holder_kind": HolderKind.BUREAU,
                "budget": Decimal(budget),
                "planned_trainees": trainees,
                "description": note,
                "status": PlanStatus.APPROVED,
            },
        )
        if year == 2019 and level == Level.NATIONAL:
            for i, name in enumerate(HEZHOU_2019_GROUPS, start=1):
                Project.objects.get_or_create(plan=plan, name=name, defaults={"code": f"HZ19-{i}"})


def _municipal_plan():
    plan, _ = Plan.objects.get_or_create(
        year=2026,
        level=Level.MUNICIPAL,
        name="广州市2026年市级教师培训计划",
        defaults={
            "holder_kind": HolderKind.BUREAU,
            "budget": Decimal("12800000"),
            "planned_trainees": 3200,
            "status": PlanStatus.APPROVED,
        },
    )
    return plan


def _users():
    User = get_user_model()
    found = {
        u.username: u for u in User.objects.filter(username__in=["bureau", "center", "vendor"])
    }
    if len(found) < 3:
        return None
    return found


def _subproject(plan, project_name, **fields):
    project, _ = Project.objects.get_or_create(plan=plan, name=project_name)
    sub = SubProject(project=project, **fields)
    services.check_center(sub)
    sub.save()
    ResultRule.objects.get_or_create(subproject=sub)
    return sub


# The step of the centers' career ladders (``centers.ladders_data``) each
# demo class trains for, by its tier.
TIER_LADDER_STEPS = {
    "new_teacher": "municipal-teacher:new",
    "young_teacher": "district-teacher:qualified",
    "key_teacher": "municipal-teacher:key",
    "principal": "principal:qualification",
    "whole_staff": "principal:whole_staff",
}


def _municipal(plan, users):
    year = plan.year
    for code, name, kind, group, stage, tier, mode, hours, seats in MUNICIPAL:
        if SubProject.objects.filter(code=code).exists():
            continue
        _subproject(
            plan,
            "市级专项培训",
            code=code,
            name=f"{year}年{name}",
            training_kind=kind,
            target_group=group,
            stage=stage,
            tier=tier,
            ladder_step=TIER_LADDER_STEPS.get(tier, ""),
            mode=mode,
            hours=Decimal(hours),
            starts_on=datetime.date(year, 3, 1),
            ends_on=datetime.date(year, 12, 20),
            capacity=seats,
            budget=Decimal(seats * 1200),
            status=SubProjectStatus.APPROVED,
        )


def _class(plan, users, code, name, *, starts_on, ends_on, status, n):
    """A key-teacher class of the center of the demo 'center' account in
    Tianhe, taught by the demo vendor, with n trainees enrolled (the demo
    teacher first)."""
    from core.models import Membership
    from core.roles import Role

    center_id = (
        Membership.objects.filter(user=users["center"], role=Role.CENTER_STAFF)
        .values_list("organisation_id", flat=True)
        .first()
    )
    tianhe = District.objects.get(code="tianhe")
    sub = _subproject(
        plan,
        "天河区骨干教师培养",
        code=code,
        name=name,
        training_kind=TrainingKind.KEY_TEACHER,
        target_group=TargetGroup.TEACHERS,
        stage=SchoolStage.PRIMARY,
        subject="语文",
        district=tianhe,
        tier="key_teacher",
        ladder_step="municipal-teacher:key",
        mode="face_to_face",
        location="广州大学桂花岗校区",
        hours=Decimal("24"),
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=40,
        budget=Decimal("96000"),
        center_id=center_id,
        center_reason="天河区委托中小学中心承办",
        vendor=Vendor.objects.order_by("pk").first(),
        status=status,
    )
    demo_teacher = Teacher.objects.filter(user__username="teacher").first()
    others = Teacher.objects.filter(district=tianhe, is_active=True).exclude(
        pk=getattr(demo_teacher, "pk", None)
    )
    teachers = ([demo_teacher] if demo_teacher else []) + list(others.order_by("pk")[: n - 1])
    now = timezone.now()
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                subproject=sub,
                teacher=t,
                district_id=t.district_id,
                school_id=t.school_id,
                status=EnrollmentStatus.ENROLLED,
                queued_at=now,
                decided_at=now,
                learning_commitment_at=now,
                safety_commitment_at=now,
                confirmed_at=now,
            )
            for t in teachers
        ]
    )
    SubProject.objects.filter(pk=sub.pk).update(seats_taken=len(teachers))
    sub.refresh_from_db()
    return sub, list(Enrollment.objects.filter(subproject=sub).order_by("id"))


def _session(sub, title, start, *, signed_off):
    return Session.objects.create(
        subproject=sub,
        title=title,
        teacher_name="专家团队",
        place=sub.location,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        checkin_opens_at=start - datetime.timedelta(minutes=30),
        checkin_closes_at=start + datetime.timedelta(minutes=30),
        signed_off_at=start + datetime.timedelta(hours=3) if signed_off else None,
    )


def _attend(session, enrollments):
    Attendance.objects.bulk_create(
        [
            Attendance(session=session, enrollment=e, present=True, checked_in_at=session.starts_at)
            for e in enrollments
        ]
    )


def _at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _closed_class(plan, users):
    today = timezone.localdate()
    first = today - datetime.timedelta(days=40)
    sub, trainees = _class(
        plan,
        users,
        CLOSED,
        f"{plan.year}年天河区小学语文骨干教师提升研修班（第一期）",
        starts_on=first,
        ends_on=first + datetime.timedelta(days=2),
        status=SubProjectStatus.RUNNING,
        n=12,
    )
    for i, title in enumerate(["开班仪式与专题讲座", "课堂观察与诊断", "成果展示与结业"]):
        session = _session(sub, title, _at(first + datetime.timedelta(days=i), 9), signed_off=True)
        # The last trainee missed two sessions: below the minimum presence.
        _attend(session, trainees if i == 0 else trainees[:-1])
    vendor = users["vendor"]
    for n, e in enumerate(trainees):
        high = n % 3 == 0
        services.enter_result(
            enrollment=e,
            by=vendor,
            assignment=92 if high else 80,
            test=95 if high else 75,
            case=90 if high else 78,
            reflection=93 if high else 82,
            recommended=high,
        )
    services.close_subproject(subproject=sub, by=users["center"])


def _running_class(plan, users):
    today = timezone.localdate()
    first = today - datetime.timedelta(days=2)
    sub, trainees = _class(
        plan,
        users,
        RUNNING,
        f"{plan.year}年天河区小学语文骨干教师提升研修班（第二期）",
        starts_on=first,
        ends_on=today + datetime.timedelta(days=2),
        status=SubProjectStatus.RUNNING,
        n=16,
    )
    for i, title in enumerate(["开班仪式与专题讲座", "名师示范课观摩"]):
        session = _session(sub, title, _at(first + datetime.timedelta(days=i), 9), signed_off=True)
        _attend(session, trainees[1:] if i else trainees)
    # Today's session: check-in open all day, so the demo can be tried any time.
    Session.objects.create(
        subproject=sub,
        title="同课异构与评课",
        teacher_name="专家团队",
        place=sub.location,
        starts_at=_at(today, 9),
        ends_at=_at(today, 17),
        checkin_opens_at=_at(today, 7),
        checkin_closes_at=_at(today, 22),
    )
    for day in (1, 2):
        _session(
            sub,
            f"跟岗实践（第{day}天）",
            _at(today + datetime.timedelta(days=day), 9),
            signed_off=False,
        )
    vendor = users["vendor"]
    for e in trainees[1:6]:
        services.enter_result(enrollment=e, by=vendor, assignment=85, reflection=88)
