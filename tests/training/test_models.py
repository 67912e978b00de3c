"""What the database keeps by itself, and who reaches which sub-project."""

import pytest
from django.db import IntegrityError, transaction

from training.models import Plan, ResultRule, SubProject

from .factories import PlanFactory, SubProjectFactory


def test_seats_never_above_capacity(world):
    sub = SubProjectFactory(center=world.center_a, capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        SubProject.objects.filter(pk=sub.pk).update(seats_taken=3)


def test_plan_has_exactly_one_holder(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanFactory(holder_kind="center", center=None)
    PlanFactory(holder_kind="district", district=world.district_a)
    assert Plan.objects.count() == 1


def test_result_rule_weights_sum_to_100(world):
    sub = SubProjectFactory(center=world.center_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResultRule.objects.create(subproject=sub, weight_test=50)
    ResultRule.objects.create(subproject=sub)  # defaults: 20 + 20 + 30 + 15 + 15


def test_scopes(world):
    mine = SubProjectFactory(center=world.center_a, status="approved")
    other = SubProjectFactory(center=world.center_b, status="draft")
    won = SubProjectFactory(center=world.center_b, vendor=world.vendor, status="running")
    qs = SubProject.objects.all()
    assert set(qs.restrict(world.user("center_a"))) == {mine}
    assert set(qs.restrict(world.user("bureau"))) == {mine, other, won}
    assert set(qs.restrict(world.user("vendor"))) == {won}
    # A teacher sees the open ones (not drafts); an outsider none.
    assert set(qs.restrict(world.user("teacher_a"))) == {mine, won}
    assert not qs.restrict(world.user("outsider")).exists()
