"""Training objects on the A and B sides of the ``world``: sub-project A of
center A, taught by the world's vendor, running, with teacher A enrolled and
confirmed and a session open for check-in now; sub-project B of center B,
approved, with no vendor. Built once per world."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from credits.models import CreditPolicy
from training import services
from training.models import Attendance, Enrollment, Result, Session, SubProject, SubProjectStatus

from .factories import PlanFactory, ProjectFactory, SubProjectFactory


@dataclass
class TrainingObjects:
    plan_a: object
    plan_b: object
    sub_a: SubProject
    sub_b: SubProject
    enrollment_a: Enrollment
    enrollment_b: Enrollment
    session_a: Session
    session_b: Session

    def attendance_pairs(self):
        """Teacher A checked in at session A; teacher B recorded at session B."""
        now = timezone.now()  # one instant: the code may rotate in between
        a = services.check_in(
            session=self.session_a,
            by=self.enrollment_a.teacher.user,
            code=services.checkin_code(self.session_a, at=now).code,
            at=now,
        )
        b = Attendance.objects.create(
            session=self.session_b, enrollment=self.enrollment_b, method="vendor", reason="补录"
        )
        return a, b

    def result_pairs(self):
        return (
            Result.objects.create(enrollment=self.enrollment_a),
            Result.objects.create(enrollment=self.enrollment_b),
        )


def training_objects(world) -> TrainingObjects:
    cached = getattr(world, "_training", None)
    if cached is not None:
        return cached
    today = timezone.localdate()
    CreditPolicy.objects.get_or_create(
        district=None,
        cycle_start=datetime.date(today.year - 2, 1, 1),
        defaults={"name": "周期", "cycle_end": datetime.date(today.year + 2, 12, 31)},
    )
    plan_a = PlanFactory(holder_kind="center", center=world.center_a, name="中心甲计划")
    plan_b = PlanFactory(holder_kind="center", center=world.center_b, name="中心乙计划")

    def sub(plan, center, vendor):
        return SubProjectFactory(
            project=ProjectFactory(plan=plan),
            center=center,
            vendor=vendor,
            status=SubProjectStatus.APPROVED,
            hours=Decimal("24"),
            starts_on=today - datetime.timedelta(days=1),
            ends_on=today,
        )

    sub_a = sub(plan_a, world.center_a, world.vendor)
    sub_b = sub(plan_b, world.center_b, None)
    district = world.user("district_a")
    enrollment_a = services.apply(
        subproject=sub_a, teacher=world.teacher_a, by=world.user("teacher_a")
    )
    enrollment_a = services.decide(enrollment=enrollment_a, by=district, approve=True)
    enrollment_a = services.acknowledge(
        enrollment=enrollment_a, by=world.user("teacher_a"), learning=True, safety=True
    )
    enrollment_b = Enrollment.objects.create(
        subproject=sub_b,
        teacher=world.teacher_b,
        district=world.district_b,
        school=world.school_b,
    )
    start = timezone.now() - datetime.timedelta(minutes=5)
    session_a = services.add_session(
        subproject=sub_a,
        by=world.user("center_a"),
        title="开班讲座",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    session_b = services.add_session(
        subproject=sub_b,
        by=world.user("center_b"),
        title="开班讲座",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    services.move_subproject(subproject=sub_a, move="start", by=world.user("center_a"))
    sub_a.refresh_from_db()
    world._training = TrainingObjects(
        plan_a, plan_b, sub_a, sub_b, enrollment_a, enrollment_b, session_a, session_b
    )
    return world._training
