"""Seats under real concurrency: many connections approving and withdrawing
at once. Runs on PostgreSQL (DATABASE_URL); skipped on SQLite locally,
failing in CI without it."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from centers.models import Teacher
from core.models import User
from tests.factories import TeacherFactory
from training import services
from training.models import Enrollment, EnrollmentStatus, SubProject

pytestmark = [pytest.mark.django_db(transaction=True)]

WORKERS = 25  # connections at once (PostgreSQL's default limit is 100)


def run_together(items, work):
    """``work(item)`` for every item, WORKERS connections at once, all
    released together; returns results (or the exceptions raised)."""
    barrier = threading.Barrier(WORKERS)
    chunks = [items[i::WORKERS] for i in range(WORKERS)]

    def target(chunk):
        out = []
        try:
            barrier.wait()
            for item in chunk:
                try:
                    out.append(work(item))
                except Exception as exc:  # collected for the assertions
                    out.append(exc)
        finally:
            connection.close()
        return out

    with ThreadPoolExecutor(WORKERS) as pool:
        return [r for chunk in pool.map(target, chunks) for r in chunk]


def test_200_enrolments_for_50_seats_then_20_withdrawals(postgres, world, sub):
    SubProject.objects.filter(pk=sub.pk).update(capacity=50)
    Teacher.objects.bulk_create(
        [TeacherFactory.build(school=world.school_a, district=world.district_a) for _ in range(200)]
    )
    teachers = list(Teacher.objects.filter(school=world.school_a).exclude(pk=world.teacher_a.pk))
    assert len(teachers) == 200
    Enrollment.objects.bulk_create(
        [
            Enrollment(subproject=sub, teacher=t, district=world.district_a, school=world.school_a)
            for t in teachers
        ]
    )
    staff_id = world.user("district_a").pk
    pending = list(Enrollment.objects.filter(subproject=sub).values_list("pk", flat=True))

    def approve(pk):
        return services.decide(
            enrollment=Enrollment.objects.get(pk=pk), by=User.objects.get(pk=staff_id), approve=True
        )

    results = run_together(pending, approve)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors[:3]
    sub.refresh_from_db()
    enrolled = list(
        Enrollment.objects.filter(subproject=sub, status=EnrollmentStatus.ENROLLED).order_by(
            "queued_at", "id"
        )
    )
    waiting = list(services.waitlist(sub))
    assert len(enrolled) == 50 and len(waiting) == 150 and sub.seats_taken == 50
    # Arrival order: every seat went to someone in line before every waitlisted one.
    assert max((e.queued_at, e.pk) for e in enrolled) < min((w.queued_at, w.pk) for w in waiting)

    # Twenty withdraw at once: exactly the first twenty in line move up, none twice.
    leaving = [e.pk for e in enrolled[:20]]
    first_in_line = {w.pk for w in waiting[:20]}

    def leave(pk):
        return services.withdraw(
            enrollment=Enrollment.objects.get(pk=pk), by=User.objects.get(pk=staff_id)
        )

    results = run_together(leaving, leave)
    assert not [r for r in results if isinstance(r, Exception)]
    sub.refresh_from_db()
    now_enrolled = set(
        Enrollment.objects.filter(subproject=sub, status=EnrollmentStatus.ENROLLED).values_list(
            "pk", flat=True
        )
    )
    assert len(now_enrolled) == 50 and sub.seats_taken == 50
    assert first_in_line <= now_enrolled
    assert services.waitlist(sub).count() == 130


def test_two_nomination_lists_at_once_never_exceed_the_quota(postgres, world, sub):
    """Three school admins' lists of two race for a district quota of 3: each
    list locks the sub-project's row before it counts the quota, so the first
    one in is written and the others, seeing its nominations, are refused
    whole."""
    from core.batch import BatchRejected
    from core.roles import Role
    from tests.factories import UserFactory, member
    from training.models import Quota
    from training.services import nominations

    SubProject.objects.filter(pk=sub.pk).update(capacity=50)
    Quota.objects.create(subproject=sub, district=world.district_a, seats=3)
    lists = []
    for i, school in enumerate((world.school_a, world.school_a2, world.school_a)):
        admin = UserFactory()
        member(admin, Role.SCHOOL_ADMIN, school)
        teachers = [TeacherFactory(school=school, external_id=f"Q{i}-{n}") for n in range(2)]
        rows = [
            {"teacher": t.external_id, "name": t.name, "subproject": str(sub.pk)} for t in teachers
        ]
        lists.append((admin.pk, rows))
    barrier = threading.Barrier(len(lists))

    def send(item):
        admin_id, rows = item
        try:
            barrier.wait()
            return nominations.nominate_many(by=User.objects.get(pk=admin_id), rows=rows).created
        except BatchRejected as exc:
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(len(lists)) as pool:
        outcomes = list(pool.map(send, lists))
    created = [o for o in outcomes if isinstance(o, int)]
    assert created == [2], outcomes
    assert Enrollment.objects.filter(subproject=sub).count() == 2
