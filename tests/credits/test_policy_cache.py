"""The policies in force per process (``policy_in_force``, issue 17): the same
choice as ``policy_for``, no query once loaded, and what invalidates the copy —
a policy or a minimum saved or deleted (after its commit, in every process: a
new version in the cache), a write not yet committed (read from the database
meanwhile), a rollback (nothing kept), the version lost from the cache."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from credits import services
from credits.models import CategoryMinimum, CreditPolicy
from credits.services import policies
from tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db(transaction=True)

ON = date(2024, 6, 30)


def _city(**kwargs):
    fields = {
        "name": "广州市 2022—2026",
        "cycle_start": date(2022, 1, 1),
        "cycle_end": date(2026, 12, 31),
        "total_hours": Decimal("360"),
    }
    policy = CreditPolicy.objects.create(**{**fields, **kwargs})
    CategoryMinimum.objects.create(policy=policy, category="ethics", hours=Decimal("36"))
    return policy


def _queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return result, len(ctx)


def _minimums(policy):
    return {m.category: m.hours for m in policy.minimums.all()}


def test_same_choice_as_policy_for():
    a, b = DistrictFactory(code="a"), DistrictFactory(code="b")
    _city()
    _city(name="旧周期", cycle_start=date(2017, 1, 1), cycle_end=date(2021, 12, 31))
    _city(name="下周期", cycle_start=date(2027, 1, 1), cycle_end=date(2031, 12, 31))
    _city(name="a 区", district=a, total_hours=Decimal("300"))
    _city(name="停用", district=b, is_active=False)
    for on in (date(2016, 1, 1), date(2019, 5, 1), ON, date(2027, 3, 1), date(2040, 1, 1)):
        for district in (None, a.pk, b.pk):
            assert services.policy_in_force(district, on) == services.policy_for(district, on)
        expected, cached = services.policy_map(on), services.policy_map_in_force(on)
        assert (cached.city, cached.overrides) == (expected.city, expected.overrides)


def test_loaded_once_then_no_query():
    policy = _city()
    services.forget_policies()
    found, n = _queries(lambda: services.policy_in_force(None, ON))
    assert found == policy and n == 2  # the policies, their minimums
    found, n = _queries(lambda: (services.policy_in_force(None, ON), _minimums(found)))
    assert found[0] == policy and n == 0


def test_a_committed_change_reloads():
    policy = _city()
    assert _minimums(services.policy_in_force(None, ON)) == {"ethics": Decimal("36")}
    minimum = CategoryMinimum.objects.create(policy=policy, category="it", hours=Decimal("50"))
    assert _minimums(services.policy_in_force(None, ON)) == {
        "ethics": Decimal("36"),
        "it": Decimal("50"),
    }
    minimum.hours = Decimal("40")
    minimum.save()
    assert _minimums(services.policy_in_force(None, ON))["it"] == Decimal("40")
    minimum.delete()
    assert _minimums(services.policy_in_force(None, ON)) == {"ethics": Decimal("36")}
    policy.total_hours = Decimal("300")
    policy.save()
    assert services.policy_in_force(None, ON).total_hours == Decimal("300")
    policy.delete()
    assert services.policy_in_force(None, ON) is None


def test_another_process_change_reloads():
    """Another process's commit writes a new version: this one's copy is stale."""
    policy = _city()
    assert services.policy_in_force(None, ON).total_hours == Decimal("360")
    # What another process does: the row changes, then its commit's new version.
    CreditPolicy.objects.filter(pk=policy.pk).update(total_hours=Decimal("320"))
    assert services.policy_in_force(None, ON).total_hours == Decimal("360")  # no signal here
    policies._bump_version()
    assert services.policy_in_force(None, ON).total_hours == Decimal("320")


def test_version_lost_from_the_cache_reloads():
    policy = _city()
    assert services.policy_in_force(None, ON).total_hours == Decimal("360")
    CreditPolicy.objects.filter(pk=policy.pk).update(total_hours=Decimal("320"))
    cache.clear()
    assert services.policy_in_force(None, ON).total_hours == Decimal("320")


def test_uncommitted_change_reads_the_database_and_a_rollback_keeps_nothing():
    policy = _city()
    assert services.policy_in_force(None, ON).total_hours == Decimal("360")
    version = cache.get(policies.VERSION_KEY)
    with pytest.raises(RuntimeError), transaction.atomic():
        policy.total_hours = Decimal("200")
        policy.save()
        # Inside the write's transaction: its own rows, from the database.
        assert services.policy_in_force(None, ON).total_hours == Decimal("200")
        assert services.policy_in_force(None, ON).total_hours == Decimal("200")
        assert cache.get(policies.VERSION_KEY) == version  # not before the commit
        raise RuntimeError("rolled back")
    assert services.policy_in_force(None, ON).total_hours == Decimal("360")
    with transaction.atomic():
        CategoryMinimum.objects.create(policy=policy, category="it", hours=Decimal("50"))
        assert "it" in _minimums(services.policy_in_force(None, ON))
    assert cache.get(policies.VERSION_KEY) != version  # committed: a new version
    assert "it" in _minimums(services.policy_in_force(None, ON))


def test_teacher_summary_is_one_query_with_the_copy_loaded():
    from tests.factories import SchoolFactory, TeacherFactory

    _city()
    teacher = TeacherFactory(school=SchoolFactory())
    services.teacher_summary(teacher, on=ON)
    summary, n = _queries(lambda: services.teacher_summary(teacher, on=ON))
    assert n == 1 and summary.required == Decimal("360") and summary.remaining == Decimal("360")


def test_cache_unreachable_reads_the_database(monkeypatch):
    policy = _city()
    assert services.policy_in_force(None, ON) == policy

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(policies.cache, "get", down)
    CreditPolicy.objects.filter(pk=policy.pk).update(total_hours=Decimal("320"))
    found, n = _queries(lambda: services.policy_in_force(None, ON))
    assert found.total_hours == Decimal("320") and n == 2
