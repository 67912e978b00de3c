"""Demo studios: every kind and level, routed by the mandates to the four
centers that manage studios (中小学, 研训, 中职, 幼儿园; the 远程 and 民办
centers manage none under the charter), each with a host, members and
network learners, a year of activities with attendance (hours posted), this
year's and last year's mentoring pairs (some studios short of 3), plans, an
output or two, and one completed annual evaluation (by the 中小学 center). Loading twice changes
nothing (studios are found by name, the rest only written for new studios).
The demo account ``host`` hosts the first studio."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from centers import demo as centers_demo
from centers.demo import DEMO_PASSWORD
from centers.models import Center, District, School, SchoolStage, Teacher, TeacherRole, Title
from core.models import Membership

from . import services
from .models import (
    ActivityKind,
    Criterion,
    EvaluationKind,
    Output,
    OutputKind,
    PersonRole,
    Plan,
    PlanKind,
    PlanStatus,
    Studio,
    StudioKind,
    StudioLevel,
    StudioPerson,
)
from .permissions import HOST_ROLE

K, L = StudioKind, StudioLevel
# (name, kind, level, subject, stage, mentees this year)
STUDIOS = [
    ("广州市李秀英名教师工作室", K.FAMOUS_TEACHER, L.PROVINCIAL, "语文", SchoolStage.PRIMARY, 3),
    ("广州市陈志强名教师工作室", K.FAMOUS_TEACHER, L.MUNICIPAL, "数学", SchoolStage.JUNIOR, 4),
    ("天河区黄丽名教师工作室", K.FAMOUS_TEACHER, L.DISTRICT, "英语", SchoolStage.SENIOR, 2),
    ("广州市周建国名校长工作室", K.FAMOUS_PRINCIPAL, L.PROVINCIAL, "", SchoolStage.JUNIOR, 3),
    ("广州市吴敏名校长工作室", K.FAMOUS_PRINCIPAL, L.MUNICIPAL, "", SchoolStage.PRIMARY, 1),
    ("番禺区郑伟名校长工作室", K.FAMOUS_PRINCIPAL, L.DISTRICT, "", SchoolStage.VOCATIONAL, 3),
    (
        "广州市林芳名园长工作室",
        K.FAMOUS_KG_DIRECTOR,
        L.PROVINCIAL,
        "学前教育",
        SchoolStage.KINDERGARTEN,
        3,
    ),
    (
        "广州市何静名园长工作室",
        K.FAMOUS_KG_DIRECTOR,
        L.MUNICIPAL,
        "学前教育",
        SchoolStage.KINDERGARTEN,
        2,
    ),
    ("广州市王海教育专家工作室", K.EXPERT, L.PROVINCIAL, "物理", SchoolStage.SENIOR, 3),
    ("广州市刘洋教育专家工作室", K.EXPERT, L.MUNICIPAL, "机电技术", SchoolStage.VOCATIONAL, 3),
    ("海珠区赵云教育专家工作室", K.EXPERT, L.DISTRICT, "学前教育", SchoolStage.KINDERGARTEN, 3),
    (
        "广州市孙磊名教师工作室",
        K.FAMOUS_TEACHER,
        L.MUNICIPAL,
        "数控技术",
        SchoolStage.VOCATIONAL,
        0,
    ),
]
CYCLE_START = date(2022, 9, 1)
MEMBERS, LEARNERS = 3, 4
ACTIVITIES = [
    (ActivityKind.SEMINAR, "单元整体教学专题研讨", Decimal("4")),
    (ActivityKind.DEMO_LESSON, "示范课与评课", Decimal("3")),
    (ActivityKind.OUTREACH, "送教下乡", Decimal("6")),
    (ActivityKind.LECTURE, "专题讲座", Decimal("2")),
]
HEAD_ROLES = {
    K.FAMOUS_PRINCIPAL: TeacherRole.PRINCIPAL,
    K.FAMOUS_KG_DIRECTOR: TeacherRole.KINDERGARTEN_DIRECTOR,
}

ACCOUNTS = [("host", "工作室主持人 / studio host")]  # (username, label), as centers.demo


# The hosts' step of the centers' career ladders (``centers.ladders_data``):
# a teachers' (or experts') studio host is the municipal teacher ladder's
# 工作室主持人; principals and directors stand at 名师名校长.
HOST_LADDER_STEPS = {
    StudioKind.FAMOUS_TEACHER: "municipal-teacher:studio_host",
    StudioKind.EXPERT: "municipal-teacher:studio_host",
    StudioKind.FAMOUS_PRINCIPAL: "district-teacher:famous",
    StudioKind.FAMOUS_KG_DIRECTOR: "district-teacher:famous",
}


def _pool(stage, role, taken):
    """Teachers of a stage (and role) not used by another studio yet."""
    wanted = Teacher.objects.filter(stage=stage, is_active=True).exclude(pk__in=taken)
    wanted = wanted.filter(role=role or TeacherRole.TEACHER)
    return list(wanted.order_by("pk")[:40])


#: The centers' demo has no vocational schools: vocational studios need some.
VOCATIONAL_SCHOOLS = [("panyu", "番禺区职业技术学校"), ("baiyun", "白云区职业技术学校")]
VOCATIONAL_TEACHERS = 18


def load_schools(stdout=None):
    """Before the credits demo (which gives every demo teacher hours)."""
    rng = random.Random(20261202)
    regions = {code: region for code, _name, region in centers_demo.DISTRICTS}
    for code, name in VOCATIONAL_SCHOOLS:
        district = District.objects.filter(code=code).first()
        if district is None:
            continue
        school, _ = School.objects.get_or_create(
            district=district,
            name=name,
            defaults={"stage": SchoolStage.VOCATIONAL, "external_id": f"{code}-S007"},
        )
        if school.teachers.exists():
            continue
        for t in range(1, VOCATIONAL_TEACHERS + 1):
            birth = date(1970 + rng.randrange(25), rng.randrange(1, 13), rng.randrange(1, 29))
            Teacher.objects.create(
                school=school,
                name=rng.choice(centers_demo.SURNAMES) + rng.choice(centers_demo.GIVEN),
                # 7xx: sequence numbers the centers' demo (schools 1–6) never uses.
                id_number=centers_demo.id_number(regions[code], birth, 700 + t),
                subject=rng.choice(["机电技术", "数控技术", "电子商务", "会计", "语文"]),
                stage=SchoolStage.VOCATIONAL,
                role=TeacherRole.PRINCIPAL if t == 1 else TeacherRole.TEACHER,
                title=Title.SENIOR if t < 6 else Title.FIRST,
                external_id=f"{code}-T007{t:03d}",
            )


def load(stdout=None):
    if not Center.objects.filter(code="research-training").exists():
        return  # the centers' demo comes first
    services.ensure_defaults()
    load_schools()
    today = timezone.localdate()
    taken = set(StudioPerson.objects.values_list("teacher_id", flat=True)) | set(
        Teacher.objects.filter(studio_mentors__isnull=False).values_list("pk", flat=True)
    )
    center_user = get_user_model().objects.filter(username="center").first()
    first = None
    for index, (name, kind, level, subject, stage, mentees) in enumerate(STUDIOS):
        studio = Studio.objects.filter(name=name).first()
        if studio is not None:
            first = first or studio
            continue
        studio = services.save_studio(
            studio=Studio(
                name=name,
                kind=kind,
                level=level,
                subject=subject,
                stage=stage,
                cycle_start=CYCLE_START,
                description=f"{subject or '学校管理'}方向的{StudioKind(kind).label}，五年一周期。",
            )
        )
        first = first or studio
        teachers = _pool(stage, None, taken)
        heads = _pool(stage, HEAD_ROLES[kind], taken) if kind in HEAD_ROLES else teachers[:1]
        teachers = [t for t in teachers if not heads or t.pk != heads[0].pk]
        if not heads or len(teachers) < MEMBERS + LEARNERS + 4:
            continue
        host = heads[0]
        taken.add(host.pk)
        place = services.add_person(
            studio=studio, teacher=host, role=PersonRole.HOST, starts_on=CYCLE_START
        )
        services.set_ladder_step(person=place, ladder_step=HOST_LADDER_STEPS[kind])
        people = teachers[: MEMBERS + LEARNERS]
        for i, teacher in enumerate(people):
            role = PersonRole.MEMBER if i < MEMBERS else PersonRole.LEARNER
            services.add_person(studio=studio, teacher=teacher, role=role, starts_on=CYCLE_START)
            taken.add(teacher.pk)
        _activities(studio, [host, *people], today, index, center_user)
        _mentoring(studio, host, teachers[MEMBERS + LEARNERS :], mentees, today, taken)
        _plans(studio, host, today)
        Output.objects.create(
            studio=studio,
            kind=OutputKind.PAPER if index % 2 else OutputKind.LESSON,
            title=f"{subject or '学校治理'}教学研究成果（{today.year - 1}）",
            authors=host.name,
            year=today.year - 1,
            published_in="《广东教育》" if index % 2 else "广州市优课资源库",
        )
    if first is not None:
        _host_account(first)
    # The demo account "center" (中小学 center staff) made one annual evaluation.
    evaluated = Studio.objects.filter(managing_center__code="primary-secondary").order_by("pk")
    if evaluated.exists():
        _evaluation(evaluated.first(), center_user, today)


def _activities(studio, people, today, index, by):
    """One activity every two months over the past year; most attend."""
    for month in range(6):
        kind, title, hours = ACTIVITIES[(month + index) % len(ACTIVITIES)]
        held_on = today - timedelta(days=30 + 60 * month + index)
        if held_on < studio.cycle_start:
            continue
        attended = [t for i, t in enumerate(people) if (i + month) % 5 != 4]
        services.record_activity(
            studio=studio,
            fields={
                "kind": kind,
                "title": f"{studio.subject or '学校管理'}{title}",
                "held_on": held_on,
                "place": "送教学校" if kind == ActivityKind.OUTREACH else "工作室活动室",
                "hours": hours,
                "other_participants": 30 if kind == ActivityKind.OUTREACH else 0,
            },
            attended=attended,
            by=by,
        )


def _mentoring(studio, host, candidates, mentees, today, taken):
    """Last year's pairs (completed, hours posted) and this year's."""
    for year, count in ((today.year - 1, 3), (today.year, mentees)):
        for mentee in candidates[:count]:
            pair = services.add_pair(studio=studio, year=year, mentor=host, mentee=mentee)
            taken.add(mentee.pk)
            if year < today.year:
                services.complete_pair(pair=pair, on=date(year, 12, 20))


def _plans(studio, host, today):
    cycle = Plan.objects.create(
        studio=studio,
        kind=PlanKind.CYCLE,
        title=f"{studio.name}周期建设方案（{studio.cycle_start.year}—{studio.cycle_end.year}）",
        body="一、建设目标\n二、成员培养\n三、研究课题\n四、示范辐射",
    )
    services.submit_plan(plan=cycle)
    services.approve_plan(plan=cycle)
    annual = Plan.objects.create(
        studio=studio,
        kind=PlanKind.ANNUAL,
        year=today.year,
        title=f"{today.year}年度工作计划",
        body="一、研修活动安排\n二、师徒结对\n三、送教下乡",
    )
    services.submit_plan(plan=annual)
    member = studio.people.filter(role=PersonRole.MEMBER).first()
    if member:
        Plan.objects.create(
            studio=studio,
            kind=PlanKind.DEVELOPMENT,
            person=member,
            title=f"{member.teacher.name}专业发展规划",
            body="三年成长目标与路径",
            status=PlanStatus.DRAFT,
        )


def _evaluation(studio, by, today):
    """A studio's annual evaluation of last year, completed."""
    year = today.year - 1
    if studio.evaluations.filter(kind=EvaluationKind.ANNUAL, year=year).exists():
        return
    if year not in studio.cycle_years():
        return
    evaluation = services.start_evaluation(studio=studio, kind=EvaluationKind.ANNUAL, year=year)
    scores = [92, 88, 95, 90, 86]
    criteria = Criterion.objects.filter(scheme=evaluation.scheme).order_by("order")
    services.score_evaluation(
        evaluation=evaluation,
        scores={c.pk: scores[i % len(scores)] for i, c in enumerate(criteria)},
    )
    services.complete_evaluation(evaluation=evaluation, by=by)


def _host_account(studio):
    host = services.current_host(studio)
    if host is None:
        return
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username="host", defaults={"name": host.teacher.name}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    teacher = host.teacher
    if teacher.user_id is None:
        teacher.user = user
        teacher.save(update_fields=["user"])
    if HOST_ROLE:
        Membership.objects.get_or_create(
            user=user,
            role=HOST_ROLE,
            organisation_id=studio.pk,
            defaults={"starts_on": studio.cycle_start},
        )
