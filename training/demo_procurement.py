"""Demo procurement data (DOMAIN.md §3, seed 004): Hezhou's 27 practice
bases (6 kindergarten, 8 primary, 8 junior, 5 senior), its expert team of 56,
and one 2019 国培 sub-project (钟山县骨干教师提升培训) bought by open tender
through 贺州市公共资源交易中心: need filed and approved, tender announced,
two bids, five experts drawn at random (two of the pool excluded for a
conflict), scored, awarded to the highest total, award notice, performance
bond, contract, prepayment paid against invoice, accepted, final payment due.
Loading twice changes nothing."""

import datetime
from decimal import Decimal

from django.utils import timezone

from centers.models import SchoolStage, TargetGroup, TrainingKind, Vendor

from .models import (
    Contract,
    DueCondition,
    Expert,
    PaymentKind,
    PracticeBase,
    Procurement,
    SubProject,
    SubProjectStatus,
)
from .services import procurement as proc

K, P, J, S = (
    SchoolStage.KINDERGARTEN,
    SchoolStage.PRIMARY,
    SchoolStage.JUNIOR,
    SchoolStage.SENIOR,
)

# 贺州市市级统筹"国培计划""区培计划"项目实践研修基地: 27 (6 / 8 / 8 / 5)
PRACTICE_BASES = [
    ("贺州市实验幼儿园", K, "保育教育,游戏活动"),
    ("贺州市机关幼儿园", K, "保育教育,园所管理"),
    ("八步区第一幼儿园", K, "保育教育"),
    ("平桂区实验幼儿园", K, "游戏活动"),
    ("钟山县幼儿园", K, "保育教育,家园共育"),
    ("昭平县幼儿园", K, "保育教育"),
    ("贺州市实验小学", P, "语文,数学,英语"),
    ("贺州市第一小学", P, "语文,数学"),
    ("贺州市第三小学", P, "科学,信息技术"),
    ("八步区实验小学", P, "语文,音乐"),
    ("平桂区实验小学", P, "数学,体育"),
    ("钟山县实验小学", P, "语文,数学"),
    ("昭平县实验小学", P, "英语,美术"),
    ("富川瑶族自治县实验小学", P, "语文,民族文化"),
    ("贺州市第一初级中学", J, "语文,数学,英语"),
    ("贺州市第五初级中学", J, "物理,化学"),
    ("贺州市第八初级中学", J, "道德与法治,历史"),
    ("八步区实验中学", J, "数学,生物"),
    ("平桂区第一初级中学", J, "语文,地理"),
    ("钟山县第二初级中学", J, "英语,物理"),
    ("昭平县实验中学", J, "数学,信息技术"),
    ("富川瑶族自治县第一初级中学", J, "语文,英语"),
    ("贺州高级中学", S, "语文,数学,英语,物理"),
    ("贺州市第一高级中学", S, "化学,生物,政治"),
    ("钟山中学", S, "历史,地理"),
    ("昭平中学", S, "数学,英语"),
    ("富川瑶族自治县高级中学", S, "语文,物理"),
]

SURNAMES = (
    "李王张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"
    "宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏"
    "卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜"
)
GIVEN = [
    "建华",
    "丽娟",
    "志强",
    "秀兰",
    "海燕",
    "文军",
    "春梅",
    "国平",
    "晓东",
    "玉芳",
    "德明",
    "红霞",
    "永林",
    "桂英",
    "小平",
    "美玲",
]
ORGANISATIONS = [
    ("贺州学院", "教授"),
    ("贺州市教育科学研究所", "教研员"),
    ("贺州市教师发展中心", "高级讲师"),
    ("贺州高级中学", "自治区特级教师"),
    ("贺州市实验小学", "贺州名师"),
    ("贺州市实验幼儿园", "贺州名师"),
    ("八步区教研室", "教研员"),
    ("钟山县教研室", "教研员"),
]
STAGES = [K, P, P, J, J, S, P]
SUBJECTS = ["语文", "数学", "英语", "学前教育", "物理", "信息技术", "德育", "学校管理"]
EXPERT_COUNT = 56

TITLE = "贺州市2019年国培计划 钟山县骨干教师提升培训 采购"
SECOND_VENDOR = "广西师范大学继续教育学院"
AGENCY = "贺州市公共资源交易中心"
SEED = "HZ2019-ZS-GG"


