"""The training rules: states, routing, quotas, seats and the waitlist,
commitments, check-in codes, results by rule, and hours posted once."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from centers.models import Mandate, TrainingKind
from credits.models import CreditClaim, CreditEntry
from training import services
from training.models import (
    Attendance,
    EnrollmentStatus,
    Grade,
    Notice,
    NoticeKind,
    Quota,
    ResultRule,
    SubProject,
    SubProjectStatus,
)

from .conftest import add_session, teacher_user
from .factories import PlanFactory, ProjectFactory, SubProjectFactory

pytestmark = pytest.mark.django_db


# --- States and routing ----------------------------------------------------------------


def test_subproject_moves_in_order_and_refuses_skips(world):
    sub = SubProjectFactory(center=world.center_a)
    center = world.user("center_a")
    with pytest.raises(ValidationError) as exc:
        services.move_subproject(subproject=sub, move="approve", by=world.user("bureau"))
    assert "approve" in str(exc.value) or "批准" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.move_subproject(subproject=sub, move="submit", by=world.user("center_b"))
    sub = services.move_subproject(subproject=sub, move="submit", by=center)
    with pytest.raises(PermissionDenied):  # a center does not approve its own work
        services.move_subproject(subproject=sub, move="approve", by=center)
    sub = services.move_subproject(subproject=sub, move="approve", by=world.user("bureau"))
    with pytest.raises(ValidationError):  # no timetable yet
        services.move_subproject(subproject=sub, move="start", by=center)
    add_session(sub, center)
    sub = services.move_subproject(subproject=sub, move="start", by=center)
    assert sub.status == SubProjectStatus.RUNNING
    with pytest.raises(ValidationError):
        services.move_subproject(subproject=sub, move="submit", by=center)
    from core.models import AuditEntry

    assert AuditEntry.objects.filter(
        object_type="training.subproject", object_id=str(sub.pk), message="start"
    ).exists()


def test_plan_moves(world):
    plan = PlanFactory(holder_kind="center", center=world.center_a)
    plan = services.move_plan(plan=plan, move="submit", by=world.user("center_a"))
    with pytest.raises(PermissionDenied):
        services.move_plan(plan=plan, move="approve", by=world.user("center_a"))
    plan = services.move_plan(plan=plan, move="approve", by=world.user("bureau"))
    assert plan.status == "approved"
    with pytest.raises(ValidationError):
        services.move_plan(plan=plan, move="submit", by=world.user("center_a"))


def test_center_proposed_by_mandates_and_override_needs_reason(world):
    Mandate.objects.create(center=world.center_b, training_kind=TrainingKind.KEY_TEACHER)
    project = ProjectFactory(plan=PlanFactory(holder_kind="bureau"))
    sub = SubProject(
        project=project,
        name="骨干教师研修",
        training_kind=TrainingKind.KEY_TEACHER,
        tier="key_teacher",
        mode="workshop",
        hours=Decimal("30"),
        starts_on=datetime.date(2026, 5, 1),
        ends_on=datetime.date(2026, 5, 5),
        capacity=40,
    )
    sub = services.save_subproject(subproject=sub, by=world.user("bureau"))
    assert sub.center == world.center_b and sub.proposed_center == world.center_b
    sub.center = world.center_a
    with pytest.raises(ValidationError) as exc:
        services.save_subproject(subproject=sub, by=world.user("bureau"))
    assert "center_reason" in exc.value.message_dict
    sub.center_reason = "中心B本年度任务已满"
    sub = services.save_subproject(subproject=sub, by=world.user("bureau"))
    assert sub.center == world.center_a and ResultRule.objects.filter(subproject=sub).exists()


# --- Enrolment -------------------------------------------------------------------------


def test_teacher_applies_district_approves_and_commitments_confirm(world, sub):
    teacher = world.teacher_a
    with pytest.raises(PermissionDenied):
        services.apply(subproject=sub, teacher=teacher, by=world.user("outsider"))
    enrollment = services.apply(subproject=sub, teacher=teacher, by=world.user("teacher_a"))
    assert enrollment.status == EnrollmentStatus.PENDING
    with pytest.raises(ValidationError):  # twice
        services.apply(subproject=sub, teacher=teacher, by=world.user("school_a"))
    with pytest.raises(PermissionDenied):
        services.decide(enrollment=enrollment, by=world.user("district_b"), approve=True)
    enrollment = services.decide(enrollment=enrollment, by=world.user("district_a"), approve=True)
    assert enrollment.status == EnrollmentStatus.ENROLLED and enrollment.confirmed_at is None
    enrollment = services.acknowledge(
        enrollment=enrollment, by=world.user("teacher_a"), learning=True
    )
    assert enrollment.confirmed_at is None
    enrollment = services.acknowledge(
        enrollment=enrollment, by=world.user("teacher_a"), safety=True
    )
    assert enrollment.confirmed_at is not None
    sub.refresh_from_db()
    assert sub.seats_taken == 1


def test_off_site_needs_insurance(world, sub):
    sub.off_site = True
    sub.save()
    enrollment = services.apply(subproject=sub, teacher=world.teacher_a, by=world.user("school_a"))
    assert enrollment.nominated_by == world.user("school_a")
    services.decide(enrollment=enrollment, by=world.user("district_a"), approve=True)
    with pytest.raises(ValidationError) as exc:
        services.acknowledge(
            enrollment=enrollment, by=world.user("teacher_a"), learning=True, safety=True
        )
    assert "insurance" in exc.value.message_dict
    enrollment = services.acknowledge(
        enrollment=enrollment,
        by=world.user("teacher_a"),
        learning=True,
        safety=True,
        insurance="中国人寿 GZ-001",
    )
    assert enrollment.is_confirmed


def test_rejection_needs_reason(world, sub):
    enrollment = services.apply(subproject=sub, teacher=world.teacher_a, by=world.user("teacher_a"))
    with pytest.raises(ValidationError):
        services.decide(enrollment=enrollment, by=world.user("district_a"), approve=False)
    enrollment = services.decide(
        enrollment=enrollment, by=world.user("district_a"), approve=False, reason="名额已分配"
    )
    assert enrollment.status == EnrollmentStatus.REJECTED
    # A rejected teacher may apply again.
    services.apply(subproject=sub, teacher=world.teacher_a, by=world.user("teacher_a"))


def test_quota_per_district_and_school(world, sub):
    sub.capacity = 10
    sub.save()
    Quota.objects.create(subproject=sub, district=world.district_a, seats=2)
    Quota.objects.create(subproject=sub, district=world.district_a, school=world.school_a2, seats=1)
    district = world.user("district_a")
    a1, _ = teacher_user(world.school_a2)
    a2, _ = teacher_user(world.school_a2)
    e1 = services.apply(subproject=sub, teacher=a1, by=a1.user)
    e2 = services.apply(subproject=sub, teacher=a2, by=a2.user)
    services.decide(enrollment=e1, by=district, approve=True)
    with pytest.raises(ValidationError) as exc:  # the school's own quota of 1
        services.decide(enrollment=e2, by=district, approve=True)
    assert exc.value.code == "quota"
    e3 = services.apply(subproject=sub, teacher=world.teacher_a, by=world.user("teacher_a"))
    services.decide(enrollment=e3, by=district, approve=True)
    b1, _ = teacher_user(world.school_a)
    e4 = services.apply(subproject=sub, teacher=b1, by=b1.user)
    with pytest.raises(ValidationError):  # the district's 2 are used
        services.decide(enrollment=e4, by=district, approve=True)
    # District B has no quota while others do: nothing for it.
    tb, _ = teacher_user(world.school_b)
    eb = services.apply(subproject=sub, teacher=tb, by=tb.user)
    from core.roles import Role
    from tests.factories import UserFactory, member

    b_staff = world.user("district_b")
    with pytest.raises(ValidationError):
        services.decide(enrollment=eb, by=b_staff, approve=True)
    assert UserFactory and member and Role


def test_capacity_waitlist_and_promotion_in_arrival_order(world, sub, enrol):
    first = [enrol(sub) for _ in range(3)]
    waiting = [enrol(sub) for _ in range(3)]
    assert {e.status for e in first} == {EnrollmentStatus.ENROLLED}
    assert {e.status for e in waiting} == {EnrollmentStatus.WAITLISTED}
    assert list(services.waitlist(sub)) == waiting
    # Withdrawing two frees two seats: the first two in line move up, with a notice.
    services.withdraw(enrollment=first[0], by=first[0].teacher.user)
    services.withdraw(enrollment=first[1], by=world.user("district_a"))
    for e in waiting:
        e.refresh_from_db()
    assert [e.status for e in waiting] == ["enrolled", "enrolled", "waitlisted"]
    assert waiting[0].is_confirmed  # they had acknowledged already
    assert Notice.objects.filter(kind=NoticeKind.PROMOTED, enrollment__in=waiting[:2]).count() == 2
    sub.refresh_from_db()
    assert sub.seats_taken == 3
    with pytest.raises(ValidationError):  # once
        services.withdraw(enrollment=first[0], by=first[0].teacher.user)
    # More seats promote the next in line.
    sub.capacity = 4
    services.save_subproject(subproject=sub, by=world.user("center_a"))
    waiting[2].refresh_from_db()
    assert waiting[2].status == EnrollmentStatus.ENROLLED
    sub.capacity = 2
    with pytest.raises(ValidationError):
        services.save_subproject(subproject=sub, by=world.user("center_a"))


def test_closed_subproject_refuses_enrolment(world, sub):
    SubProject.objects.filter(pk=sub.pk).update(status=SubProjectStatus.CLOSED)
    sub.refresh_from_db()
    with pytest.raises(ValidationError):
        services.apply(subproject=sub, teacher=world.teacher_a, by=world.user("teacher_a"))


# --- Check-in --------------------------------------------------------------------------


@override_settings(TRAINING_CHECKIN_ROTATION=30)
def test_code_rotates_and_is_valid_only_in_its_window(world, sub, enrol):
    enrollment = enrol(sub)
    user = enrollment.teacher.user
    session = add_session(sub, world.user("center_a"))
    now = timezone.now()
    shown = services.checkin_code(session, at=now)
    later = services.checkin_code(session, at=now + datetime.timedelta(seconds=30))
    assert shown.code != later.code and len(shown.code) == 6
    assert 1 <= shown.seconds_left <= 30
    # The previous code, typed after it rotated: refused as expired.
    with pytest.raises(services.CheckinRefused) as exc:
        services.check_in(
            session=session, by=user, code=shown.code, at=now + datetime.timedelta(seconds=31)
        )
    assert exc.value.code == "expired"
    with pytest.raises(services.CheckinRefused) as exc:
        services.check_in(
            session=session, by=user, code="000000" if shown.code != "000000" else "111111", at=now
        )
    assert exc.value.code == "wrong"
    row = services.check_in(session=session, by=user, code=shown.code, at=now)
    again = services.check_in(
        session=session, by=user, code=f" {shown.code[:3]} {shown.code[3:]}", at=now
    )
    assert row.pk == again.pk and Attendance.objects.count() == 1
    # Outside the window.
    too_late = session.checkin_closes_at + datetime.timedelta(minutes=1)
    with pytest.raises(services.CheckinRefused) as exc:
        services.check_in(
            session=session,
            by=user,
            code=services.checkin_code(session, too_late).code,
            at=too_late,
        )
    assert exc.value.code == "closed"
    too_early = session.checkin_opens_at - datetime.timedelta(minutes=1)
    with pytest.raises(services.CheckinRefused) as exc:
        services.check_in(
            session=session,
            by=user,
            code=services.checkin_code(session, too_early).code,
            at=too_early,
        )
    assert exc.value.code == "not_open"


def test_checkin_refusals(world, sub, enrol):
    session = add_session(sub, world.user("center_a"))
    code = services.checkin_code(session).code
    with pytest.raises(services.CheckinRefused) as exc:
        services.check_in(session=session, by=world.user("teacher_a"), code=code)
    assert exc.value.code == "not_enrolled"
    unconfirmed = enrol(sub, confirm=False)
    with pytest.raises(services.CheckinRefused) as exc:
        services.check_in(session=session, by=unconfirmed.teacher.user, code=code)
    assert exc.value.code == "not_confirmed"
    confirmed = enrol(sub)
    services.sign_off(session=session, by=world.user("vendor"))
    with pytest.raises(services.CheckinRefused) as exc:
        services.check_in(session=session, by=confirmed.teacher.user, code=code)
    assert exc.value.code == "signed_off"


def test_vendor_signs_off_and_corrects_with_reason(world, sub, enrol):
    enrollment = enrol(sub)
    session = add_session(sub, world.user("vendor"))
    with pytest.raises(PermissionDenied):
        services.sign_off(session=session, by=world.user("center_b"))
    services.sign_off(session=session, by=world.user("vendor"))
    with pytest.raises(ValidationError):
        services.sign_off(session=session, by=world.user("vendor"))
    with pytest.raises(ValidationError):
        services.correct_attendance(
            session=session, enrollment=enrollment, present=True, reason="", by=world.user("vendor")
        )
    row = services.correct_attendance(
        session=session,
        enrollment=enrollment,
        present=True,
        reason="手机没电，现场签到表为证",
        by=world.user("vendor"),
    )
    assert row.method == "vendor" and row.present
    from core.models import AuditEntry

    assert AuditEntry.objects.filter(
        object_type="training.attendance", message__contains="手机没电"
    ).exists()


# --- Results and hours -----------------------------------------------------------------


def test_result_rule_as_data():
    rule = ResultRule()
    sub = SubProject(min_presence=80)
    full = {"assignment": 90, "test": 95, "case": 90, "reflection": 90}
    assert services.compute(rule, sub, Decimal(100), full) == (Decimal("93.5"), Grade.EXCELLENT)
    assert (
        services.compute(
            rule, sub, Decimal(100), {"test": 60, "assignment": 60, "case": 60, "reflection": 60}
        )[1]
        == Grade.PASS
    )
    # Below the minimum presence, whatever the scores.
    assert services.compute(rule, sub, Decimal(75), full)[1] == Grade.FAIL
    strict = ResultRule(
        weight_attendance=0,
        weight_assignment=0,
        weight_test=100,
        weight_case=0,
        weight_reflection=0,
        pass_from=Decimal(90),
        excellent_from=Decimal(99),
    )
    assert services.compute(strict, sub, Decimal(100), full) == (Decimal("95.0"), Grade.PASS)


def _run_class(world, sub, enrol, n=2):
    center, vendor = world.user("center_a"), world.user("vendor")
    trainees = [enrol(sub) for _ in range(n)]
    session = add_session(sub, center)
    services.move_subproject(subproject=sub, move="start", by=center)
    # One instant for the code shown and the codes typed: the code rotates every
    # 30-60 s, and a slow run that crossed a rotation between them was refused
    # ("expired"), which made the tests built on this class fail now and then.
    now = timezone.now()
    code = services.checkin_code(session, at=now).code
    for e in trainees:
        services.check_in(session=session, by=e.teacher.user, code=code, at=now)
    services.sign_off(session=session, by=vendor)
    return trainees, session


def test_close_posts_hours_once_and_changed_result_reverses(world, sub, enrol):
    vendor, center = world.user("vendor"), world.user("center_a")
    (good, weak), session = _run_class(world, sub, enrol)
    services.enter_result(
        enrollment=good, by=vendor, assignment=90, test=90, case=90, reflection=90
    )
    result = services.enter_result(enrollment=weak, by=vendor, assignment=10, test=10)
    assert result.grade == Grade.FAIL and result.attendance_rate == Decimal("100.0")
    with pytest.raises(PermissionDenied):
        services.close_subproject(subproject=sub, by=world.user("center_b"))
    counts = services.close_subproject(subproject=sub, by=center)
    assert counts["posted"] == 1
    entry = CreditEntry.objects.get()
    assert entry.teacher_id == good.teacher_id and entry.hours == sub.hours
    assert entry.activity_key == f"training.subproject:{sub.pk}" and entry.source == "training"
    with pytest.raises(ValidationError):  # closed already
        services.close_subproject(subproject=sub, by=center)
    # Reopened and closed again: nothing more on the ledger.
    services.move_subproject(subproject=sub, move="reopen", by=center, reason="补录成绩")
    counts = services.close_subproject(subproject=sub, by=center)
    assert counts["posted"] == 0 and CreditEntry.objects.count() == 1
    # After closing, the weak trainee's corrected scores pass: hours posted.
    services.enter_result(
        enrollment=weak, by=vendor, assignment=80, test=80, case=80, reflection=80
    )
    assert CreditEntry.objects.filter(teacher=weak.teacher).count() == 1
    # The good one's attendance is corrected to absent: below 80 %, reversed.
    services.correct_attendance(
        session=session, enrollment=good, present=False, reason="代签，查实缺席", by=vendor
    )
    entries = CreditEntry.objects.filter(teacher=good.teacher).order_by("id")
    assert [e.hours for e in entries] == [sub.hours, -sub.hours]
    good.refresh_from_db()
    assert good.credit_entry is None and good.result.grade == Grade.FAIL
    # And back: re-posted as a new generation.
    services.correct_attendance(
        session=session, enrollment=good, present=True, reason="复核：本人到场", by=vendor
    )
    assert sum(e.hours for e in CreditEntry.objects.filter(teacher=good.teacher)) == sub.hours
    assert CreditEntry.objects.filter(teacher=good.teacher).count() == 3


def _closed_class(world, sub, enrol, n, capture_on_commit):
    """Close a class of ``n`` passing trainees; returns (the queries of the close,
    the completion refreshes it queued)."""
    from unittest import mock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    vendor, center = world.user("vendor"), world.user("center_a")
    trainees, _session = _run_class(world, sub, enrol, n=n)
    for e in trainees:
        services.enter_result(enrollment=e, by=vendor, assignment=90, test=90, case=90)
    # The test's transaction never commits: forget an earlier close's pending
    # refresh (it would absorb this one's), then run this close's by hand.
    connection.__dict__.pop("_standings_pending", None)
    with (
        capture_on_commit() as callbacks,
        CaptureQueriesContext(connection) as ctx,
    ):
        counts = services.close_subproject(subproject=sub, by=center)
    with mock.patch("credits.services.standings._enqueue") as enqueue:
        for callback in callbacks:
            if callback.__qualname__.startswith("_pending"):
                callback()
    assert counts["posted"] == n
    for e in trainees:
        e.refresh_from_db()
        assert e.credit_entry is not None and e.credit_entry.teacher_id == e.teacher_id
    assert Notice.objects.filter(kind=NoticeKind.HOURS_POSTED, enrollment__in=trainees).count() == n
    return len(ctx.captured_queries), enqueue


def test_closing_a_class_takes_queries_independent_of_its_size(
    world, sub, policy, enrol, django_capture_on_commit_callbacks
):
    """Closing posts, links and notifies set-based, and queues one completion
    refresh for the whole class (the ledger merges its writes), not one a trainee."""
    today = timezone.localdate()
    small = SubProjectFactory(
        center=world.center_a,
        vendor=world.vendor,
        status=SubProjectStatus.APPROVED,
        capacity=3,
        starts_on=today - datetime.timedelta(days=2),
        ends_on=today,
    )
    capture = django_capture_on_commit_callbacks
    one, enqueue_one = _closed_class(world, small, enrol, 1, capture)
    three, enqueue = _closed_class(world, sub, enrol, 3, capture)
    assert three == one
    assert enqueue_one.call_count == 1 and enqueue.call_count == 1
    # The ledger passes the trainees' schools (the class's rows carry them):
    # only their standings are refreshed, with no look-up after the commit.
    _all, districts, teachers, schools = enqueue.call_args.args
    trainee_schools = set(
        CreditEntry.objects.filter(teacher__training_enrollments__subproject=sub).values_list(
            "teacher__school_id", flat=True
        )
    )
    assert schools == trainee_schools and len(schools) >= 1 and not teachers and not districts
    # Closing again (reopened) writes nothing and links nothing anew.
    center = world.user("center_a")
    services.move_subproject(subproject=sub, move="reopen", by=center, reason="补录")
    assert services.close_subproject(subproject=sub, by=center)["posted"] == 0
    assert CreditEntry.objects.filter(activity_key=sub.activity_key).count() == 3


def test_close_refuses_unsigned_sessions(world, sub, enrol):
    center = world.user("center_a")
    enrol(sub)
    add_session(sub, center)
    services.move_subproject(subproject=sub, move="start", by=center)
    with pytest.raises(ValidationError) as exc:
        services.close_subproject(subproject=sub, by=center)
    assert exc.value.code == "sessions"


def test_scores_are_checked(world, sub, enrol):
    e = enrol(sub)
    with pytest.raises(ValidationError):
        services.enter_result(enrollment=e, by=world.user("vendor"), test=101)
    with pytest.raises(ValidationError):
        services.enter_result(enrollment=e, by=world.user("vendor"), grade="excellent")
    with pytest.raises(PermissionDenied):
        services.enter_result(enrollment=e, by=world.user("teacher_a"), test=90)
    assert CreditClaim.objects.count() == 0


def test_own_claim_for_the_same_training_is_refused(world, sub, enrol):
    from credits import services as credit_services
    from tests.credits.conftest import pdf_upload

    enrol(sub, teacher=world.teacher_a, user=world.user("teacher_a"))
    with pytest.raises(ValidationError) as exc:
        credit_services.submit_claim(
            teacher=world.teacher_a,
            by=world.user("teacher_a"),
            title=f"参加{sub.name}",
            category="subject",
            hours="24",
            earned_on=timezone.localdate(),
            files=[pdf_upload()],
        )
    assert sub.name in exc.value.message_dict["title"][0]
    # Another course is claimed as usual.
    credit_services.submit_claim(
        teacher=world.teacher_a,
        by=world.user("teacher_a"),
        title="全国课标研讨会",
        category="subject",
        hours="12",
        earned_on=timezone.localdate(),
        files=[pdf_upload()],
    )
