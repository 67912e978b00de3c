"""Which credit policy holds where and when, and keeping the balances in
step with the policies' cycles."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from ..models import (
    Category,
    CategoryMinimum,
    CreditBalance,
    CreditEntry,
    CreditPolicy,
    category_hours_field,
)


def policy_for(district_id, on=None) -> CreditPolicy | None:
    """The policy in force for a district on a day: the district's own if it
    has one, else the city's; the latest started if none covers the day."""
    on = on or timezone.localdate()
    candidates = (
        CreditPolicy.objects.filter(is_active=True, cycle_start__lte=on)
        .filter(Q(district_id=district_id) | Q(district__isnull=True))
        .prefetch_related("minimums")
        .annotate(
            covers=Case(When(cycle_end__gte=on, then=Value(1)), default=Value(0)),
            own=Case(When(district__isnull=False, then=Value(1)), default=Value(0)),
        )
        .order_by("-covers", "-own", "-cycle_start")
    )
    return candidates.first()


@dataclass
class PolicyMap:
    """Which policy holds in which district (the city's unless overridden)."""

    city: CreditPolicy | None
    overrides: dict[int, CreditPolicy]

    def for_district(self, district_id):
        return self.overrides.get(district_id, self.city)

    def groups(self, district_ids) -> list[tuple[CreditPolicy, list[int]]]:
        by_policy: dict[int, tuple[CreditPolicy, list[int]]] = {}
        for district_id in district_ids:
            policy = self.for_district(district_id)
            if policy is not None:
                by_policy.setdefault(policy.pk, (policy, []))[1].append(district_id)
        return list(by_policy.values())


def policy_map(on=None) -> PolicyMap:
    """Every district's policy in one query."""
    on = on or timezone.localdate()
    policies = CreditPolicy.objects.filter(is_active=True, cycle_start__lte=on).order_by(
        "cycle_start", "pk"
    )
    return _best_per_district(policies, on)


def _best_per_district(policies, on) -> PolicyMap:
    """``policies`` (active, started by ``on``, by cycle start) as a map."""
    best: dict[int | None, CreditPolicy] = {}
    for policy in policies:
        current = best.get(policy.district_id)
        covers = policy.cycle_end >= on
        if current is None or covers or current.cycle_end < on:
            best[policy.district_id] = policy
    city = best.pop(None, None)
    return PolicyMap(city=city, overrides=best)


# --- The policies in force, per process (for pages) ---------------------------------
#
# A page asks which policy holds for a teacher on every request (the teacher
# page, the completion page's heading): two queries for one or two rows that
# change a few times a cycle. Each process keeps the active policies with
# their minimums (``_STORE``), stamped with a version kept in the cache
# framework (Redis in production, shared by every process; one ``GET`` a
# request). What invalidates it:
#
# - a ``CreditPolicy`` or ``CategoryMinimum`` saved or deleted: this process
#   drops its copy at once, and while that write's transaction is open every
#   read goes to the database (it sees its own uncommitted rows; a rollback
#   leaves nothing behind); when it commits, a new version is written and
#   every process reloads on its next read (``_policies_changed``);
# - the version missing from the cache (cleared, evicted, restarted): a new
#   one is set (a random stamp, never a counter that could repeat), so every
#   process reloads.
#
# A process reads the version before it loads the rows, so what it stores is
# at least as new as the version it stores it under. Writes (a claim's
# approval, a transcript's totals, a rebuild) and the figures of completion
# without ``pmap`` (the standings refresh, reminders) keep reading the database
# (``policy_for``, ``policy_map``).

logger = logging.getLogger(__name__)

VERSION_KEY = "credits:policies:version"
_STORE: tuple[str | None, tuple[CreditPolicy, ...]] = (None, ())