def _aware(day, hour=9, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def load_pool():
    for name, stage, subjects in PRACTICE_BASES:
        PracticeBase.objects.get_or_create(
            name=name, defaults={"stage": stage, "subjects": subjects, "capacity": 10}
        )
    for i in range(EXPERT_COUNT):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
        organisation, title = ORGANISATIONS[i % len(ORGANISATIONS)]
        Expert.objects.get_or_create(
            name=name,
            organisation=organisation,
            defaults={
                "title": title,
                "stage": STAGES[i % len(STAGES)],
                "subjects": SUBJECTS[i % len(SUBJECTS)],
            },
        )


def load_procurement(plan, center, user, vendor):
    """The 2019 procurement, carried to an accepted contract. ``plan`` is
    Hezhou's 2019 national plan, ``user`` a staff member of ``center``."""
    if Procurement.objects.filter(title=TITLE).exists():
        return
    from . import demo

    second, _ = Vendor.objects.get_or_create(name=SECOND_VENDOR)
    experts = list(Expert.objects.order_by("pk"))
    affiliated, conflicted = experts[0], experts[1]
    if affiliated.vendor_id is None:
        affiliated.vendor = second
        affiliated.save(update_fields=["vendor"])
    conflicted.conflicts.add(vendor)

    sub = SubProject.objects.filter(code="HZ19-2-03").first() or demo._subproject(
        plan,
        "乡村中小学教师专业能力建设",
        code="HZ19-2-03",
        name="钟山县骨干教师提升培训",
        training_kind=TrainingKind.KEY_TEACHER,
        target_group=TargetGroup.TEACHERS,
        stage=SchoolStage.PRIMARY,
        tier="key_teacher",
        mode="blended",
        location="钟山县",
        hours=Decimal("60"),
        starts_on=datetime.date(2019, 7, 10),
        ends_on=datetime.date(2019, 11, 20),
        capacity=100,
        budget=Decimal("285000"),
        center=center,
        center_reason="贺州国培项目（演示数据）",
        status=SubProjectStatus.APPROVED,
    )
    p = proc.file_need(
        center=center,
        title=TITLE,
        method="open_tender",
        budget="285000",
        subprojects=[sub],
        criteria=[("技术方案", 60), ("商务与业绩", 10), ("报价", 30)],
        expert_count=5,
        by=user,
    )
    proc.approve_need(procurement=p, by=user)
    proc.announce(
        procurement=p,
        by=user,
        agency=AGENCY,
        announced_on=datetime.date(2019, 5, 20),
        bids_close_at=_aware(datetime.date(2019, 6, 10), 9, 30),
    )
    bidding = _aware(datetime.date(2019, 6, 5))
    won = proc.submit_bid(procurement=p, vendor=vendor, amount="278000", by=user, now=bidding)
    lost = proc.submit_bid(procurement=p, vendor=second, amount="269500", by=user, now=bidding)
    drawn_at = _aware(datetime.date(2019, 6, 10), 10)
    panel = proc.draw_experts(procurement=p, by=user, seed=SEED, now=drawn_at)
    criteria = list(p.criteria.all())
    for i, member in enumerate(panel):
        proc.score_bid(
            bid=won,
            expert=member.expert,
            by=user,
            points=dict(zip([c.pk for c in criteria], (52 + i % 3, 9, 28), strict=True)),
        )
        proc.score_bid(
            bid=lost,
            expert=member.expert,
            by=user,
            points=dict(zip([c.pk for c in criteria], (47 + i % 2, 8, 30), strict=True)),
        )
    proc.award(procurement=p, by=user)
    proc.publish_award_notice(procurement=p, by=user, on=datetime.date(2019, 6, 13))
    contract = proc.sign_contract(
        procurement=p,
        by=user,
        number="HZGP2019-ZS-03",
        signed_on=datetime.date(2019, 6, 20),
        performance_bond="13900",
        bond_received_on=datetime.date(2019, 6, 18),
        steps=[
            (PaymentKind.PREPAYMENT, "139000", DueCondition.AGAINST_INVOICE),
            (PaymentKind.FINAL, "139000", DueCondition.AFTER_ACCEPTANCE),
        ],
    )
    prepayment = contract.steps.get(kind=PaymentKind.PREPAYMENT)
    proc.record_invoice(
        step=prepayment, by=user, invoice_number="45000191", invoiced_on=datetime.date(2019, 6, 25)
    )
    proc.pay_step(step=prepayment, by=user, paid_on=datetime.date(2019, 6, 28))
    proc.accept_contract(contract=contract, by=user, on=datetime.date(2019, 11, 30))
    # The record's own times of the 2019 steps (the services stamp "now").
    Procurement.objects.filter(pk=p.pk).update(
        need_filed_at=_aware(datetime.date(2019, 3, 20)),
        need_approved_at=_aware(datetime.date(2019, 4, 10)),
        awarded_at=_aware(datetime.date(2019, 6, 10), 16),
    )
    SubProject.objects.filter(pk=sub.pk).update(
        status=SubProjectStatus.CLOSED, closed_at=_aware(datetime.date(2019, 11, 25))
    )
    assert Contract.objects.filter(procurement=p).exists()
