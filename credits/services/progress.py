"""A teacher's progress this cycle: the summary page's figures, and the
annotations lists of teachers use (hours, required, at risk)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.utils import timezone

from centers.models import Teacher

from ..models import Category, CreditBalance, CreditClaim, CreditEntry, CreditPolicy
from .common import HOURS_FIELD, TENTH, ZERO, as_hours
from .policies import policy_for, policy_map


@dataclass
class CategoryLine:
    category: str
    label: str
    hours: Decimal
    minimum: Decimal | None

    @property
    def met(self):
        return self.minimum is None or self.hours >= self.minimum

    @property
    def percent(self):
        if not self.minimum:
            return 100
        return min(100, int(self.hours * 100 / self.minimum))


@dataclass
class Summary:
    teacher: Teacher
    policy: CreditPolicy | None
    total: Decimal = ZERO
    by_category: list[CategoryLine] = field(default_factory=list)
    pending_count: int = 0
    pending_hours: Decimal = ZERO
    on: datetime.date | None = None

    @property
    def required(self):
        return self.policy.total_hours if self.policy else ZERO

    @property
    def remaining(self):
        return max(ZERO, self.required - self.total)

    @property
    def percent(self):
        if not self.required:
            return 0
        return max(0, min(100, int(self.total * 100 / self.required)))

    @property
    def complete(self):
        return (
            bool(self.policy)
            and self.total >= self.required
            and all(line.met for line in self.by_category)
        )

    @property
    def projected(self):
        if not self.policy:
            return ZERO
        elapsed = self.policy.elapsed_days(self.on)
        if elapsed <= 0:
            return ZERO
        return (self.total * self.policy.cycle_days / elapsed).quantize(TENTH)

    @property
    def at_risk(self):
        return bool(self.policy) and self.total < self.required and self.projected < self.required


def teacher_summary(teacher, on=None) -> Summary:
    """Hours this cycle against the policy, by category against each
    minimum, and pending claims: four queries whatever the ledger's size."""
    on = on or timezone.localdate()
    policy = policy_for(teacher.district_id, on)  # 2 queries (with minimums)
    summary = Summary(teacher=teacher, policy=policy, on=on)
    if policy is not None:
        sums = dict(
            CreditEntry.objects.filter(teacher=teacher)
            .in_cycle(policy)
            .order_by()
            .values_list("category")
            .annotate(total=Sum("hours"))
        )
        minimums = {m.category: m.hours for m in policy.minimums.all()}
        for value, label in Category.choices:
            hours = as_hours(sums.get(value))
            if hours or value in minimums:
                summary.by_category.append(CategoryLine(value, label, hours, minimums.get(value)))
        summary.total = sum((line.hours for line in summary.by_category), ZERO)
    pending = (
        CreditClaim.objects.filter(teacher=teacher)
        .pending()
        .aggregate(n=Count("id"), hours=Sum("hours"))
    )
    summary.pending_count = pending["n"]
    summary.pending_hours = as_hours(pending["hours"])
    return summary


def _policy_case(policy_map_, attr, output_field):
    """A per-teacher value of the policy in force in the teacher's district."""
    city = policy_map_.city
    default = Value(getattr(city, attr) if city else None, output_field=output_field)
    if not policy_map_.overrides:
        return default
    return Case(
        *[
            When(district_id=district_id, then=Value(getattr(p, attr), output_field=output_field))
            for district_id, p in policy_map_.overrides.items()
        ],
        default=default,
        output_field=output_field,
    )


def annotate_progress(teachers, on=None, pmap=None):
    """Annotate teachers with ``cycle_hours``, ``required``, ``cycle_days``
    and ``elapsed`` of the policy in force in their district: one look-up per
    teacher in the balances' (policy, teacher) unique index."""
    on = on or timezone.localdate()
    pmap = pmap or policy_map(on)
    if pmap.city is None and not pmap.overrides:
        # No policy: nothing to measure against; the same columns, no rows.
        return teachers.annotate(
            cycle_hours=Value(ZERO, output_field=HOURS_FIELD),
            required=Value(ZERO, output_field=HOURS_FIELD),
            cycle_days=Value(1),
            elapsed=Value(0),
        ).none()
    teachers = teachers.annotate(
        c_policy=_policy_case(pmap, "pk", IntegerField()),
        required=_policy_case(pmap, "total_hours", HOURS_FIELD),
        cycle_days=_policy_case(pmap, "cycle_days", IntegerField()),
        elapsed=_policy_case(_ElapsedMap(pmap, on), "elapsed", IntegerField()),
    )
    hours = CreditBalance.objects.filter(teacher=OuterRef("pk"), policy=OuterRef("c_policy"))
    return teachers.annotate(
        cycle_hours=Round(
            Coalesce(
                Subquery(hours.values("hours")[:1], output_field=HOURS_FIELD),
                Value(ZERO),
                output_field=HOURS_FIELD,
            ),
            1,
            output_field=HOURS_FIELD,
        )
    )


class _ElapsedMap:
    """A PolicyMap look-alike whose policies answer ``elapsed`` for a day."""

    class _P:
        def __init__(self, policy, on):
            self.elapsed = policy.elapsed_days(on)

    def __init__(self, pmap, on):
        self.city = self._P(pmap.city, on) if pmap.city else None
        self.overrides = {d: self._P(p, on) for d, p in pmap.overrides.items()}


def at_risk(teachers, on=None, pmap=None):
    """Teachers who have not met the total and whose pace so far projects a
    total under it at the cycle's end: hours × cycle days < required ×
    elapsed days."""
    pmap = pmap or policy_map(on)
    teachers = annotate_progress(teachers, on, pmap)
    if pmap.city is None and not pmap.overrides:
        return teachers
    return teachers.alias(
        pace=ExpressionWrapper(F("cycle_hours") * F("cycle_days"), output_field=HOURS_FIELD),
        needed=ExpressionWrapper(F("required") * F("elapsed"), output_field=HOURS_FIELD),
    ).filter(cycle_hours__lt=F("required"), pace__lt=F("needed"))


def projected_hours(teacher) -> Decimal:
    """For a teacher annotated by ``annotate_progress``."""
    if not getattr(teacher, "elapsed", 0):
        return ZERO
    return (as_hours(teacher.cycle_hours) * teacher.cycle_days / teacher.elapsed).quantize(TENTH)
