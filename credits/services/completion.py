"""Completion per school or per district, computed in the database."""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from centers.models import District, School, Teacher
from core.statements import Prepared

from .common import TENTH, ZERO, as_hours
from .policies import PolicyMap, policy_map
from .progress import AT_RISK, COMPLETE, _minimums, annotate_progress


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
    ``policy_map_in_force``; by default they are read, ``policy_map``).

    The statement is ``grouped_completion``'s queryset, compiled by the ORM
    once per process for each shape (``_statement``) and run with the ids of
    the call; the rows are the queryset's own (a test holds the two equal)."""
    if by not in ("school", "district"):
        raise ValueError(by)
    on = on or timezone.localdate()
    if school_ids is not None and not school_ids:
        return []
    if district_ids is not None and not district_ids:
        return []  # ``district_id__in=[]``: no teacher, as the queryset says
    pmap = pmap or policy_map(on)
    if pmap.city is None and not pmap.overrides:
        return []
    statement = _statement(by, district_ids, school_ids)
    if statement is None:  # a long list of ids (a refresh job): the ORM builds it
        grouped = grouped_completion(
            by=by, district_ids=district_ids, school_ids=school_ids, on=on, pmap=pmap
        )
        found = [tuple(g.values()) for g in grouped]
    else:
        minimums = _minimums(pmap)
        key = _Key(on, _policies_key(pmap, minimums), pmap, minimums)
        values = {f"d{i}": int(pk) for i, pk in enumerate(district_ids or ())}
        values.update({f"s{i}": int(pk) for i, pk in enumerate(school_ids or ())})
        found = statement.rows(Teacher.objects.db, key, **values)
    return completion_rows(by, found)


def grouped_completion(*, by, district_ids=None, school_ids=None, on, pmap, minimums=None):
    """The queryset of ``completion``: the teachers grouped by school or
    district, the values (key, name[, order], teachers, complete, at risk,
    hours). ``district_ids``/``school_ids`` non-empty or
    None; ``pmap`` with a policy in force somewhere (``minimums``: its
    policies' minimums, when already read)."""
    teachers = Teacher.objects.filter(is_active=True)
    if district_ids is not None:
        teachers = teachers.filter(district_id__in=list(district_ids))
    if school_ids is not None:
        teachers = teachers.filter(school_id__in=list(school_ids))
    if pmap.city is None:  # only districts with a policy of their own
        teachers = teachers.filter(district_id__in=list(pmap.overrides))
    # The school's or district's name (and a district's order) looked up per
    # group, not joined to every teacher before grouping.
    group = (District if by == "district" else School).objects.filter(pk=OuterRef(by)).order_by()
    labels = {"group_name": _OfTheGroup(group.values("name"))}
    if by == "district":
        labels["group_order"] = _OfTheGroup(group.values("order"))
    return (
        annotate_progress(teachers, on, pmap, minimums=minimums)
        .order_by()
        .values(by)
        .annotate(
            **labels,
            n=Count("pk"),
            n_complete=Count("pk", filter=COMPLETE),
            n_risky=Count("pk", filter=AT_RISK),
            n_hours=Sum("cycle_hours"),
        )
    )


class _OfTheGroup(Subquery):
    """A value of the group's own row (its name), by its key: evaluated once
    per group, and nothing to group by (the key is the group)."""

    def get_group_by_cols(self):
        return []


def completion_rows(by, found) -> list[CompletionRow]:
    """``CompletionRow``s of ``grouped_completion``'s rows (tuples), sorted:
    districts in their order, schools by name."""
    if by == "district":
        rows = [
            CompletionRow(key, name, n, complete, risky, as_hours(hours), order)
            for key, name, order, n, complete, risky, hours in found
        ]
        return sorted(rows, key=lambda r: (r.order, r.name))
    rows = [
        CompletionRow(key, name, n, complete, risky, as_hours(hours))
        for key, name, n, complete, risky, hours in found
    ]
    return sorted(rows, key=lambda r: (r.name, r.key))


# --- The statement compiled once per shape ------------------------------------------
#
# Building and compiling ``grouped_completion``'s queryset (the one definition
# as ORM expressions: a join per policy, a CASE per district with a policy of
# its own, the minimums' terms) cost a page about as much CPU as the rest of
# its view. Its SQL depends only on:
#
# - the shape of the call: by school or district, and how many district and
#   school ids narrow it (each id is a placeholder: ``Prepared`` fills them
#   with the call's values), one ``Prepared`` per shape;
# - the policies in force and the day (the policies' ids, hours, cycles and
#   minimums, which districts override the city's, and the days elapsed, all
#   written into the statement as parameters): the ``_Key``, compared by
#   value (``_policies_key``), so a policy or a minimum changed, a district's
#   own policy added or a new day compiles the statement again; what else
#   would change the SQL (the models, the database) needs a new process.
#
# Not a cache of any figure: the statement runs on every call.

#: a page narrows by one district or a few schools; a refresh job by many
#: (its statement is big anyway): longer lists are built by the ORM each time
MAX_IDS = 32

_statements: dict[tuple, Prepared] = {}
_statements_lock = threading.Lock()


@dataclass(frozen=True)
class _Key:
    """What the statement's SQL depends on besides its shape (compared by
    value); ``pmap`` and ``minimums`` only hand the builder what ``policies``
    describes."""

    on: datetime.date
    policies: tuple
    pmap: PolicyMap = field(compare=False, hash=False)
    minimums: dict = field(compare=False, hash=False)


def _policies_key(pmap, minimums) -> tuple:
    def one(policy):
        mins = tuple(sorted((m.category, m.hours) for m in minimums.get(policy.pk, ())))
        return (policy.pk, policy.total_hours, policy.cycle_start, policy.cycle_end, mins)

    city = one(pmap.city) if pmap.city is not None else None
    return (city, tuple(sorted((d, one(p)) for d, p in pmap.overrides.items())))


def _statement(by, district_ids, school_ids) -> Prepared | None:
    n_districts = None if district_ids is None else len(district_ids)
    n_schools = None if school_ids is None else len(school_ids)
    if (n_districts or 0) > MAX_IDS or (n_schools or 0) > MAX_IDS:
        return None
    shape = (by, n_districts, n_schools)
    statement = _statements.get(shape)
    if statement is None:
        districts = [f"d{i}" for i in range(n_districts or 0)]
        schools = [f"s{i}" for i in range(n_schools or 0)]

        def build(key, **ids):
            return grouped_completion(
                by=by,
                district_ids=None if n_districts is None else [ids[d] for d in districts],
                school_ids=None if n_schools is None else [ids[s] for s in schools],
                on=key.on,
                pmap=key.pmap,
                minimums=key.minimums,
            )

        with _statements_lock:
            statement = _statements.setdefault(shape, Prepared(build, ints=(*districts, *schools)))
    return statement


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
