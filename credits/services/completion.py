"""Completion per school or per district, computed in the database."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import District, School, Teacher

from .common import TENTH, ZERO, as_hours
from .policies import policy_map
from .progress import AT_RISK, COMPLETE, annotate_progress


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


def completion(
    *, by="school", district_ids=None, school_ids=None, on=None, pmap=None
) -> list[CompletionRow]:
    """Completion per school or per district, computed in the database by the
    one definition of complete and at risk (``progress.annotate_progress``):
    one query over the teachers grouped by school or district, plus the
    policies and their minimums. ``district_ids``/``school_ids`` narrow it
    (None: everything). ``pmap``: the policies in force (a page passes
    ``policy_map_in_force``; by default they are read, ``policy_map``)."""
    if by not in ("school", "district"):
        raise ValueError(by)
    on = on or timezone.localdate()
    if school_ids is not None and not school_ids:
        return []
    pmap = pmap or policy_map(on)
    if pmap.city is None and not pmap.overrides:
        return []
    teachers = Teacher.objects.filter(is_active=True)
    if district_ids is not None:
        teachers = teachers.filter(district_id__in=list(district_ids))
    if school_ids is not None:
        teachers = teachers.filter(school_id__in=list(school_ids))
    if pmap.city is None:  # only districts with a policy of their own
        teachers = teachers.filter(district_id__in=list(pmap.overrides))
    order = "district__order" if by == "district" else by
    grouped = (
        annotate_progress(teachers, on, pmap)
        .order_by()
        .values(by, f"{by}__name", order)
        .annotate(
            n=Count("pk"),
            n_complete=Count("pk", filter=COMPLETE),
            n_risky=Count("pk", filter=AT_RISK),
            n_hours=Sum("cycle_hours"),
        )
    )
    rows = [
        CompletionRow(
            g[by],
            g[f"{by}__name"],
            teachers=g["n"],
            complete=g["n_complete"],
            at_risk=g["n_risky"],
            hours=as_hours(g["n_hours"]),
            order=g[order] if by == "district" else 0,
        )
        for g in grouped
    ]
    if by == "district":
        return sorted(rows, key=lambda r: (r.order, r.name))
    return sorted(rows, key=lambda r: (r.name, r.key))


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
