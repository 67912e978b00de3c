"""The studio rules: selection steps, plan steps, hours posted once per
teacher whatever is re-saved, the mentoring rule, evaluation results."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from credits.models import CreditEntry, CreditPolicy
from studios import services
from studios.models import (
    ApplicationStatus,
    Attendance,
    Criterion,
    EvaluationKind,
    MentoringRule,
    PersonRole,
    Plan,
    PlanKind,
    PlanStatus,
    Result,
    RoundStatus,
    SelectionRound,
    StudioPerson,
)
from tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db

DAY = date(2024, 5, 10)


@pytest.fixture(autouse=True)
def policy(db):
    return CreditPolicy.objects.create(
        name="2022—2026", cycle_start=date(2022, 1, 1), cycle_end=date(2026, 12, 31)
    )


def ledger(teacher, key=None):
    entries = CreditEntry.objects.filter(teacher=teacher)
    if key:
        entries = entries.filter(activity_key=key)
    return sum((e.hours for e in entries), Decimal("0"))


def activity_fields(**kwargs):
    fields = {
        "kind": "seminar",
        "title": "单元整体教学研讨",
        "held_on": DAY,
        "place": "天河第一小学",
        "hours": Decimal("4"),
    }
    fields.update(kwargs)
    return fields


# --- Hours once --------------------------------------------------------------


def test_attendance_posts_hours_once_whatever_is_resaved(studios, world):
    s = studios
    activity = services.record_activity(
        studio=s.a,
        fields=activity_fields(),
        attended=[s.member_a, s.host_a],
        by=world.user("center_a"),
    )
    key = f"studios.activity:{activity.pk}"
    assert ledger(s.member_a, key) == 4 and ledger(s.host_a, key) == 4
    assert ledger(s.member_a2, key) == 0
    for _ in range(3):  # re-saved from the page, the API, a retry
        services.record_activity(
            studio=s.a,
            fields={"title": "单元整体教学研讨（修订）"},
            attended=[s.member_a, s.host_a],
            activity=activity,
        )
        services.sync_activity_hours(activity=activity)
    assert ledger(s.member_a, key) == 4
    assert CreditEntry.objects.filter(teacher=s.member_a, activity_key=key).count() == 1
    assert Attendance.objects.filter(activity=activity).count() == 4  # every person of the studio
    assert Attendance.objects.get(activity=activity, teacher=s.member_a2).attended is False


def test_withdrawn_attendance_is_reversed_and_a_new_figure_replaces_the_old(studios):
    s = studios
    activity = services.record_activity(studio=s.a, fields=activity_fields(), attended=[s.member_a])
    key = activity.activity_key
    services.record_activity(studio=s.a, fields={}, attended=[], activity=activity)
    assert ledger(s.member_a, key) == 0
    services.record_activity(studio=s.a, fields={}, attended=[s.member_a], activity=activity)
    assert ledger(s.member_a, key) == 4
    services.record_activity(
        studio=s.a, fields={"hours": Decimal("6")}, attended=[s.member_a], activity=activity
    )
    assert ledger(s.member_a, key) == 6
    # Every change is a reversal or an award: nothing was edited.
    assert CreditEntry.objects.filter(activity_key=key, reverses__isnull=False).count() == 2


def test_the_counting_entries_are_the_keys_last_awards_and_no_other_keys(studios):
    """``_counting_entries`` reads the activities through the ledger's entries
    of the key: after a withdrawal, a new attendance and a new figure, the entry
    that counts is the last award; another activity's entries stay out."""
    s = studios
    activity = services.record_activity(
        studio=s.a, fields=activity_fields(), attended=[s.member_a, s.host_a]
    )
    other = services.record_activity(studio=s.a, fields=activity_fields(), attended=[s.member_a2])
    services.record_activity(studio=s.a, fields={}, attended=[s.host_a], activity=activity)
    services.record_activity(
        studio=s.a, fields={"hours": Decimal("6")}, attended=[s.host_a], activity=activity
    )
    counting = services._counting_entries(activity.activity_key)
    assert list(counting) == [s.host_a.pk]
    last = CreditEntry.objects.filter(
        teacher=s.host_a, activity_key=activity.activity_key, reverses__isnull=True
    ).latest("id")
    assert counting[s.host_a.pk] == last and last.hours == 6
    assert list(services._counting_entries(other.activity_key)) == [s.member_a2.pk]
    assert services._counting_entries("studios.activity:0") == {}


def test_the_counting_entries_read_no_activity_by_key_alone(studios, postgres):
    """No index has the activities' key first (each would cost every sync's
    writes): the read starts from the ledger's partial index on the entries'
    key, so even with sequential scans discouraged none is on the activities."""
    from django.db import connection, transaction

    activity = services.record_activity(
        studio=studios.a, fields=activity_fields(), attended=[studios.member_a]
    )
    sql, params = services._counting_rows(activity.activity_key).query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    assert "credit_entry_activity" in plan, plan


