"""A procurement of center A carried step by step: ``build(world, upto)``
stops after the named step. Two vendors bid (the world's vendor and 机构乙);
seven experts, one affiliated with 机构乙 and one declaring a conflict with
the world's vendor."""

import datetime
from decimal import Decimal

from django.utils import timezone

from tests.factories import VendorFactory
from training.models import DueCondition, Expert, PaymentKind, SubProjectStatus
from training.services import procurement as proc

from .factories import SubProjectFactory

STEPS = [
    "filed",
    "approved",
    "announced",
    "bids",
    "drawn",
    "scored",
    "awarded",
    "notice",
    "contracted",
]


def pool(vendor_b, vendor_a):
    experts = [
        Expert.objects.create(name=f"专家{vendor_b.pk}-{i}", organisation="贺州学院")
        for i in range(5)
    ]
    affiliated = Expert.objects.create(name="机构乙专家", vendor=vendor_b)
    conflicted = Expert.objects.create(name="回避专家")
    conflicted.conflicts.add(vendor_a)
    return experts, affiliated, conflicted


def build(
    world, upto="contracted", seed="seed-1", side="a", number=None, vendors=None, n_experts=3
):
    """Side "a": center A buys from the world's vendor (and 机构乙 bids);
    side "b": center B buys from 机构丙 (机构丁 bids)."""
    center = world.user(f"center_{side}")
    center_org = world.center_a if side == "a" else world.center_b
    today = timezone.localdate()
    sub = SubProjectFactory(center=center_org, status=SubProjectStatus.APPROVED)
    vendor_a = world.vendor if side == "a" else VendorFactory(name="机构丙")
    vendor_b = VendorFactory(
        name=vendors[0] if vendors else ("机构乙" if side == "a" else "机构丁")
    )
    experts, affiliated, conflicted = pool(vendor_b, vendor_a)
    p = proc.file_need(
        center=center_org,
        title="2020 国培 乡村教师 采购",
        method="open_tender",
        budget=Decimal("400000"),
        subprojects=[sub],
        criteria=[("技术方案", 60), ("报价", 40)],
        expert_count=n_experts,
        by=center,
    )
    out = {
        "procurement": p,
        "sub": sub,
        "vendor_b": vendor_b,
        "experts": experts,
        "affiliated": affiliated,
        "conflicted": conflicted,
    }
    if upto == "filed":
        return out
    proc.approve_need(procurement=p, by=center)
    if upto == "approved":
        return out
    proc.announce(
        procurement=p,
        by=center,
        agency="贺州市公共资源交易中心",
        announced_on=today - datetime.timedelta(days=30),
        bids_close_at=timezone.now() - datetime.timedelta(days=1),
    )
    if upto == "announced":
        return out
    now = timezone.now() - datetime.timedelta(days=2)
    out["bid_a"] = proc.submit_bid(
        procurement=p, vendor=vendor_a, amount="380000", by=center, now=now
    )
    out["bid_b"] = proc.submit_bid(
        procurement=p, vendor=vendor_b, amount="360000", by=center, now=now
    )
    if upto == "bids":
        return out
    out["panel"] = proc.draw_experts(procurement=p, by=center, seed=seed)
    if upto == "drawn":
        return out
    criteria = list(p.criteria.all())
    for panelist in out["panel"]:
        proc.score_bid(
            bid=out["bid_a"],
            expert=panelist.expert,
            by=center,
            points={criteria[0].pk: 55, criteria[1].pk: 35},
        )
        proc.score_bid(
            bid=out["bid_b"],
            expert=panelist.expert,
            by=center,
            points={criteria[0].pk: 45, criteria[1].pk: 38},
        )
    if upto == "scored":
        return out
    proc.award(procurement=p, by=center)
    if upto == "awarded":
        return out
    proc.publish_award_notice(procurement=p, by=center, on=today)
    if upto == "notice":
        return out
    out["contract"] = proc.sign_contract(
        procurement=p,
        by=center,
        number=number or f"HZ-2020-00{side}",
        signed_on=today,
        performance_bond="19000",
        bond_received_on=today,
        steps=[
            (PaymentKind.PREPAYMENT, "190000", DueCondition.AGAINST_INVOICE),
            (PaymentKind.FINAL, "190000", DueCondition.AFTER_ACCEPTANCE),
        ],
    )
    p.refresh_from_db()
    return out
