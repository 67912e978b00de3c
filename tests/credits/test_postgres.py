"""What only a real database with concurrent connections can show: row locks,
unique indexes racing and the append-only trigger. Runs on PostgreSQL
(DATABASE_URL); skipped on SQLite locally, failing in CI without it."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from centers.models import District
from core.models import User
from credits import services
from credits.models import ClaimStatus, CreditClaim, CreditEntry, CreditPolicy, SyncRequest
from tests.factories import TeacherFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


def run_together(n, work):
    """Run ``work(i)`` in n threads started at once; returns results/errors."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # collected for the assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def balance(teacher, policy):
    from credits.models import CreditBalance

    return CreditBalance.objects.get(teacher=teacher, policy=policy).hours


@pytest.fixture
def city_policy(postgres):
    return CreditPolicy.objects.create(
        name="2022—2026", cycle_start=date(2022, 1, 1), cycle_end=date(2026, 12, 31)
    )


def test_twenty_concurrent_approvals_post_one_entry(world, city_policy):
    claim = CreditClaim.objects.create(
        teacher=world.teacher_a,
        school=world.school_a,
        district=world.district_a,
        title="区级培训",
        category="subject",
        hours=Decimal("16"),
        earned_on=date(2025, 6, 1),
        submitted_by=world.user("teacher_a"),
        status=ClaimStatus.SCHOOL_APPROVED,
    )
    reviewer_id = world.user("district_a").pk

    def approve(i):
        reviewer = User.objects.get(pk=reviewer_id)
        return services.approve_claim(claim=CreditClaim(pk=claim.pk), by=reviewer)

    results = run_together(20, approve)
    approved = [r for r in results if isinstance(r, CreditClaim)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(approved) == 1 and len(refused) == 19, results
    assert CreditEntry.objects.filter(teacher=world.teacher_a).count() == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.entry.hours == Decimal("16")
    assert balance(world.teacher_a, city_policy) == Decimal("16")


def test_concurrent_awards_of_one_activity_count_once(world, city_policy):
    def award(i):
        return services.award_hours(
            teacher=world.teacher_a,
            hours=10,
            category="subject",
            source="training" if i % 2 else "external",
            earned_on=date(2025, 1, 1),
            activity_key="training.subproject:42",
        )

    results = run_together(10, award)
    assert sum(1 for r in results if getattr(r, "created", False)) == 1, results
    assert CreditEntry.objects.count() == 1
    assert balance(world.teacher_a, city_policy) == Decimal("10")


def test_concurrent_batches_for_the_same_teachers_keep_balances_exact(world, city_policy):
    teachers = [TeacherFactory(school=world.school_a, external_id=f"C{i}") for i in range(5)]
    district = District.objects.get(pk=world.district_a.pk)

    def send(i):
        body = {
            "entries": [
                {
                    "external_id": f"B{i}-{j}",
                    # Each batch names the teachers in another order.
                    "teacher": f"C{(j * (i + 1)) % 5}",
                    "category": "it",
                    "hours": "1.5",
                    "earned_on": "2025-03-01",
                }
                for j in range(20)
            ]
        }
        return services.sync_batch(district=district, key=f"c{i}", body=body, user=None)

    answers = run_together(6, send)
    assert all(a.status == 201 for a in answers), answers
    for teacher in teachers:
        ledger = sum(e.hours for e in CreditEntry.objects.filter(teacher=teacher))
        assert balance(teacher, city_policy) == ledger


def test_concurrent_batches_naming_the_same_activities_count_each_once(world, city_policy):
    """Six batches at once, each naming the same 5 teachers × 4 activities in
    its own order (new external ids each): the activity rows are locked in
    one fixed order, so no deadlock, and each activity counts once."""
    teachers = [TeacherFactory(school=world.school_a, external_id=f"A{i}") for i in range(5)]
    district = District.objects.get(pk=world.district_a.pk)
    pairs = [(t, a) for t in range(5) for a in range(4)]

    def send(i):
        order = pairs[i:] + pairs[:i] if i % 2 else list(reversed(pairs))
        body = {
            "entries": [
                {
                    "external_id": f"S{i}-{t}-{a}",
                    "teacher": f"A{t}",
                    "category": "subject",
                    "hours": "4",
                    "earned_on": "2025-04-01",
                    "activity_key": f"training.subproject:{a}",
                }
                for t, a in order
            ]
        }
        return services.sync_batch(district=district, key=f"act-{i}", body=body, user=None)

    answers = run_together(6, send)
    assert all(a.status == 201 for a in answers), answers
    assert sum(a.body["batch"]["created"] for a in answers) == 20
    assert sum(a.body["batch"]["already_counted"] for a in answers) == 100
    assert CreditEntry.objects.count() == 20
    for teacher in teachers:
        assert balance(teacher, city_policy) == Decimal("16")


def batch_body(prefix="E"):
    return {
        "entries": [
            {
                "external_id": f"{prefix}{i}",
                "teacher": "TH-1",
                "category": "it",
                "hours": "3",
                "earned_on": "2025-03-01",
            }
            for i in range(50)
        ]
    }


@pytest.fixture
def synced(world, city_policy):
    world.teacher_a.external_id = "TH-1"
    world.teacher_a.save()
    return District.objects.get(pk=world.district_a.pk)


def test_a_batch_sent_three_times_at_once_leaves_one_copy(world, synced):
    def send(i):
        return services.sync_batch(district=synced, key="same-key", body=batch_body(), user=None)

    answers = run_together(3, send)
    assert sorted(a.status for a in answers) == [201, 201, 201], answers
    assert sum(a.replayed for a in answers) == 2
    assert all(a.body == answers[0].body for a in answers)
    assert CreditEntry.objects.count() == 50
    assert SyncRequest.objects.count() == 1


def test_a_batch_sent_three_times_with_new_keys_leaves_one_copy(world, synced):
    def send(i):
        return services.sync_batch(district=synced, key=f"key-{i}", body=batch_body(), user=None)

    answers = run_together(3, send)
    assert CreditEntry.objects.count() == 50
    # The others either saw the entries (existing) or lost the race (409, resend).
    assert all(a.status in (201, 409) for a in answers), answers
    again = services.sync_batch(district=synced, key="key-late", body=batch_body(), user=None)
    assert again.body["batch"]["existing"] == 50
    assert CreditEntry.objects.count() == 50
    assert balance(world.teacher_a, CreditPolicy.objects.get()) == Decimal("150")


def test_a_batch_sent_three_times_in_a_row_leaves_one_copy(world, synced):
    for _ in range(3):
        answer = services.sync_batch(district=synced, key="k", body=batch_body(), user=None)
        assert answer.status == 201
    assert CreditEntry.objects.count() == 50


def test_a_stored_answer_is_compressed_with_lz4_and_replays_the_same_bytes(world, synced):
    # Migration 0015: the answer (~90 KB for 1,000 rows) costs half the
    # backend's CPU to store with lz4 as with pglz; a resend still gets the
    # very bytes of the first answer.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        (has_lz4,) = cursor.fetchone()
    if not has_lz4:
        pytest.skip("this PostgreSQL was built without lz4")
    body = {"entries": batch_body()["entries"] * 4}  # 200 rows: an answer past 2 KB
    for i, row in enumerate(body["entries"]):
        body["entries"][i] = dict(row, external_id=f"Z{i}")
    first = services.sync_batch(district=synced, key="big", body=body, user=None)
    again = services.sync_batch(district=synced, key="big", body=body, user=None)
    assert first.status == again.status == 201 and again.replayed
    assert again.text == first.text
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(response) FROM credits_syncrequest WHERE key = 'big'"
        )
        assert cursor.fetchone() == ("lz4",)


