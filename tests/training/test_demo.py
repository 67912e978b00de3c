"""The training demo: Hezhou's plans with their figures, municipal
sub-projects routed to the six centers, a class mid-way and a closed one
whose hours are on the ledger; loading twice changes nothing."""

from decimal import Decimal

import pytest

from centers import demo as centers_demo
from credits import demo as credits_demo
from credits.models import CreditEntry
from training import demo
from training.models import (
    Attendance,
    Enrollment,
    Level,
    Plan,
    Result,
    Session,
    SubProject,
    SubProjectStatus,
)

pytestmark = pytest.mark.django_db


def counts():
    return {
        m.__name__: m.objects.count()
        for m in (Plan, SubProject, Enrollment, Session, Attendance, Result, CreditEntry)
    }


def test_demo_plans_classes_and_hours():
    centers_demo.load()
    credits_demo.load()
    demo.load()
    first = counts()
    national = {p.year: p for p in Plan.objects.filter(level=Level.NATIONAL, name__contains="贺州")}
    assert national[2016].budget == Decimal("1850000") and national[2016].planned_trainees == 1700
    assert national[2020].budget == Decimal("4068860") and national[2020].planned_trainees == 6069
    provincial = Plan.objects.get(level=Level.PROVINCIAL, year=2019)
    assert (provincial.budget, provincial.planned_trainees) == (Decimal("1020000"), 920)
    # The municipal sub-projects are routed to all six municipal centers.
    routed = SubProject.objects.filter(code__startswith="GZ26-0").values_list(
        "center__code", flat=True
    )
    assert len(set(routed)) >= 4
    assert SubProject.objects.filter(code__startswith="GZ26-0", center=None).count() == 0
    closed = SubProject.objects.get(code=demo.CLOSED)
    running = SubProject.objects.get(code=demo.RUNNING)
    assert closed.status == SubProjectStatus.CLOSED and running.status == SubProjectStatus.RUNNING
    posted = CreditEntry.objects.filter(activity_key=closed.activity_key)
    assert posted.count() == 11  # 12 trainees, one below the minimum presence
    assert posted.filter(teacher__user__username="teacher").exists()
    assert Result.objects.filter(enrollment__subproject=running).count() == 5
    demo.load()
    assert counts() == first
