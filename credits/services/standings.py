"""Completion standings: the per-school figures of ``completion`` kept in a
table (``CompletionStanding``) so the dashboards read a few hundred rows on a
page request, not every teacher's balance.

What invalidates a district's rows, and refreshes them after the commit
(``schedule_refresh``, then the ``refresh_completion_standings`` task):

- a ledger write (award, reversal, district batch, approved claim: every one
  goes through ``ledger._add_to_balances``): the districts of its teachers,
  or for a batch (district sync, bulk award, a class's hours) only the
  schools of its teachers when a district has at most ``SCHOOLS_ALONE`` of
  them;
- ``rebuild_balances``, a policy or a category minimum saved or deleted, a
  teacher saved or deleted (joins, moves, leaves): the whole city;
- the date: at risk depends on the day, so rows carry the day they were
  computed for (``on``) and beat refreshes the city daily; a reader that
  finds a row of another day (or none) computes from the balances instead
  (``completion``) and asks for a refresh.

The figures are ``completion(by="school")``'s, by its one definition; a
district's are the sums of its schools' (exact: counts and decimal hours).
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Count, Min, Sum
from django.utils import timezone

from centers.models import District, School, Teacher

from ..models import CompletionStanding
from .common import as_hours
from .completion import CompletionRow, completion

ALL = None  # every district


def refresh_standings(district_ids=ALL, on=None, *, school_ids=None) -> int:
    """Recompute the standings of ``district_ids`` (None: the city) for
    ``on`` (today): one row per school of those districts, teachers or not.
    With ``school_ids``, only those schools' rows (what a batch changed),
    unless their district's rows are not all there and of ``on``: then the
    whole district, so a district never mixes rows of two days (or misses
    a school). Idempotent; concurrent refreshes of a district run one after
    the other (its rows are locked first), each computing after the
    previous commit. Returns the rows written."""
    on = on or timezone.localdate()
    with transaction.atomic():
        schools = None
        if school_ids is not None:
            schools = dict(
                School.objects.filter(pk__in=sorted(set(school_ids))).values_list(
                    "pk", "district_id"
                )
            )
            district_ids = set(schools.values())
        districts = District.objects.select_for_update().order_by("pk")
        if district_ids is not ALL:
            districts = districts.filter(pk__in=list(district_ids))
        ids = list(districts.values_list("pk", flat=True))
        if not ids:
            return 0
        whole = ids if schools is None else _not_current(ids, on)
        written = 0
        if whole:
            written += _store(
                on, School.objects.filter(district_id__in=whole), {"district_id__in": whole}
            )
        part = [] if schools is None else [s for s, d in schools.items() if d not in whole]
        if part:
            written += _store(on, School.objects.filter(pk__in=part), {"school_id__in": part})
        return written


def _not_current(district_ids, on) -> list[int]:
    """Of these districts, those whose standings are not one row per school,
    all computed for ``on`` (a new school, yesterday's rows, none yet)."""
    schools = dict(
        School.objects.filter(district_id__in=district_ids)
        .values("district_id")
        .annotate(n=Count("pk"))
        .values_list("district_id", "n")
    )
    current = dict(
        CompletionStanding.objects.filter(district_id__in=district_ids, on=on)
        .values("district_id")
        .annotate(n=Count("pk"))
        .values_list("district_id", "n")
    )
    return [d for d in district_ids if current.get(d, 0) != schools.get(d, 0)]


def _store(on, schools, scope) -> int:
    """Replace the standings of ``schools`` (a queryset; ``scope`` the same
    filter on the standings and for ``completion``) by their figures."""
    if "district_id__in" in scope:
        figures = completion(by="school", district_ids=scope["district_id__in"], on=on)
    else:
        figures = completion(by="school", school_ids=scope["school_id__in"], on=on)
    figures = {row.key: row for row in figures}
    now = timezone.now()
    rows = []
    for school_id, district_id in schools.values_list("pk", "district_id"):
        row = figures.get(school_id) or CompletionRow(school_id, "")
        rows.append(
            CompletionStanding(
                school_id=school_id,
                district_id=district_id,
                on=on,
                teachers=row.teachers,
                complete=row.complete,
                at_risk=row.at_risk,
                hours=row.hours,
                refreshed_at=now,
            )
        )
    CompletionStanding.objects.filter(**scope).delete()
    CompletionStanding.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# --- Invalidation: refresh after the commit -----------------------------------


def _pending() -> dict:
    """The current transaction's pending refresh: {"all": bool, "districts":
    set, "schools": set, "teachers": set}, sent once when it commits."""
    state = connection.__dict__.get("_standings_pending")
    # A rolled-back transaction (or savepoint) drops its on_commit callback:
    # then this state will never be sent, so start a new one.
    if state is None or not any(f is state["send"] for _s, f, _r in connection.run_on_commit):
        state = {"all": False, "districts": set(), "schools": set(), "teachers": set()}

        def send():
            if connection.__dict__.get("_standings_pending") is state:
                del connection.__dict__["_standings_pending"]
            _enqueue(state["all"], state["districts"], state["teachers"], state["schools"])

        state["send"] = send
        connection.__dict__["_standings_pending"] = state
        transaction.on_commit(send)
    return state


def schedule_refresh(*, district_ids=(), school_ids=(), teacher_ids=(), everything=False) -> None:
    """Refresh these districts' or schools' standings (or the city's) once
    the current transaction commits (at once outside one); the calls of one
    transaction are merged into one task. Rolled back: nothing is sent."""
    if not connection.in_atomic_block:
        connection.__dict__.pop("_standings_pending", None)
        _enqueue(everything, set(district_ids), set(teacher_ids), set(school_ids))
        return
    state = _pending()
    state["all"] = state["all"] or everything
    state["districts"].update(district_ids)
    state["schools"].update(school_ids)
    state["teachers"].update(teacher_ids)


#: A batch's teachers' schools are refreshed alone when a district has at
#: most this many of them (a school's batch, a class's hours); above it,
#: their district is (one refresh for a burst of batches, and nearly every
#: school of a district for a 1,000-row batch of random teachers).
SCHOOLS_ALONE = 20


def schedule_refresh_of(places) -> None:
    """After the commit, refresh the standings of the schools of these
    (district id, school id) pairs, the teachers' whose balances changed:
    per district its schools alone, or the district when it has more than
    ``SCHOOLS_ALONE`` of them."""
    by_district: dict = {}
    for district_id, school_id in places:
        by_district.setdefault(district_id, set()).add(school_id)
    alone = {d for d, schools in by_district.items() if len(schools) <= SCHOOLS_ALONE}
    schedule_refresh(
        district_ids=set(by_district) - alone,
        school_ids={s for d in alone for s in by_district[d]},
    )


#: A refresh queued and not yet started, per district (and for the city): a
#: burst of batches to one district queues one refresh, not one per batch.
#: The task forgets the key as it starts, before it computes, so a commit
#: after that queues another. The key expires in case a task is lost.
QUEUED_KEY = "credits:standings:queued:{}"
QUEUED_SECONDS = 600


def _enqueue(everything, districts, teachers, schools=frozenset()) -> None:
    from django.core.cache import cache

    from ..tasks import refresh_completion_standings

    if everything:
        if cache.add(QUEUED_KEY.format("all"), 1, QUEUED_SECONDS):
            refresh_completion_standings.delay(None)
        return
    if teachers:
        districts |= set(
            Teacher.objects.filter(pk__in=sorted(teachers))
            .values_list("district_id", flat=True)
            .distinct()
        )
    if (not districts and not schools) or cache.get(QUEUED_KEY.format("all")):
        return  # a city refresh not started yet covers them
    queue = [d for d in sorted(districts) if cache.add(QUEUED_KEY.format(d), 1, QUEUED_SECONDS)]
    if queue:
        refresh_completion_standings.delay(queue)
    queue = [
        s for s in sorted(schools) if cache.add(QUEUED_KEY.format(f"school-{s}"), 1, QUEUED_SECONDS)
    ]
    if queue:
        refresh_completion_standings.delay([], queue)


def run_refresh(district_ids=ALL, school_ids=None) -> int:
    """The task's body: forget the queued keys, then refresh."""
    from django.core.cache import cache

    keys = ["all"] if district_ids is ALL else list(district_ids)
    keys += [f"school-{s}" for s in school_ids or ()]
    cache.delete_many([QUEUED_KEY.format(k) for k in keys])
    written = refresh_standings(district_ids) if district_ids or district_ids is ALL else 0
    if school_ids:
        written += refresh_standings(school_ids=school_ids)
    return written


def connect_standing_signals():
    from django.db.models.signals import post_delete, post_save

    from ..models import CategoryMinimum, CreditPolicy

    def everything(sender, raw=False, **kwargs):
        if not raw:
            schedule_refresh(everything=True)

    for model in (Teacher, CreditPolicy, CategoryMinimum):
        for signal in (post_save, post_delete):
            signal.connect(
                everything, sender=model, weak=False, dispatch_uid=f"standings_{model.__name__}"
            )


# --- Reading ------------------------------------------------------------------


def standing_completion(*, by="school", district_ids=None, school_ids=None, on=None):
    """``completion``'s rows read from the standings: one query. Rows of
    another day than ``on`` (today), or none at all, are stale: then the
    figures are computed from the balances (``completion``) and a refresh is
    asked for."""
    if by not in ("school", "district"):
        raise ValueError(by)
    on = on or timezone.localdate()
    if school_ids is not None and not school_ids:
        return []
    rows = CompletionStanding.objects.all()
    if district_ids is not None:
        rows = rows.filter(district_id__in=list(district_ids))
    if school_ids is not None:
        rows = rows.filter(school_id__in=list(school_ids))
    order = "district__order" if by == "district" else by
    grouped = list(
        rows.order_by()
        .values(by, f"{by}__name", order)
        .annotate(
            n=Sum("teachers"),
            n_complete=Sum("complete"),
            n_risky=Sum("at_risk"),
            n_hours=Sum("hours"),
            first_on=Min("on"),
        )
    )
    if not grouped or any(g["first_on"] != on for g in grouped):
        # Max(on) is never after today's, so Min == on means every row is today's.
        schedule_refresh(district_ids=district_ids or (), everything=district_ids is None)
        return completion(by=by, district_ids=district_ids, school_ids=school_ids, on=on)
    out = [
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
        if g["n"]
    ]
    if by == "district":
        return sorted(out, key=lambda r: (r.order, r.name))
    return sorted(out, key=lambda r: (r.name, r.key))
