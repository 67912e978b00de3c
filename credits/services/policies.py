"""Which credit policy holds where and when, and keeping the balances in
step with the policies' cycles."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
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
    best: dict[int | None, CreditPolicy] = {}
    policies = CreditPolicy.objects.filter(is_active=True, cycle_start__lte=on).order_by(
        "cycle_start"
    )
    for policy in policies:
        current = best.get(policy.district_id)
        covers = policy.cycle_end >= on
        if current is None or covers or current.cycle_end < on:
            best[policy.district_id] = policy
    city = best.pop(None, None)
    return PolicyMap(city=city, overrides=best)


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
    from django.db.models.signals import post_save, pre_save

    pre_save.connect(_policy_pre_save, sender=CreditPolicy, dispatch_uid="credits_policy_pre")
    post_save.connect(_policy_post_save, sender=CreditPolicy, dispatch_uid="credits_policy_post")