def test_only_people_of_the_studio_are_marked_present(studios):
    with pytest.raises(ValidationError):
        services.record_activity(
            studio=studios.a, fields=activity_fields(), attended=[studios.member_b]
        )
    assert not CreditEntry.objects.exists()


def test_attendance_waits_for_the_day(studios):
    future = timezone.localdate() + timedelta(days=3)
    studios.a.cycle_end = future + timedelta(days=400)
    with pytest.raises(ValidationError):
        services.record_activity(
            studio=studios.a, fields=activity_fields(held_on=future), attended=[studios.member_a]
        )
    planned = services.record_activity(
        studio=studios.a, fields=activity_fields(held_on=future), attended=[]
    )
    assert planned.pk and not CreditEntry.objects.exists()


def test_mentoring_hours_once_for_mentee_and_mentor(studios, world):
    s = studios
    mentee = TeacherFactory(school=world.school_a, name="普通教师")
    pair = services.add_pair(studio=s.a, year=2024, mentor=s.host_a, mentee=mentee)
    for _ in range(3):
        services.complete_pair(pair=pair, on=date(2024, 12, 20))
    key = f"studios.mentoring:{pair.pk}:2024"
    assert ledger(mentee, key) == 20
    assert ledger(s.host_a, key) == 10
    assert CreditEntry.objects.filter(activity_key=key).count() == 2


def test_mentoring_pairs_follow_the_rules(studios, world):
    s = studios
    mentee = TeacherFactory(school=world.school_a)
    with pytest.raises(ValidationError):  # a learner is not a mentor
        services.add_pair(studio=s.a, year=2024, mentor=s.learner_a, mentee=mentee)
    with pytest.raises(ValidationError):  # a member of a studio is no ordinary teacher
        services.add_pair(studio=s.a, year=2024, mentor=s.host_a, mentee=s.member_b)
    with pytest.raises(ValidationError):  # outside the cycle
        services.add_pair(studio=s.a, year=2030, mentor=s.host_a, mentee=mentee)
    services.add_pair(studio=s.a, year=2024, mentor=s.host_a, mentee=mentee)
    with pytest.raises(ValidationError):
        services.add_pair(studio=s.a, year=2024, mentor=s.host_a, mentee=mentee)


def test_mentoring_rule_is_data(studios, world):
    s = studios
    for _i in range(2):
        services.add_pair(
            studio=s.a, year=2024, mentor=s.host_a, mentee=TeacherFactory(school=world.school_a)
        )
    status = services.mentoring_status(s.a, 2024)
    assert (status.count, status.required, status.short, status.missing) == (2, 3, True, 1)
    MentoringRule.objects.create(kind=s.a.kind, min_mentees=2)
    assert services.mentoring_status(s.a, 2024).short is False
    assert services.mentoring_status(s.b, 2024).required == 3


# --- Selection -----------------------------------------------------------------


def pdf(name="简历.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 demo", content_type="application/pdf")


def test_selection_round_from_application_to_published_list(studios, world):
    s = studios
    round = SelectionRound.objects.create(
        studio=s.a,
        role=PersonRole.MEMBER,
        title="2024年成员遴选",
        year=2024,
        closes_on=timezone.localdate() + timedelta(days=10),
        places=1,
    )
    t1 = TeacherFactory(school=world.school_a, name="申请甲")
    t2 = TeacherFactory(school=world.school_a, name="申请乙")
    a1 = services.submit_application(
        round=round, teacher=t1, statement="…", documents=[("简历", pdf())]
    )
    a2 = services.submit_application(round=round, teacher=t2)
    assert a1.documents.count() == 1
    with pytest.raises(ValidationError):
        services.submit_application(round=round, teacher=t1)
    with pytest.raises(ValidationError):  # the bureau decides after the center's review
        services.decide_application(application=a1, approve=True, by=world.user("bureau"))
    services.close_round(round=round)
    with pytest.raises(ValidationError):
        services.submit_application(round=round, teacher=TeacherFactory(school=world.school_a))
    services.review_application(application=a1, recommend=True, by=world.user("center_a"))
    with pytest.raises(ValidationError):  # a refusal says why
        services.review_application(application=a2, recommend=False)
    services.review_application(application=a2, recommend=False, note="材料不全")
    services.decide_application(application=a1, approve=True)
    with pytest.raises(ValidationError):  # one place
        services.decide_application(application=a2, approve=True)
    with pytest.raises(ValidationError):  # a2 undecided
        services.publish_round(round=round)
    services.decide_application(application=a2, approve=False)
    selected = services.publish_round(round=round, on=date(2024, 9, 1))
    assert [a.teacher for a in selected] == [t1]
    round.refresh_from_db()
    assert round.status == RoundStatus.PUBLISHED
    person = StudioPerson.objects.get(studio=s.a, teacher=t1)
    assert person.role == PersonRole.MEMBER and person.application_id == a1.pk
    assert a1.__class__.objects.get(pk=a1.pk).status == ApplicationStatus.APPROVED
    with pytest.raises(ValidationError):
        services.publish_round(round=round)