def _version() -> str | None:
    """The current version; None when the cache cannot be reached (then every
    read goes to the database, as it did before the copy)."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, None)
            version = cache.get(VERSION_KEY)
    except Exception:  # noqa: BLE001 - Redis down must not take the pages down
        logger.warning("credits: the policies' version is unreadable; reading the database")
        return None
    return version


def _bump_version() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except Exception:  # noqa: BLE001 - the write has committed: say so, do not fail it
        # Other processes keep their copy until the cache answers again and
        # the next change (or a restart): logged, as an error.
        logger.exception("credits: the policies' new version could not be written")
        forget_policies()


def _changing(using=DEFAULT_DB_ALIAS) -> bool:
    """Has the open transaction saved or deleted a policy or a minimum?"""
    conn = connections[using]
    return conn.in_atomic_block and any(f is _bump_version for _s, f, _r in conn.run_on_commit)


def _policies_changed(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    global _STORE
    _STORE = (None, ())
    if not _changing(using):
        # Outside a transaction on_commit runs it at once.
        transaction.on_commit(_bump_version, using=using)


def _load_policies() -> tuple[CreditPolicy, ...]:
    # From the primary: a replica's lag would be kept until the next change.
    return tuple(
        CreditPolicy.objects.using(DEFAULT_DB_ALIAS)
        .filter(is_active=True)
        .prefetch_related("minimums")
        .order_by("pk")
    )


def active_policies() -> tuple[CreditPolicy, ...]:
    """Every active policy with its minimums prefetched, from this process's
    copy (see above). Shared between requests: read them, never change them."""
    global _STORE
    if _changing():
        return _load_policies()
    version = _version()
    if version is None:
        return _load_policies()
    if _STORE[0] != version:
        _STORE = (version, _load_policies())
    return _STORE[1]


def forget_policies() -> None:
    """Drop this process's copy (the next read reloads)."""
    global _STORE
    _STORE = (None, ())


def policy_in_force(district_id, on=None) -> CreditPolicy | None:
    """``policy_for`` from the per-process copy of the policies: the same
    choice (the district's own if it has one, else the city's; one that covers
    the day before one that does not; the latest started), no query. For
    pages; the object is shared, read it only."""
    on = on or timezone.localdate()
    best, best_key = None, None
    for policy in active_policies():
        if policy.cycle_start > on or policy.district_id not in (None, district_id):
            continue
        key = (policy.cycle_end >= on, policy.district_id is not None, policy.cycle_start)
        if best_key is None or key > best_key:
            best, best_key = policy, key
    return best


def policy_map_in_force(on=None) -> PolicyMap:
    """``policy_map`` from the per-process copy (no query; the policies come
    with their minimums). For pages; the objects are shared, read them only."""
    on = on or timezone.localdate()
    started = sorted(
        (p for p in active_policies() if p.cycle_start <= on), key=lambda p: (p.cycle_start, p.pk)
    )
    return _best_per_district(started, on)


def rebuild_balances(policy) -> int:
    """Recompute a policy's balances from the ledger (one aggregate); run
    when a policy is created or its cycle changes. Returns the teachers."""
    table = CreditBalance._meta.db_table
    entries = CreditEntry._meta.db_table
    columns = ", ".join(category_hours_field(c) for c in Category.values)
    by_category = ", ".join(
        f"ROUND(SUM(CASE WHEN category = '{c}' THEN hours ELSE 0 END), 1)" for c in Category.values
    )
    params = [policy.pk, timezone.now(), policy.cycle_start, policy.cycle_end]
    from .standings import schedule_refresh

    with transaction.atomic(), connection.cursor() as cursor:
        schedule_refresh(everything=True)  # after the commit
        cursor.execute(f"DELETE FROM {table} WHERE policy_id = %s", [policy.pk])
        if not policy.is_active:
            return 0
        cursor.execute(
            f"INSERT INTO {table} (policy_id, teacher_id, hours, {columns}, updated_at) "
            f"SELECT %s, teacher_id, ROUND(SUM(hours), 1), {by_category}, %s FROM {entries} "
            f"WHERE earned_on >= %s AND earned_on <= %s GROUP BY teacher_id",
            params,
        )
        return cursor.rowcount


def minimum_rows(policy) -> list[CategoryMinimum]:
    return list(policy.minimums.all())


CYCLE_FIELDS = ("cycle_start", "cycle_end", "is_active")


def _policy_pre_save(sender, instance, **kwargs):
    if instance.pk is None:
        instance._rebuild_balances = True
        return
    old = CreditPolicy.objects.filter(pk=instance.pk).values(*CYCLE_FIELDS).first()
    instance._rebuild_balances = old is None or any(
        old[f] != getattr(instance, f) for f in CYCLE_FIELDS
    )


def _policy_post_save(sender, instance, raw=False, **kwargs):
    if not raw and getattr(instance, "_rebuild_balances", False):
        rebuild_balances(instance)
        instance._rebuild_balances = False


def connect_signals():
    from django.db.models.signals import post_delete, post_save, pre_save

    pre_save.connect(_policy_pre_save, sender=CreditPolicy, dispatch_uid="credits_policy_pre")
    post_save.connect(_policy_post_save, sender=CreditPolicy, dispatch_uid="credits_policy_post")
    for model in (CreditPolicy, CategoryMinimum):
        for signal in (post_save, post_delete):
            signal.connect(
                _policies_changed, sender=model, dispatch_uid=f"credits_policies_{model.__name__}"
            )
