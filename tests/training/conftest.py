"""Training fixtures: a running class of the world's center A, with a session
today, and helpers to put teachers on it."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.roles import Role
from credits.models import CreditPolicy
from tests.factories import TeacherFactory, UserFactory, member
from training import services
from training.models import EnrollmentStatus, SubProjectStatus

from .factories import SubProjectFactory


@pytest.fixture
def policy(db):
    today = timezone.localdate()
    return CreditPolicy.objects.create(
        name="广州市 周期",
        cycle_start=datetime.date(today.year - 2, 1, 1),
        cycle_end=datetime.date(today.year + 2, 12, 31),
        total_hours=Decimal("360"),
    )


@pytest.fixture
def sub(world, policy):
    """An approved sub-project of center A with 3 seats, taught by the vendor."""
    today = timezone.localdate()
    return SubProjectFactory(
        center=world.center_a,
        vendor=world.vendor,
        status=SubProjectStatus.APPROVED,
        capacity=3,
        starts_on=today - datetime.timedelta(days=2),
        ends_on=today,
    )


def teacher_user(school, name=None):
    teacher = TeacherFactory(school=school, **({"name": name} if name else {}))
    user = UserFactory()
    member(user, Role.TEACHER, teacher)
    teacher.user = user
    teacher.save(update_fields=["user"])
    return teacher, user


@pytest.fixture
def enrol(world):
    """``enrol(sub, teacher=None, confirm=True)`` → an approved enrolment."""

    def _enrol(sub, teacher=None, user=None, confirm=True):
        if teacher is None:
            teacher, user = teacher_user(world.school_a)
        user = user or teacher.user
        enrollment = services.apply(subproject=sub, teacher=teacher, by=user)
        enrollment = services.decide(
            enrollment=enrollment, by=world.user("district_a"), approve=True
        )
        if confirm:
            enrollment = services.acknowledge(
                enrollment=enrollment, by=user, learning=True, safety=True, insurance="平安 P-1"
            )
        return enrollment

    return _enrol


def add_session(sub, by, *, start=None, minutes=90):
    start = start or timezone.now() - datetime.timedelta(minutes=5)
    return services.add_session(
        subproject=sub,
        by=by,
        title="专题讲座",
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=minutes),
    )


ENROLLED = EnrollmentStatus.ENROLLED
