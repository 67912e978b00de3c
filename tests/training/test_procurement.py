"""The procurement state machine: its order, the expert draw, the award and
the vendor's grants."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from guardian.shortcuts import get_perms

from core.models import AuditEntry
from core.roles import Role
from tests.factories import UserFactory, VendorFactory, member
from training.models import (
    ContractStatus,
    PaymentStepStatus,
    ProcurementStatus,
    SubProject,
)
from training.services import procurement as proc

from .procurement_objects import build


@pytest.fixture(autouse=True)
def english():
    """The messages are asserted in their source language here (the API
    test asserts the Chinese)."""
    with translation.override("en"):
        yield


def test_the_whole_flow_reaches_a_contract_with_steps(world):
    built = build(world)
    p = built["procurement"]
    assert p.status == ProcurementStatus.CONTRACTED
    assert p.need_approved_at and p.announced_on and p.drawn_at and p.award_notice_on
    contract = built["contract"]
    assert contract.vendor == world.vendor
    assert contract.amount == Decimal("380000.00")
    assert [s.status for s in contract.steps.all()] == ["pending", "pending"]
    assert AuditEntry.objects.filter(object_type="training.procurement", message="award").exists()


def test_out_of_order_moves_are_refused_with_a_reason(world):
    built = build(world, upto="filed")
    p, center = built["procurement"], world.user("center_a")
    with pytest.raises(ValidationError) as exc:
        proc.announce(procurement=p, by=center, agency="代理")
    assert exc.value.code == "state"
    assert "Need approved" in exc.value.messages[0]
    for step in (proc.draw_experts, proc.award, proc.publish_award_notice):
        with pytest.raises(ValidationError):
            step(procurement=p, by=center)
    with pytest.raises(ValidationError):
        proc.sign_contract(procurement=p, by=center, number="X")
    p.refresh_from_db()
    assert p.status == ProcurementStatus.NEED_FILED


def test_contract_needs_the_award_notice_and_the_bond(world):
    built = build(world, upto="awarded")
    p, center = built["procurement"], world.user("center_a")
    with pytest.raises(ValidationError, match="award notice"):
        proc.sign_contract(procurement=p, by=center, number="X")
    proc.publish_award_notice(procurement=p, by=center)
    with pytest.raises(ValidationError) as exc:
        proc.sign_contract(procurement=p, by=center, number="X", performance_bond="1000")
    assert "bond_received_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        proc.sign_contract(procurement=p, by=center, number="X", amount="999999")
    assert "amount" in exc.value.message_dict


def test_bids_only_while_announced_and_once_per_vendor(world):
    built = build(world, upto="announced")
    p, center = built["procurement"], world.user("center_a")
    early = timezone.now() - datetime.timedelta(days=3)
    proc.submit_bid(procurement=p, vendor=world.vendor, amount="1000", by=center, now=early)
    with pytest.raises(ValidationError, match="already bid"):
        proc.submit_bid(procurement=p, vendor=world.vendor, amount="900", by=center, now=early)
    with pytest.raises(ValidationError, match="closed"):
        proc.submit_bid(procurement=p, vendor=built["vendor_b"], amount="900", by=center)
    with pytest.raises(ValidationError):
        proc.submit_bid(
            procurement=p, vendor=built["vendor_b"], amount="500000", by=center, now=early
        )


def test_draw_excludes_conflicts_and_is_reproducible(world):
    built = build(world, upto="drawn", seed="abc")
    p = built["procurement"]
    p.refresh_from_db()
    drawn = [panelist.expert_id for panelist in p.panel.all()]
    assert len(drawn) == 3
    assert built["affiliated"].pk not in drawn and built["conflicted"].pk not in drawn
    assert built["affiliated"].pk not in p.draw_pool
    assert p.draw_excluded == {
        str(built["affiliated"].pk): "affiliated",
        str(built["conflicted"].pk): "conflict",
    }
    assert p.draw_seed == "abc"
    assert proc.reproduce_draw(p) == drawn
    assert proc.draw_from(p.draw_pool, "abc", 3) == drawn


def test_draw_refuses_a_pool_too_small(world):
    built = build(world, upto="bids")
    p = built["procurement"]
    p.expert_count = 6  # 5 free of conflicts
    p.save(update_fields=["expert_count"])
    with pytest.raises(ValidationError, match="free of conflicts"):
        proc.draw_experts(procurement=p, by=world.user("center_a"))


def test_scores_within_the_criterion_and_by_drawn_experts_only(world):
    built = build(world, upto="drawn")
    p, center = built["procurement"], world.user("center_a")
    criterion = p.criteria.first()
    expert = built["panel"][0].expert
    with pytest.raises(ValidationError, match="0 to 60"):
        proc.score_bid(bid=built["bid_a"], expert=expert, by=center, points={criterion.pk: 61})
    with pytest.raises(ValidationError, match="not drawn"):
        proc.score_bid(
            bid=built["bid_a"], expert=built["affiliated"], by=center, points={criterion.pk: 1}
        )
    with pytest.raises(ValidationError, match="scores are missing"):
        proc.award(procurement=p, by=center)


def test_award_goes_to_the_highest_total(world):
    built = build(world, upto="awarded")
    p = built["procurement"]
    p.refresh_from_db()
    built["bid_a"].refresh_from_db()
    built["bid_b"].refresh_from_db()
    assert built["bid_a"].total_score == Decimal("90.00")
    assert built["bid_b"].total_score == Decimal("83.00")
    assert p.awarded_bid == built["bid_a"]  # higher score beats the lower price
    assert p.status == ProcurementStatus.AWARDED


def test_award_grants_the_vendor_and_ending_the_contract_withdraws(world):
    vendor_user = world.user("vendor")
    built = build(world, upto="scored")
    sub, center = built["sub"], world.user("center_a")
    assert not SubProject.objects.restrict(vendor_user).filter(pk=sub.pk).exists()
    proc.award(procurement=built["procurement"], by=center)
    assert set(get_perms(vendor_user, sub)) == {"view_subproject", "change_subproject"}
    assert SubProject.objects.restrict(vendor_user, "change").filter(pk=sub.pk).exists()
    proc.publish_award_notice(procurement=built["procurement"], by=center)
    contract = proc.sign_contract(procurement=built["procurement"], by=center, number="C-1")
    proc.accept_contract(contract=contract, by=center)
    proc.end_contract(contract=contract, by=center)
    vendor_user = type(vendor_user).objects.get(pk=vendor_user.pk)
    assert get_perms(vendor_user, sub) == []
    assert not SubProject.objects.restrict(vendor_user).filter(pk=sub.pk).exists()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ENDED


def test_prepayment_against_invoice_final_after_acceptance(world):
    built = build(world)
    center = world.user("center_a")
    contract = built["contract"]
    prepayment, final = contract.steps.all()
    with pytest.raises(ValidationError, match="invoice"):
        proc.pay_step(step=prepayment, by=center)
    proc.record_invoice(step=prepayment, by=center, invoice_number="FP-001")
    proc.pay_step(step=prepayment, by=center)
    with pytest.raises(ValidationError, match="already paid"):
        proc.pay_step(step=prepayment, by=center)
    with pytest.raises(ValidationError, match="after acceptance"):
        proc.pay_step(step=final, by=center)
    with pytest.raises(ValidationError):
        proc.end_contract(contract=contract, by=center)  # not accepted, no reason
    proc.accept_contract(contract=contract, by=center)
    with pytest.raises(ValidationError, match="Unpaid"):
        proc.end_contract(contract=contract, by=center)
    final = proc.pay_step(step=final, by=center)
    assert final.status == PaymentStepStatus.PAID
    proc.end_contract(contract=contract, by=center)


def test_another_center_may_not_move_it(world):
    built = build(world, upto="filed")
    with pytest.raises(PermissionDenied):
        proc.approve_need(procurement=built["procurement"], by=world.user("center_b"))
    with pytest.raises(PermissionDenied):
        build_other = proc.file_need  # center B filing for center A
        build_other(
            center=world.center_a,
            title="x",
            method="open_tender",
            budget="1",
            by=world.user("center_b"),
        )


def test_staff_who_join_the_vendor_after_the_award_get_the_grants(world):
    built = build(world, upto="scored")
    sub, center = built["sub"], world.user("center_a")
    proc.award(procurement=built["procurement"], by=center)
    newcomer = UserFactory()
    member(newcomer, Role.VENDOR, world.vendor)
    assert set(get_perms(newcomer, sub)) == {"view_subproject", "change_subproject"}
    assert SubProject.objects.restrict(newcomer, "change").filter(pk=sub.pk).exists()
    # A newcomer of another vendor gets nothing.
    other = UserFactory()
    member(other, Role.VENDOR, VendorFactory())
    assert get_perms(other, sub) == []
