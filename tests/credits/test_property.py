"""Random sequences of posts, reversals, claim approvals and batch resends
keep the ledger's promises: every teacher's total (the summary) equals the
sum of their entries and what an independent model of the rules expects, and
no activity ever counts twice for a teacher."""

import contextlib
import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credits import services
from credits.models import CreditBalance, CreditClaim, CreditEntry
from tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db

_run = itertools.count()

hours = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("40"), places=1)
teacher_ix = st.integers(0, 2)
activity = st.one_of(st.none(), st.integers(0, 3))
operation = st.one_of(
    st.tuples(
        st.just("award"),
        teacher_ix,
        activity,
        hours,
        st.sampled_from(["training", "studio", "external"]),
    ),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
    st.tuples(st.just("claim"), teacher_ix, hours, st.integers(1, 3)),
    st.tuples(
        st.just("batch"),
        st.lists(st.tuples(st.integers(0, 6), teacher_ix, activity, hours), min_size=1, max_size=5),
        st.integers(0, 2),
        st.booleans(),
    ),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=1, max_size=12))
def test_totals_equal_entries_and_activities_count_once(world, policy, ops):
    run = next(_run)
    teachers = [TeacherFactory(school=world.school_a, external_id=f"P{run}-{i}") for i in range(3)]
    district = world.district_a
    expected = {t.pk: Decimal("0") for t in teachers}
    counted = set()  # (teacher, key) currently counting
    posted_ids = set()  # external ids the district has sent
    keys_used = {}  # idempotency key → body
    for op in ops:
        kind = op[0]
        if kind == "award":
            _, ti, act, h, source = op
            teacher = teachers[ti]
            key = f"training.subproject:{act}" if act is not None else ""
            result = services.award_hours(
                teacher=teacher,
                hours=h,
                category="subject",
                source=source,
                earned_on=date(2024, 3, 1),
                activity_key=key,
            )
            if key and (teacher.pk, key) in counted:
                assert not result.created
            else:
                assert result.created
                expected[teacher.pk] += h
                if key:
                    counted.add((teacher.pk, key))
        elif kind == "reverse":
            candidates = list(
                CreditEntry.objects.filter(
                    teacher__in=teachers, reverses__isnull=True, reversal__isnull=True
                ).order_by("pk")
            )
            if not candidates:
                continue
            entry = candidates[op[1] % len(candidates)]
            services.reverse_entry(entry=entry, reason="property", by=None)
            expected[entry.teacher_id] -= entry.hours
            counted.discard((entry.teacher_id, entry.activity_key))
        elif kind == "claim":
            _, ti, h, approvals = op
            teacher = teachers[ti]
            claim = CreditClaim.objects.create(
                teacher=teacher,
                school=teacher.school,
                district=teacher.district,
                title="claim",
                category="it",
                hours=h,
                earned_on=date(2025, 2, 1),
                submitted_by=world.user("school_a"),
                status="school_approved",
            )
            for _ in range(approvals):
                # Later approvals see the decision and are refused.
                with contextlib.suppress(ValidationError):
                    services.approve_claim(claim=claim, by=world.user("district_a"))
            expected[teacher.pk] += h
        else:
            _, specs, key_ix, resend = op
            rows = [
                {
                    "external_id": f"P{run}-x{ext}",
                    "teacher": f"P{run}-{ti}",
                    "category": "ethics",
                    "hours": str(h),
                    "earned_on": "2023-09-01",
                    "activity_key": f"training.subproject:{act}" if act is not None else "",
                }
                for ext, ti, act, h in specs
            ]
            key = f"P{run}-key{key_ix}"
            body = {"entries": rows}
            answer = services.sync_batch(district=district, key=key, body=body)
            if len({r["external_id"] for r in rows}) < len(rows):
                assert answer.status == 422
                continue
            if key in keys_used and keys_used[key] != body:
                assert answer.status == 422
                continue
            if key in keys_used:
                assert answer.replayed
                continue
            assert answer.status == 201
            keys_used[key] = body
            by_teacher = {t.external_id: t.pk for t in teachers}
            for row in rows:
                pair = (by_teacher[row["teacher"]], row["activity_key"])
                if row["external_id"] in posted_ids:
                    continue
                if row["activity_key"] and pair in counted:
                    continue  # not written, so its id stays unknown
                posted_ids.add(row["external_id"])
                expected[pair[0]] += Decimal(row["hours"])
                if row["activity_key"]:
                    counted.add(pair)
            if resend:
                again = services.sync_batch(district=district, key=key, body=body)
                assert again.replayed and again.body == answer.body

    balances = dict(
        CreditBalance.objects.filter(policy=policy, teacher__in=teachers).values_list(
            "teacher_id", "hours"
        )
    )
    for teacher in teachers:
        entries = CreditEntry.objects.filter(teacher=teacher)
        ledger_sum = sum((e.hours for e in entries), Decimal("0"))
        assert services.teacher_summary(teacher).total == ledger_sum == expected[teacher.pk]
        # The balance kept in step with the ledger agrees with it, in all and
        # by category (the columns the minimums read).
        assert services.as_hours(balances.get(teacher.pk, 0)) == ledger_sum
        assert _category_columns(policy, teacher) == _ledger_categories(entries)
    # A rebuild from the ledger finds the same figures.
    services.rebuild_balances(policy)
    for teacher in teachers:
        entries = CreditEntry.objects.filter(teacher=teacher)
        assert _category_columns(policy, teacher) == _ledger_categories(entries)
    twice = (
        CreditEntry.objects.filter(teacher__in=teachers, reverses__isnull=True)
        .exclude(activity_key="")
        .filter(reversal__isnull=True)
        .values("teacher", "activity_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not twice.exists()
    assert (
        not CreditEntry.objects.filter(Q(teacher__in=teachers) & ~Q(external_id=""))
        .values("external_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )


def _ledger_categories(entries) -> dict:
    sums: dict = {}
    for entry in entries:
        sums[entry.category] = sums.get(entry.category, Decimal("0")) + entry.hours
    return {c: h for c, h in sums.items() if h}


def _category_columns(policy, teacher) -> dict:
    balance = CreditBalance.objects.filter(policy=policy, teacher=teacher).first()
    if balance is None:
        return {}
    return {c: h for c, h in balance.category_hours().items() if h}
