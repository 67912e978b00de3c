"""Completion per school or per district, computed in the database."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import District, School, Teacher

from ..models import CreditBalance
from .common import TENTH, ZERO, as_hours
from .policies import policy_map


@dataclass
class CompletionRow:
    key: int
    name: str
    teachers: int = 0
    complete: int = 0
    at_risk: int = 0
    hours: Decimal = ZERO
    order: int = 0

    @property
    def rate(self):
        return (self.complete / self.teachers) if self.teachers else None

    @property
    def average(self):
        return (self.hours / self.teachers).quantize(TENTH) if self.teachers else ZERO


def completion(*, by="school", district_ids=None, school_ids=None, on=None) -> list[CompletionRow]:
    """Completion per school or per district, computed in the database: per
    policy in force, one query over the teachers and their balances for that
    policy that counts complete and at-risk teachers per group.
    ``district_ids``/``school_ids`` narrow it (None: everything)."""
    if by not in ("school", "district"):
        raise ValueError(by)
    on = on or timezone.localdate()
    pmap = policy_map(on)
    if district_ids is None:
        district_ids = list(District.objects.values_list("pk", flat=True))
    if school_ids is not None and not school_ids:
        return []
    rows: dict[int, CompletionRow] = {}
    t_teacher = Teacher._meta.db_table
    t_balance = CreditBalance._meta.db_table
    group_table = (School if by == "school" else District)._meta.db_table
    group_col = "school_id" if by == "school" else "district_id"
    sort_col = "g." + connection.ops.quote_name("order" if by == "district" else "id")
    # Rounded: SQLite adds decimals as floats (359.99999… must still be 360).
    bh = "ROUND(COALESCE(b.hours, 0), 1)"
    for policy, districts in pmap.groups(sorted(district_ids)):
        d_marks = ", ".join(["%s"] * len(districts))
        where_school = ""
        if school_ids is not None:
            where_school = f" AND t.school_id IN ({', '.join(['%s'] * len(school_ids))})"
        elapsed = policy.elapsed_days(on)
        sql = f"""
            SELECT g.id, g.name, {sort_col}, COUNT(t.id),
                   SUM(CASE WHEN {bh} >= CAST(%s AS NUMERIC) THEN 1 ELSE 0 END),
                   SUM(CASE WHEN {bh} < CAST(%s AS NUMERIC)
                             AND {bh} * %s < CAST(%s AS NUMERIC) * %s
                        THEN 1 ELSE 0 END),
                   SUM({bh})
            FROM {t_teacher} t
            JOIN {group_table} g ON g.id = t.{group_col}
            LEFT JOIN {t_balance} b ON b.teacher_id = t.id AND b.policy_id = %s
            WHERE t.is_active AND t.district_id IN ({d_marks}){where_school}
            GROUP BY g.id, g.name, {sort_col}
        """
        required = policy.total_hours
        params = [required, required, policy.cycle_days, required, elapsed, policy.pk]
        params += [*districts, *(school_ids or [])]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for key, name, order, teachers, complete, risky, hours in cursor.fetchall():
                row = rows.setdefault(key, CompletionRow(key, name, order=order))
                row.teachers += teachers
                row.complete += int(complete or 0)
                row.at_risk += int(risky or 0)
                row.hours += as_hours(hours)
    if by == "district":
        return sorted(rows.values(), key=lambda r: (r.order, r.name))
    return sorted(rows.values(), key=lambda r: (r.name, r.key))


def completion_total(rows) -> CompletionRow:
    total = CompletionRow(0, _("Total"))
    for row in rows:
        total.teachers += row.teachers
        total.complete += row.complete
        total.at_risk += row.at_risk
        total.hours += row.hours
    return total


@dataclass(frozen=True)
class Followed:
    """Whose completion a user follows: ``district_ids`` None means every
    district; ``school_ids`` None means every school of those districts."""

    district_ids: list[int] | None
    school_ids: list[int] | None = None


def followed(user) -> Followed:
    """From the ``follow_credits`` rules on districts and schools."""
    from core.permissions import sees_all

    if sees_all(user, "follow_credits", District):
        return Followed(None)
    districts = list(District.objects.restrict(user, "follow_credits").values_list("pk", flat=True))
    if districts:
        return Followed(districts)
    schools = list(School.objects.restrict(user, "follow_credits").values_list("pk", "district_id"))
    return Followed(sorted({d for _, d in schools}), [pk for pk, _ in schools])


def followed_completion(user, follows: Followed | None = None) -> list[CompletionRow]:
    """The completion table a user follows: per district when they follow
    every district, else per school of what they follow (empty for staff of
    a municipal center, who have no district of their own)."""
    follows = follows or followed(user)
    if follows.district_ids is None:
        return completion(by="district")
    return completion(by="school", district_ids=follows.district_ids, school_ids=follows.school_ids)
