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
    # Issue 13: each class names its career ladder step (trainers' classes stand on none).
    stepless = SubProject.objects.filter(code__startswith="GZ26-0", ladder_step="")
    assert set(stepless.values_list("tier", flat=True)) <= {"trainer_team"}
    closed = SubProject.objects.get(code=demo.CLOSED)
    running = SubProject.objects.get(code=demo.RUNNING)
    assert closed.status == SubProjectStatus.CLOSED and running.status == SubProjectStatus.RUNNING
    posted = CreditEntry.objects.filter(activity_key=closed.activity_key)
    assert posted.count() == 11  # 12 trainees, one below the minimum presence
    assert posted.filter(teacher__user__username="teacher").exists()
    assert Result.objects.filter(enrollment__subproject=running).count() == 5
    demo.load()
    assert counts() == first


def test_demo_procurement_bases_and_experts():
    from training import demo_procurement
    from training.models import (
        Contract,
        Expert,
        PaymentStepStatus,
        PracticeBase,
        Procurement,
        ProcurementStatus,
    )
    from training.services import procurement as proc

    centers_demo.load()
    credits_demo.load()
    demo.load()
    by_stage = {}
    for stage in PracticeBase.objects.values_list("stage", flat=True):
        by_stage[stage] = by_stage.get(stage, 0) + 1
    assert by_stage == {"kindergarten": 6, "primary": 8, "junior": 8, "senior": 5}
    assert Expert.objects.count() == 56
    p = Procurement.objects.get(title=demo_procurement.TITLE)
    assert p.status == ProcurementStatus.CONTRACTED
    assert p.panel.count() == 5 and proc.reproduce_draw(p) == [
        m.expert_id for m in p.panel.order_by("position")
    ]
    assert len(p.draw_excluded) == 2
    contract = Contract.objects.get(procurement=p)
    assert contract.amount == Decimal("278000.00") and contract.status == "accepted"
    assert [s.status for s in contract.steps.all()] == [
        PaymentStepStatus.PAID,
        PaymentStepStatus.DUE,
    ]
    before = (Expert.objects.count(), PracticeBase.objects.count(), Procurement.objects.count())
    demo.load()
    assert before == (
        Expert.objects.count(),
        PracticeBase.objects.count(),
        Procurement.objects.count(),
    )
