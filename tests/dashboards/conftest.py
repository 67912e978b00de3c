"""Dashboard fixtures: the city's credit policy, hours for the world's two
teachers, and enrolled trainees of a 2026 municipal sub-project."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from credits import services as credits
from credits.models import CreditPolicy, Source
from tests.factories import TeacherFactory
from tests.training.factories import SubProjectFactory
from training.models import Enrollment, EnrollmentStatus, SubProjectStatus


@pytest.fixture
def policy(db):
    today = timezone.localdate()
    return CreditPolicy.objects.create(
        name="广州市 周期",
        cycle_start=datetime.date(today.year - 2, 1, 1),
        cycle_end=datetime.date(today.year + 2, 12, 31),
        total_hours=Decimal("360"),
    )


def award(teacher, hours):
    return credits.award_hours(
        teacher=teacher,
        hours=Decimal(hours),
        category="subject",
        source=Source.TRAINING,
        earned_on=timezone.localdate() - datetime.timedelta(days=3),
    )


def enrolled(sub, teacher):
    return Enrollment.objects.create(
        subproject=sub,
        teacher=teacher,
        district=teacher.district,
        school=teacher.school,
        status=EnrollmentStatus.ENROLLED,
        queued_at=timezone.now(),
    )


@pytest.fixture
def figures(world, policy):
    """Hours for both districts' teachers and one enrolled trainee each."""
    award(world.teacher_a, "120")
    award(world.teacher_b, "30")
    sub = SubProjectFactory(center=world.center_a, status=SubProjectStatus.RUNNING, capacity=50)
    enrolled(sub, world.teacher_a)
    enrolled(sub, world.teacher_b)
    return sub


@pytest.fixture
def more(world):
    """``more(n, sub)``: n more teachers in each district, with hours and an enrolment."""

    def _more(n, sub):
        for _ in range(n):
            for school in (world.school_a, world.school_a2, world.school_b):
                teacher = TeacherFactory(school=school)
                award(teacher, "12")
                enrolled(sub, teacher)

    return _more
