"""Supervision visits (督导): recorded by the center, read by the bureau and by
the vendor for its own sub-projects, findings with rectification requests the
vendor answers; the project score from weights held as data, with known
figures, and the vendor's record."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.registry import registry
from evaluation import services
from evaluation.models import (
    FindingStatus,
    ProjectScore,
    ScoreWeight,
    Severity,
    Stage,
    SupervisionVisit,
)
from evaluation.tasks import compute_project_score
from training import services as training

from .conftest import answers_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(world, closed):
    sub, _ = closed
    return services.record_visit(
        subproject=sub,
        by=world.user("center_a"),
        visited_on=timezone.localdate(),
        course_table_matches=False,
        course_table_notes="第二天下午课程调换,未报备",
    )


def test_visit_recorded_by_its_center_only(world, closed):
    sub, _ = closed
    today = timezone.localdate()
    for actor in ("center_b", "vendor", "teacher_a", "district_a"):
        with pytest.raises(PermissionDenied):
            services.record_visit(subproject=sub, by=world.user(actor), visited_on=today)
    assert not SupervisionVisit.objects.exists()
    services.record_visit(subproject=sub, by=world.user("bureau"), visited_on=today)
    assert SupervisionVisit.objects.count() == 1


def test_visit_seen_by_center_bureau_and_own_vendor(world, visit):
    def sees(actor):
        return SupervisionVisit.objects.restrict(world.user(actor)).filter(pk=visit.pk).exists()

    assert sees("center_a") and sees("bureau") and sees("vendor")
    assert not sees("center_b") and not sees("teacher_a") and not sees("outsider")
    assert not sees("district_a")


def test_observation_interview_finding_reply_resolve(world, visit):
    center, vendor = world.user("center_a"), world.user("vendor")
    services.observe(visit=visit, by=center, lesson="课例观摩", rating=4, notes="互动充分")
    with pytest.raises(ValidationError):
        services.observe(visit=visit, by=center, lesson="x", rating=7)
    services.interview(visit=visit, by=center, kind="class_teacher", notes="班主任反映考勤严格")
    with pytest.raises(PermissionDenied):
        services.observe(visit=visit, by=vendor, lesson="x")
    with pytest.raises(ValidationError):  # a rectification needs its date
        services.add_finding(visit=visit, by=center, text="课程调换未报备", rectification="补报")
    finding = services.add_finding(
        visit=visit,
        by=center,
        text="课程调换未报备",
        severity=Severity.MAJOR,
        rectification="补报调课申请",
        due_on=visit.visited_on + datetime.timedelta(days=7),
    )
    services.report_visit(visit=visit, by=center)
    with pytest.raises(PermissionDenied):  # the center does not reply for the vendor
        services.reply(finding=finding, by=center, text="已整改")
    with pytest.raises(ValidationError):
        services.close_visit(visit=visit, by=center)  # the request is open
    with pytest.raises(ValidationError):
        services.resolve(finding=finding, by=center)  # no reply yet
    services.reply(finding=finding, by=vendor, text="已补报调课申请并公示")
    finding.refresh_from_db()
    assert finding.status == FindingStatus.REPLIED and finding.replied_by == vendor
    with pytest.raises(PermissionDenied):
        services.resolve(finding=finding, by=vendor)
    services.resolve(finding=finding, by=center)
    services.close_visit(visit=visit, by=center)
    overdue_day = visit.visited_on + datetime.timedelta(days=30)
    assert not services.overdue_findings(center, today=overdue_day).exists()


def test_overdue_rectification_listed(world, visit):
    center = world.user("center_a")
    services.add_finding(
        visit=visit, by=center, text="签到表缺失", rectification="补交", due_on=visit.visited_on
    )
    later = visit.visited_on + datetime.timedelta(days=1)
    assert services.overdue_findings(center, today=later).count() == 1
    assert services.overdue_findings(world.user("vendor"), today=later).count() == 1
    assert services.overdue_findings(world.user("center_b"), today=later).count() == 0


# --- Project score ------------------------------------------------------------------


def test_combine_known_figures():
    w = {"satisfaction": Decimal(30), "attendance": Decimal(20), "results": Decimal(20)}
    w |= {"supervision": Decimal(20), "checklist": Decimal(10)}
    comps = {
        "satisfaction": Decimal("90"),
        "attendance": Decimal("80"),
        "results": Decimal("100"),
        "supervision": Decimal("85"),
        "checklist": Decimal("50"),
    }
    # (27 + 16 + 20 + 17 + 5) = 85.00
    assert services.combine(comps, w) == Decimal("85.00")
    # Without a supervision visit the others keep their proportions: 68 / 80.
    comps["supervision"] = None
    assert services.combine(comps, w) == Decimal("85.00")
    comps["checklist"] = Decimal("0")
    assert services.combine(comps, w) == Decimal("78.75")  # (27+16+20+0)/80
    assert services.combine(dict.fromkeys(comps), w) is None


def test_project_score_from_the_subproject_and_weights_as_data(
    world, closed, django_capture_on_commit_callbacks
):
    sub, enrollment = closed
    center, vendor = world.user("center_a"), world.user("vendor")
    assert ScoreWeight.objects.count() == 5  # seeded by the migration
    survey = sub.surveys.get()
    invs = list(survey.invitations.order_by("pk"))
    with django_capture_on_commit_callbacks(execute=True):
        services.answer(token=invs[0].token, answers=answers_for(survey, 5), by=invs[0].user)
        services.answer(token=invs[1].token, answers=answers_for(survey, 2), by=invs[1].user)
    # satisfaction 50.00; results: one entered, attendance of the session
    training.enter_result(enrollment=enrollment, by=vendor, test=90)
    visit = services.record_visit(subproject=sub, by=center, visited_on=timezone.localdate())
    services.add_finding(visit=visit, by=center, text="座位安排不合理", severity=Severity.MINOR)
    services.add_finding(visit=visit, by=center, text="讲师临时更换", severity=Severity.MAJOR)
    checks = services.start_checklist(subproject=sub, by=center)
    assert len(checks) == 9
    for check in [c for c in checks if c.stage == Stage.BEFORE]:
        services.check_item(check=check, by=center, evidence="方案评审纪要")
    with pytest.raises(ValidationError):
        services.check_item(check=checks[-1], by=center, evidence="")
    compute_project_score(sub.pk)
    stored = ProjectScore.objects.get(subproject=sub)
    c = stored.components
    assert c["satisfaction"] == "50.00"
    assert c["supervision"] == "80.00"  # 100 - 5 - 15
    assert c["checklist"] == "33.33"  # 3 of 9
    attendance, results = Decimal(c["attendance"]), Decimal(c["results"])
    expected = (
        Decimal(50) * 30 + attendance * 20 + results * 20 + Decimal(80) * 20 + Decimal("33.33") * 10
    ) / 100
    assert stored.score == expected.quantize(Decimal("0.01"))
    # Run twice: the same stored score.
    first = (stored.components, stored.score)
    compute_project_score(sub.pk)
    stored.refresh_from_db()
    assert (stored.components, stored.score) == first
    assert ProjectScore.objects.filter(subproject=sub).count() == 1
    # Weights are data: only satisfaction counts now.
    ScoreWeight.objects.exclude(component="satisfaction").update(weight=0)
    compute_project_score(sub.pk)
    stored.refresh_from_db()
    assert stored.score == Decimal("50.00")


def test_vendor_record_average_through_the_registry(world, closed):
    from tests.training.factories import SubProjectFactory

    sub, _ = closed
    other = SubProjectFactory(center=world.center_a, vendor=world.vendor)
    now = timezone.now()
    for subproject, score in ((sub, "80"), (other, "91")):
        ProjectScore.objects.update_or_create(
            subproject=subproject,
            defaults={"vendor": world.vendor, "score": Decimal(score), "computed_at": now},
        )
    record = registry.vendor_records([world.vendor.pk])
    assert record == {world.vendor.pk: {"evaluation": {"projects": 2, "average": "85.50"}}}
    assert services.vendor_records([]) == {}