def test_uploads_are_checked(studios, world):
    round = SelectionRound.objects.create(
        studio=studios.a,
        role=PersonRole.LEARNER,
        title="学员遴选",
        year=2024,
        closes_on=timezone.localdate() + timedelta(days=10),
    )
    bad = SimpleUploadedFile("x.exe", b"MZ....", content_type="application/octet-stream")
    with pytest.raises(ValidationError):
        services.submit_application(round=round, teacher=TeacherFactory(), documents=[("x", bad)])
    assert not round.applications.exists()


def test_a_host_does_not_apply_to_host_another(studios):
    round = SelectionRound.objects.create(
        studio=studios.b,
        role=PersonRole.HOST,
        title="主持人遴选",
        year=2024,
        closes_on=timezone.localdate() + timedelta(days=10),
    )
    with pytest.raises(ValidationError):
        services.submit_application(round=round, teacher=studios.host_a)


# --- Plans -------------------------------------------------------------------


def test_plan_steps(studios):
    plan = Plan.objects.create(
        studio=studios.a, kind=PlanKind.ANNUAL, year=2024, title="2024年计划", body="一、"
    )
    with pytest.raises(ValidationError):
        services.approve_plan(plan=plan)
    services.submit_plan(plan=plan)
    with pytest.raises(ValidationError):
        services.return_plan(plan=plan, note="")
    services.return_plan(plan=plan, note="补充师徒结对安排")
    assert plan.status == PlanStatus.DRAFT and plan.return_note
    services.submit_plan(plan=plan)
    services.approve_plan(plan=plan)
    assert plan.status == PlanStatus.APPROVED and plan.approved_at


# --- Evaluation --------------------------------------------------------------


def score_all(evaluation, value):
    criteria = Criterion.objects.filter(scheme=evaluation.scheme)
    services.score_evaluation(evaluation=evaluation, scores={c.pk: value for c in criteria})


def test_annual_evaluation_by_the_managing_center(studios, world):
    with pytest.raises(PermissionDenied):
        services.start_evaluation(
            studio=studios.a, kind=EvaluationKind.ANNUAL, year=2024, by=world.user("center_b")
        )
    with pytest.raises(PermissionDenied):
        services.start_evaluation(
            studio=studios.a, kind=EvaluationKind.ANNUAL, year=2024, by=world.user("bureau")
        )
    evaluation = services.start_evaluation(
        studio=studios.a, kind=EvaluationKind.ANNUAL, year=2024, by=world.user("center_a")
    )
    first = Criterion.objects.filter(scheme=evaluation.scheme).first()
    services.score_evaluation(evaluation=evaluation, scores={first.pk: 95})
    with pytest.raises(ValidationError):  # every criterion first
        services.complete_evaluation(evaluation=evaluation)
    score_all(evaluation, 92)
    evaluation = services.complete_evaluation(evaluation=evaluation, by=world.user("center_a"))
    assert evaluation.total == Decimal("92.0") and evaluation.result == Result.EXCELLENT
    with pytest.raises(ValidationError):
        services.score_evaluation(evaluation=evaluation, scores={first.pk: 10})


def test_weighted_total_and_bands(studios):
    evaluation = services.start_evaluation(studio=studios.a, kind=EvaluationKind.ANNUAL, year=2023)
    criteria = list(Criterion.objects.filter(scheme=evaluation.scheme).order_by("order"))
    # weights 15, 25, 20, 25, 15
    services.score_evaluation(
        evaluation=evaluation,
        scores=dict(zip([c.pk for c in criteria], [100, 80, 60, 40, 20], strict=True)),
    )
    evaluation = services.complete_evaluation(evaluation=evaluation)
    assert evaluation.total == Decimal("60.0")  # (1500+2000+1200+1000+300)/100
    assert evaluation.result == Result.PASS


def test_failing_cycle_evaluation_is_recorded_against_the_host(studios, world):
    with pytest.raises(PermissionDenied):
        services.start_evaluation(
            studio=studios.a, kind=EvaluationKind.CYCLE, by=world.user("center_a")
        )
    evaluation = services.start_evaluation(
        studio=studios.a, kind=EvaluationKind.CYCLE, by=world.user("bureau")
    )
    assert evaluation.year == 2027
    score_all(evaluation, 50)
    evaluation = services.complete_evaluation(evaluation=evaluation, by=world.user("bureau"))
    assert evaluation.result == Result.FAIL
    assert list(services.host_failures(studios.host_a)) == [evaluation]
    assert list(services.host_failures(studios.host_b)) == []
