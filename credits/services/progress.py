"""A teacher's progress this cycle: the summary page's figures, and the
annotations lists of teachers use (hours, required, at risk)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Round
from django.db.models.lookups import LessThan
from django.utils import timezone

from centers.models import Teacher

from ..models import (
    Category,
    CategoryMinimum,
    CreditClaim,
    CreditPolicy,
    category_hours_field,
)
from .common import HOURS_FIELD, TENTH, ZERO, as_hours
from .policies import PolicyMap, policy_for, policy_map


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
    # From the one definition (``annotate_progress``): see ``standing``.
    complete: bool = False
    remaining: Decimal = ZERO
    at_risk: bool = False

    @property
    def required(self):
        return self.policy.total_hours if self.policy else ZERO

    @property
    def percent(self):
        if not self.required:
            return 0
        return max(0, min(100, int(self.total * 100 / self.required)))

    @property
    def projected(self):
        if not self.policy:
            return ZERO
        elapsed = self.policy.elapsed_days(self.on)
        if elapsed <= 0:
            return ZERO
        return (self.total * self.policy.cycle_days / elapsed).quantize(TENTH)


def teacher_summary(teacher, on=None) -> Summary:
    """Hours this cycle against the policy, by category against each
    minimum, and pending claims: four queries whatever the ledger's size.
    The hours by category, complete, hours to go and at risk come from one
    row: ``annotate_progress`` (the one definition) on the teacher's own
    balance row, which the ledger's every write keeps in step."""
    on = on or timezone.localdate()
    policy = policy_for(teacher.district_id, on)  # 2 queries (with minimums)
    summary = Summary(teacher=teacher, policy=policy, on=on)
    if policy is not None:
        # One row: the standing by the one definition, and the hours by
        # category from the same joined balance row it reads.
        # One teacher, whose policy is known: it is the map's default, so the
        # statement has no CASE on the district around every term (the ORM
        # compiled ~7 of them per page for a one-row answer).
        pmap = PolicyMap(city=policy, overrides={})
        columns = {
            c: f"{_balance_alias(policy)}__{category_hours_field(c)}" for c in Category.values
        }
        standing = (
            annotate_progress(Teacher.objects.filter(pk=teacher.pk), on, pmap)
            .values("is_complete", "hours_to_go", "is_at_risk", *columns.values())
            .first()
        ) or {}
        minimums = {m.category: m.hours for m in policy.minimums.all()}
        for value, label in Category.choices:
            hours = as_hours(standing.get(columns[value]))
            if hours or value in minimums:
                summary.by_category.append(CategoryLine(value, label, hours, minimums.get(value)))
        summary.total = sum((line.hours for line in summary.by_category), ZERO)
        if standing:
            summary.complete = bool(standing["is_complete"])
            summary.remaining = as_hours(standing["hours_to_go"])
            summary.at_risk = bool(standing["is_at_risk"])
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


# The one definition of a teacher's standing in the cycle, used by the
# summary page, the completion page and export, the home panels, the API and
# the reminders (every one reads the columns ``annotate_progress`` adds):
# - complete: total >= required AND every category minimum met;
# - hours to go: max(required - total, sum of the categories' shortfalls, 0)
#   (hours in a short category count towards the total too);
# - at risk: not complete, and the pace so far misses the total
#   (hours x cycle days < required x elapsed days) or misses a category
#   minimum it has not met yet (category hours x cycle days < minimum x elapsed).
COMPLETE = Q(cycle_hours__gte=F("required"), shortfall__lte=0)
NOT_COMPLETE = Q(cycle_hours__lt=F("required")) | Q(shortfall__gt=0)
AT_RISK = NOT_COMPLETE & (Q(pace__lt=F("needed")) | Q(behind_categories__gt=0))


def _minimums(pmap) -> dict[int, list[CategoryMinimum]]:
    """Each policy's minimums: prefetched ones as they are, the rest in one query."""
    policies = [p for p in [pmap.city, *pmap.overrides.values()] if p is not None]
    found, missing = {}, []
    for policy in policies:
        cache = getattr(policy, "_prefetched_objects_cache", {})
        if "minimums" in cache:
            found[policy.pk] = list(cache["minimums"])
        else:
            missing.append(policy.pk)
    if missing:
        for minimum in CategoryMinimum.objects.filter(policy_id__in=missing):
            found.setdefault(minimum.policy_id, []).append(minimum)
    return found


def _balance_alias(policy) -> str:
    return f"_balance_{policy.pk}"


def _balance_joins(policies) -> dict:
    """One LEFT JOIN per policy on the balances, on their unique (policy,
    teacher) key: the total and every category of a teacher come from that
    one row, read once, by a join the planner hashes over a whole city (not
    by a correlated look-up repeated wherever an annotation is reused)."""
    return {
        _balance_alias(policy): FilteredRelation(
            "credit_balances", condition=Q(credit_balances__policy_id=pk)
        )
        for pk, policy in policies.items()
    }


class _Hours(Round):
    """Hours rounded to the tenth: SQLite may hand a decimal column back as a
    float; PostgreSQL's ``numeric(9, 1)`` is exact already, so there it is the
    column itself (no ROUND per use, per teacher, in a city-wide aggregate)."""

    def as_postgresql(self, compiler, connection, **extra_context):
        return compiler.compile(self.get_source_expressions()[0])


def _joined_hours(policy, column="hours"):
    """Hours of the teacher's joined balance row of ``policy`` (0 without one)."""
    return _Hours(
        Coalesce(F(f"{_balance_alias(policy)}__{column}"), Value(ZERO), output_field=HOURS_FIELD),
        1,
        output_field=HOURS_FIELD,
    )


