"""Studio fixtures on top of the shared ``world``: studio A managed by center A
and studio B by center B (famous-teacher studios, cycle 2022-09 to 2027-08),
each with a host and members drawn from the world's schools."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from studios import services
from studios.models import PersonRole, Studio, StudioKind, StudioLevel
from tests.factories import TeacherFactory, UserFactory

CYCLE_START = date(2022, 9, 1)


@dataclass
class Studios:
    a: Studio
    b: Studio
    host_a: object  # Teacher
    host_b: object
    member_a: object  # the world's teacher A, who has an account
    member_a2: object
    learner_a: object
    member_b: object


def record(studio, attended, held_on=date(2024, 5, 10), **fields):
    """An activity of ``studio`` (a seminar of 3 hours by default) attended
    by ``attended``, through the service."""
    values = {"kind": "seminar", "title": "研讨", "held_on": held_on, "place": "天河", "hours": 3}
    values.update(fields)
    values["hours"] = Decimal(str(values["hours"]))
    return services.record_activity(studio=studio, fields=values, attended=attended)


def make_studio(center, name, kind=StudioKind.FAMOUS_TEACHER, **kwargs):
    kwargs.setdefault("level", StudioLevel.MUNICIPAL)
    kwargs.setdefault("stage", "primary")
    kwargs.setdefault("subject", "语文")
    kwargs.setdefault("cycle_start", CYCLE_START)
    return Studio.objects.create(name=name, kind=kind, managing_center=center, **kwargs)


@pytest.fixture
def studios(world):
    a = make_studio(world.center_a, "李名师工作室")
    b = make_studio(
        world.center_b, "王名园长工作室", kind=StudioKind.FAMOUS_KG_DIRECTOR, stage="kindergarten"
    )
    host_a = TeacherFactory(
        school=world.school_a, name="李主持", user=UserFactory(username="host_a")
    )
    host_b = TeacherFactory(
        school=world.school_b, name="王主持", user=UserFactory(username="host_b")
    )
    member_a2 = TeacherFactory(school=world.school_a2, name="陈成员")
    learner_a = TeacherFactory(school=world.school_a2, name="赵学员")
    start = CYCLE_START
    services.add_person(studio=a, teacher=host_a, role=PersonRole.HOST, starts_on=start)
    services.add_person(studio=a, teacher=world.teacher_a, role=PersonRole.MEMBER, starts_on=start)
    services.add_person(studio=a, teacher=member_a2, role=PersonRole.MEMBER, starts_on=start)
    services.add_person(studio=a, teacher=learner_a, role=PersonRole.LEARNER, starts_on=start)
    services.add_person(studio=b, teacher=host_b, role=PersonRole.HOST, starts_on=start)
    services.add_person(studio=b, teacher=world.teacher_b, role=PersonRole.MEMBER, starts_on=start)
    return Studios(a, b, host_a, host_b, world.teacher_a, member_a2, learner_a, world.teacher_b)


@pytest.fixture
def charter(db):
    """The six municipal centers with the charter's mandates."""
    from centers.demo import MUNICIPAL_CENTERS
    from centers.services import load_mandates
    from tests.factories import CenterFactory

    centers = {code: CenterFactory(code=code, name=name) for code, name, *_ in MUNICIPAL_CENTERS}
    load_mandates()
    return centers
