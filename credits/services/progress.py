"""A teacher's progress this cycle: the summary page's figures, and the
annotations lists of teachers use (hours, required, at risk)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Round
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone

from centers.models import Teacher

from ..models import (
    Category,
    CategoryMinimum,
    ClaimStatus,
    CreditBalance,
    CreditClaim,
    CreditPolicy,
    category_hours_field,
)
from .common import HOURS_FIELD, TENTH, ZERO, as_hours
from .policies import policy_for, policy_in_force, policy_map


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


def teacher_summary(teacher, on=None, *, fresh=False) -> Summary:
    """Hours this cycle against the policy, by category against each
    minimum, and pending claims: one query whatever the ledger's size (the
    policy comes from the per-process copy, ``policy_in_force``). The hours by
    category, complete, hours to go and at risk come from one row:
    ``standing_statement``, the one definition of ``annotate_progress`` written
    out for one teacher's balance row (a test holds the two equal).
    ``fresh``: the policy read from the database (for a write that keeps it)."""
    on = on or timezone.localdate()
    policy = (policy_for if fresh else policy_in_force)(teacher.district_id, on)
    summary = Summary(teacher=teacher, policy=policy, on=on)
    standing = one_standing(teacher.pk, policy, on)
    summary.pending_count = standing["pending_count"]
    summary.pending_hours = as_hours(standing["pending_hours"])
    if policy is not None:
        minimums = {m.category: m.hours for m in policy.minimums.all()}
        for value, label in Category.choices:
            hours = as_hours(standing[value])
            if hours or value in minimums:
                summary.by_category.append(CategoryLine(value, label, hours, minimums.get(value)))
        summary.total = sum((line.hours for line in summary.by_category), ZERO)
        summary.complete = bool(standing["is_complete"])
        summary.remaining = as_hours(standing["hours_to_go"])
        summary.at_risk = bool(standing["is_at_risk"])
    return summary


#: ``standing_statement``'s columns after the hours of each ``Category``.
STANDING_COLUMNS = (
    "cycle_hours",
    "shortfall",
    "behind_categories",
    "hours_to_go",
    "is_complete",
    "is_at_risk",
    "pending_count",
    "pending_hours",
)


def one_standing(teacher_id, policy, on) -> dict:
    """``standing_statement`` executed: {category: hours, …, and each of
    ``STANDING_COLUMNS``} as the database answers them (a policy of None: the
    pending claims only)."""
    sql, params = standing_statement(teacher_id, policy, on)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    names = STANDING_COLUMNS if policy is not None else STANDING_COLUMNS[-2:]
    values = dict(zip(names, row[-len(names) :], strict=True))
    if policy is not None:
        values.update(zip(Category.values, row, strict=False))
    return values


def standing_statement(teacher_id, policy, on) -> tuple[str, list]:
    """One teacher's standing under ``policy`` on ``on`` as one parameterised
    statement, for the teacher page: the hours of each ``Category`` (in its
    order), then ``STANDING_COLUMNS`` (the one definition of
    ``annotate_progress`` below, term by term: the same figures, the same
    rounding, checked by ``tests/credits/test_standing.py``), the teacher's
    pending claims last (count, hours). Without a policy, only the claims.
    (The ORM built and compiled ``annotate_progress`` for this one row in
    about a third of the page's time.)"""
    claims = CreditClaim._meta.db_table
    pending = (
        f"SELECT COUNT(*) AS n_pending, SUM(hours) AS h_pending FROM {claims} "
        "WHERE teacher_id = %s AND status IN (%s, %s)"
    )
    pending_params = [teacher_id, ClaimStatus.SUBMITTED.value, ClaimStatus.SCHOOL_APPROVED.value]
    if policy is None:
        return pending, pending_params
    postgres = connection.vendor == "postgresql"
    greatest = "GREATEST" if postgres else "MAX"
    # A decimal parameter: numeric on PostgreSQL; SQLite gets Django's text of
    # it, cast as the ORM casts its decimal values.
    num = "%s" if postgres else "CAST(%s AS NUMERIC)"
    elapsed, days = policy.elapsed_days(on), policy.cycle_days
    required = policy.total_hours
    minimums = list(policy.minimums.all())
    categories = Category.values
    hours = [f"ROUND(COALESCE(b.{category_hours_field(c)}, 0), 1) AS c_{c}" for c in categories]
    shortfall, behind, needs, paces = [], [], [], []
    for m in minimums:
        shortfall.append(f"{greatest}({num} - c_{m.category}, 0)")
        behind.append(f"CASE WHEN c_{m.category} < {num} THEN 1 ELSE 0 END")
        needs.append(as_hours(m.hours))
        # Behind on this category: not met, and its pace misses the minimum.
        paces.append(min(m.hours, m.hours * elapsed / days))
    sql = (
        f"SELECT s.*, {greatest}({num} - h, shortfall, 0), "
        f"(h >= {num} AND shortfall <= 0), "
        f"((h < {num} OR shortfall > 0) AND (h * %s < {num} * %s OR behind > 0)), "
        "p.n_pending, p.h_pending "
        f"FROM (SELECT {', '.join(f'c_{c}' for c in categories)}, h, "
        f"{' + '.join(shortfall) or '0'} AS shortfall, {' + '.join(behind) or '0'} AS behind "
        f"FROM (SELECT {', '.join(hours)}, ROUND(COALESCE(b.hours, 0), 1) AS h "
        f"FROM (SELECT 1 AS one) o LEFT JOIN {CreditBalance._meta.db_table} b "
        "ON b.policy_id = %s AND b.teacher_id = %s) c) s "
        f"CROSS JOIN ({pending}) p"
    )
    params = [
        *(required, required, required, days, required, elapsed),
        *needs,
        *paces,
        policy.pk,
        teacher_id,
        *pending_params,
    ]
    return sql, params


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
#
# "Every minimum met" is each category's hours >= its minimum (the sum of the
# shortfalls is 0 exactly then: each term is >= 0), "misses a minimum's pace"
# any category's hours below its pace (``behind_categories`` > 0 exactly
# then): written as comparisons (``minimums_met``, ``behind_minimum``), not as
# the sums, since a city-wide aggregate evaluates them per teacher.
COMPLETE = Q(cycle_hours__gte=F("required"), minimums_met=True)
NOT_COMPLETE = Q(cycle_hours__lt=F("required")) | Q(minimums_met=False)
AT_RISK = NOT_COMPLETE & (Q(pace__lt=F("needed")) | Q(behind_minimum=True))


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


#: ``_policy_minimum_terms`` of a policy without minimums (and of no policy)
_NO_MINIMUMS = (
    Value(ZERO, output_field=HOURS_FIELD),
    Value(0, output_field=IntegerField()),
    Value(True, output_field=BooleanField()),
    Value(False, output_field=BooleanField()),
)


def _policy_minimum_terms(policy, minimums, on):
    """(shortfall, categories behind pace, every minimum met, behind the pace
    of one) of one policy's minimums."""
    if not minimums:
        return _NO_MINIMUMS
    elapsed = policy.elapsed_days(on)
    shortfall, behind, met, behind_one = [], [], Q(), Q()
    for minimum in minimums:
        hours = _category_hours(policy, minimum.category)
        need = Value(as_hours(minimum.hours), output_field=HOURS_FIELD)
        shortfall.append(Greatest(need - hours, Value(ZERO), output_field=HOURS_FIELD))
        met &= Q(GreaterThanOrEqual(hours, need))
        # Behind on this category: not met, and its pace misses the minimum.
        pace_need = min(minimum.hours, minimum.hours * elapsed / policy.cycle_days)
        below_pace = LessThan(hours, Value(pace_need, output_field=HOURS_FIELD))
        behind.append(
            Case(When(below_pace, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        behind_one |= Q(below_pace)

    def add(terms, field):
        total = terms[0]
        for term in terms[1:]:
            total = ExpressionWrapper(total + term, output_field=field)
        return total

    return (
        add(shortfall, HOURS_FIELD),
        add(behind, IntegerField()),
        ExpressionWrapper(met, output_field=BooleanField()),
        ExpressionWrapper(behind_one, output_field=BooleanField()),
    )


def _minimum_case(pmap, terms, index, output_field):
    city = pmap.city
    default = terms[city.pk][index] if city else _NO_MINIMUMS[index]
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


def annotate_progress(teachers, on=None, pmap=None, *, minimums=None):
    """Annotate teachers with their standing under the policy in force in
    their district (the one definition above): ``cycle_hours``, ``required``,
    ``cycle_days``, ``elapsed``, ``shortfall`` (hours the category minimums
    still lack), ``behind_categories``, ``hours_to_go``, ``is_complete`` and
    ``is_at_risk``. The total and each category minimum's hours are columns
    of the teacher's balance row, joined once per policy (``_balance_joins``:
    a LEFT JOIN, not a correlated subquery per use). One query for
    the minimums (none when the policies came with them prefetched, or given:
    ``minimums``, ``_minimums(pmap)``'s answer)."""
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
    minimums = _minimums(pmap) if minimums is None else minimums
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
        minimums_met=_minimum_case(pmap, terms, 2, BooleanField()),
        behind_minimum=_minimum_case(pmap, terms, 3, BooleanField()),
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