def _category_hours(policy, category):
    """The teacher's hours of ``category`` in ``policy``'s cycle: a column of
    the same joined balance row."""
    return _joined_hours(policy, category_hours_field(category))


def _policy_minimum_terms(policy, minimums, on):
    """(shortfall, categories behind pace) of one policy's minimums."""
    if not minimums:
        return Value(ZERO, output_field=HOURS_FIELD), Value(0, output_field=IntegerField())
    elapsed = policy.elapsed_days(on)
    shortfall, behind = [], []
    for minimum in minimums:
        hours = _category_hours(policy, minimum.category)
        need = Value(as_hours(minimum.hours), output_field=HOURS_FIELD)
        shortfall.append(Greatest(need - hours, Value(ZERO), output_field=HOURS_FIELD))
        # Behind on this category: not met, and its pace misses the minimum.
        pace_need = min(minimum.hours, minimum.hours * elapsed / policy.cycle_days)
        behind.append(
            Case(
                When(LessThan(hours, Value(pace_need, output_field=HOURS_FIELD)), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )

    def add(terms, field):
        total = terms[0]
        for term in terms[1:]:
            total = ExpressionWrapper(total + term, output_field=field)
        return total

    return add(shortfall, HOURS_FIELD), add(behind, IntegerField())


def _minimum_case(pmap, terms, index, output_field):
    city = pmap.city
    zero = Value(ZERO if index == 0 else 0, output_field=output_field)
    default = terms[city.pk][index] if city else zero
    if not pmap.overrides:
        return default
    return Case(
        *[
            When(district_id=district_id, then=terms[p.pk][index])
            for district_id, p in pmap.overrides.items()
        ],
        default=default,
        output_field=output_field,
    )


def annotate_progress(teachers, on=None, pmap=None):
    """Annotate teachers with their standing under the policy in force in
    their district (the one definition above): ``cycle_hours``, ``required``,
    ``cycle_days``, ``elapsed``, ``shortfall`` (hours the category minimums
    still lack), ``behind_categories``, ``hours_to_go``, ``is_complete`` and
    ``is_at_risk``. The total and each category minimum's hours are columns
    of the teacher's balance row, joined once per policy (``_balance_joins``:
    a LEFT JOIN, not a correlated subquery per use). One query for
    the minimums (none when the policies came with them prefetched)."""
    on = on or timezone.localdate()
    pmap = pmap or policy_map(on)
    if pmap.city is None and not pmap.overrides:
        # No policy: nothing to measure against; the same columns, no rows.
        return teachers.annotate(
            cycle_hours=Value(ZERO, output_field=HOURS_FIELD),
            required=Value(ZERO, output_field=HOURS_FIELD),
            cycle_days=Value(1),
            elapsed=Value(0),
            shortfall=Value(ZERO, output_field=HOURS_FIELD),
            behind_categories=Value(0),
            hours_to_go=Value(ZERO, output_field=HOURS_FIELD),
            is_complete=Value(False),
            is_at_risk=Value(False),
        ).none()
    minimums = _minimums(pmap)
    policies = {p.pk: p for p in [pmap.city, *pmap.overrides.values()] if p is not None}
    terms = {pk: _policy_minimum_terms(p, minimums.get(pk, []), on) for pk, p in policies.items()}
    teachers = teachers.alias(**_balance_joins(policies)).annotate(
        c_policy=_policy_case(pmap, "pk", IntegerField()),
        required=_policy_case(pmap, "total_hours", HOURS_FIELD),
        cycle_days=_policy_case(pmap, "cycle_days", IntegerField()),
        elapsed=_policy_case(_ElapsedMap(pmap, on), "elapsed", IntegerField()),
        shortfall=_minimum_case(pmap, terms, 0, HOURS_FIELD),
        behind_categories=_minimum_case(pmap, terms, 1, IntegerField()),
        cycle_hours=_minimum_case(
            pmap,
            {pk: (_joined_hours(p),) for pk, p in policies.items()},
            0,
            HOURS_FIELD,
        ),
    )
    teachers = teachers.alias(
        pace=ExpressionWrapper(F("cycle_hours") * F("cycle_days"), output_field=HOURS_FIELD),
        needed=ExpressionWrapper(F("required") * F("elapsed"), output_field=HOURS_FIELD),
    )
    return teachers.annotate(
        hours_to_go=Greatest(
            ExpressionWrapper(F("required") - F("cycle_hours"), output_field=HOURS_FIELD),
            F("shortfall"),
            Value(ZERO),
            output_field=HOURS_FIELD,
        ),
        is_complete=ExpressionWrapper(COMPLETE, output_field=BooleanField()),
        is_at_risk=ExpressionWrapper(AT_RISK, output_field=BooleanField()),
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
    """Teachers at risk by the one definition (``AT_RISK``): not complete,
    and their pace so far misses the total or a category minimum."""
    pmap = pmap or policy_map(on)
    teachers = annotate_progress(teachers, on, pmap)
    if pmap.city is None and not pmap.overrides:
        return teachers
    return teachers.filter(AT_RISK)


def projected_hours(teacher) -> Decimal:
    """For a teacher annotated by ``annotate_progress``."""
    if not getattr(teacher, "elapsed", 0):
        return ZERO
    return (as_hours(teacher.cycle_hours) * teacher.cycle_days / teacher.elapsed).quantize(TENTH)