def test_the_database_refuses_updates_and_deletes_of_posted_entries(world, city_policy):
    entry = services.award_hours(
        teacher=world.teacher_a,
        hours=5,
        category="it",
        source="online",
        earned_on=date(2025, 1, 1),
    ).entry
    table = CreditEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET hours = 500 WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert CreditEntry.objects.get().hours == Decimal("5")


def test_a_second_reversal_is_refused_by_the_database(world, city_policy):
    entry = services.award_hours(
        teacher=world.teacher_a,
        hours=5,
        category="it",
        source="online",
        earned_on=date(2025, 1, 1),
    ).entry

    def reverse(i):
        return services.reverse_entry(entry=entry, reason=f"r{i}", by=None)

    results = run_together(5, reverse)
    assert sum(isinstance(r, CreditEntry) for r in results) == 1, results
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditEntry.objects.create(
            teacher=entry.teacher,
            district=entry.district,
            source=entry.source,
            category=entry.category,
            hours=Decimal("-5"),
            earned_on=entry.earned_on,
            reverses=entry,
            org_kind="portal",
        )
    assert services.teacher_summary(world.teacher_a).total == 0


def test_activity_constraint_holds_without_the_lock(world, city_policy):
    """Even a writer that skipped ``award_hours`` cannot count an activity twice."""
    teacher = TeacherFactory(school=world.school_a)
    fields = {
        "teacher": teacher,
        "district": teacher.district,
        "source": "training",
        "category": "subject",
        "hours": Decimal("8"),
        "earned_on": date(2025, 1, 1),
        "activity_key": "training.subproject:9",
        "generation": 1,
        "org_kind": "portal",
    }
    CreditEntry.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditEntry.objects.create(**fields)


def test_teacher_cannot_approve(world, city_policy):
    claim = CreditClaim.objects.create(
        teacher=world.teacher_a,
        school=world.school_a,
        district=world.district_a,
        title="x",
        category="it",
        hours=Decimal("1"),
        earned_on=date(2025, 1, 1),
        submitted_by=world.user("teacher_a"),
    )
    with pytest.raises(PermissionDenied):
        services.approve_claim(claim=claim, by=world.user("teacher_a"))
