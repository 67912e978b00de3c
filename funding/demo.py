"""Demo funding, reproducing DOMAIN.md §6's figures (idempotent: every line
is found by year, holder and name; its allocations and payments are written
only when the line is new).

- Hezhou (贺州) 2016–2020: the 国培 and 区培 money, allocated to the training
  demo's Hezhou plans; 2019's ¥5.0028M handed down by the region is paid in
  full (拨付率 100 %); 2020 is under way.
- Guangzhou, the current year: the bureau's municipal line on the municipal
  plan (a contract's prepayment paid against its payment step), and each
  district's training line measured against its teachers' payroll, with
  most of it going to the district's training school (some districts fail
  a rule: 南沙 below 2.5 % of payroll, 从化 below 60 % to its school).
- Investment in the centers since 2018: ¥19.07M in the six municipal
  centers, ¥76.877M in the eleven district centers.
- Schools of 天河区 that pass and fail the 5 % rule.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from centers.models import Center, CenterKind, District, School
from training.models import Level, Plan, SubProject

from . import services
from .models import BudgetFigure, BudgetLine, FundingSource, HolderKind, Purpose

D = Decimal
YEAR = 2026

# (year, level, line amount ¥, paid share) — 2019: 3,982,800 + 1,020,000 = 5,002,800
HEZHOU = [
    (2016, Level.NATIONAL, "1850000", D("1")),
    (2017, Level.NATIONAL, "4081000", D("1")),
    (2018, Level.NATIONAL, "4039480", D("1")),
    (2019, Level.NATIONAL, "3982800", D("1")),
    (2019, Level.PROVINCIAL, "1020000", D("1")),
    (2020, Level.NATIONAL, "4068860", D("0.6")),
    (2020, Level.PROVINCIAL, "1268200", D("0.6")),
]
HEZHOU_2019_TOTAL = D("5002800")

# municipal center code → (year, ¥) of center building since 2018 (total ¥19.07M)
MUNICIPAL_BUILDING = {
    "primary-secondary": (2018, "4200000"),
    "research-training": (2019, "3800000"),
    "distance": (2020, "3150000"),
    "private-schools": (2021, "2600000"),
    "vocational": (2022, "2900000"),
}
MUNICIPAL_BUILDING_REST = (2023, "2420000")  # the sixth center
MUNICIPAL_TOTAL = D("19070000")

# district code → (building ¥ since 2018, payroll ¥, training share of payroll %, to school %)
DISTRICTS = {
    "yuexiu": ("9800000", "820000000", "2.6", "65"),
    "liwan": ("6500000", "610000000", "2.5", "62"),
    "haizhu": ("7200000", "780000000", "2.7", "64"),
    "tianhe": ("10500000", "1050000000", "2.8", "66"),
    "baiyun": ("8300000", "960000000", "2.5", "61"),
    "huangpu": ("6900000", "640000000", "2.6", "63"),
    "panyu": ("8100000", "990000000", "2.5", "60"),
    "huadu": ("5600000", "580000000", "2.5", "62"),
    "nansha": ("4977000", "420000000", "2.2", "61"),
    "conghua": ("3800000", "310000000", "2.5", "50"),
    "zengcheng": ("5200000", "560000000", "2.6", "63"),
}
DISTRICT_TOTAL = D("76877000")

# 天河 schools by order: (public-fund budget ¥, training funds ¥) — 5.2 %, 3.8 %, 6 %
SCHOOLS = [("2500000", "130000"), ("1800000", "68400"), ("3000000", "180000")]


def _line(**kwargs):
    """(line, created): a line found by year, holder and name, or made."""
    keys = {k: kwargs[k] for k in ("year", "holder_kind", "name")}
    for k in ("center", "district", "school"):
        keys[k] = kwargs.get(k)
    if kwargs.get("school") is not None:
        keys["district"] = kwargs["school"].district
    found = BudgetLine.objects.filter(**keys).first()
    if found is not None:
        return found, False
    return services.create_line(**kwargs), True


def load(stdout=None):
    with transaction.atomic():
        services.ensure_rules()
        _hezhou()
        _building()
        if not District.objects.exists():
            return
        _guangzhou()
        _districts()
        _schools()


def _hezhou():
    for year, level, amount, share in HEZHOU:
        source = FundingSource.CENTRAL if level == Level.NATIONAL else FundingSource.PROVINCIAL
        label = "国培计划中央专项资金" if level == Level.NATIONAL else "区培计划资金"
        line, created = _line(
            year=year,
            holder_kind=HolderKind.BUREAU,
            source=source,
            name=f"贺州市{year}年市级统筹{label}",
            amount=amount,
            note="自治区下达市级统筹国培、区培资金共500.28万元" if year == 2019 else "",
        )
        if not created:
            continue
        plan = Plan.objects.filter(year=year, level=level, name__startswith="贺州市").first()
        if plan is None:
            continue
        allocation = services.allocate(
            line=line, plan=plan, amount=amount, made_on=datetime.date(year, 4, 1)
        )
        total = D(amount)
        first = (total * D("0.6")).quantize(services.CENT)
        services.disburse(
            allocation=allocation,
            amount=first,
            kind="prepayment",
            paid_on=datetime.date(year, 5, 15),
            payee="承办机构（培训协议）",
        )
        rest = (total * share).quantize(services.CENT) - first
        if rest > 0:
            services.disburse(
                allocation=allocation,
                amount=rest,
                kind="final",
                paid_on=datetime.date(year, 12, 10),
                payee="承办机构（培训协议）",
            )


def _building_line(center, year, amount):
    line, created = _line(
        year=year,
        holder_kind=HolderKind.CENTER,
        center=center,
        source=FundingSource.MUNICIPAL
        if center.kind == CenterKind.MUNICIPAL
        else FundingSource.DISTRICT,
        purpose=Purpose.CENTER_BUILDING,
        name=f"{center.short_name or center.name}{year}年硬软件建设",
        amount=amount,
    )
    if created:
        allocation = services.allocate(
            line=line, center=center, amount=amount, made_on=datetime.date(year, 3, 1)
        )
        services.disburse(
            allocation=allocation,
            amount=amount,
            kind="other",
            paid_on=datetime.date(year, 10, 20),
            payee=center.name,
        )


def _building():
    municipal = list(Center.objects.filter(kind=CenterKind.MUNICIPAL).order_by("code"))
    rest = [c for c in municipal if c.code not in MUNICIPAL_BUILDING]
    for center in municipal:
        if center.code in MUNICIPAL_BUILDING:
            _building_line(center, *MUNICIPAL_BUILDING[center.code])
    if rest:
        _building_line(rest[0], *MUNICIPAL_BUILDING_REST)
    for center in Center.objects.filter(kind=CenterKind.DISTRICT).select_related("district"):
        figures = DISTRICTS.get(center.district.code)
        if figures:
            _building_line(center, 2018 + center.district.order % 4, figures[0])


def _guangzhou():
    plan = Plan.objects.filter(year=YEAR, level=Level.MUNICIPAL).order_by("pk").first()
    line, created = _line(
        year=YEAR,
        holder_kind=HolderKind.BUREAU,
        source=FundingSource.MUNICIPAL,
        name=f"广州市{YEAR}年市级教师培训专项经费",
        amount="12800000",
    )
    if not created or plan is None:
        return
    allocation = services.allocate(
        line=line, plan=plan, amount="9600000", made_on=datetime.date(YEAR, 3, 1)
    )
    services.disburse(
        allocation=allocation,
        amount="3840000",
        kind="prepayment",
        paid_on=datetime.date(YEAR, 4, 10),
        payee="各承办机构",
    )
    sub = SubProject.objects.filter(project__plan=plan, vendor__isnull=False).first()
    if sub is None:
        return
    from training.models import Contract, PaymentStep

    amount = sub.budget if sub.budget and sub.budget > 0 else D("180000")
    contract, _ = Contract.objects.get_or_create(
        number=f"GZJY-{YEAR}-HT-001",
        defaults={
            "center": sub.center,
            "vendor": sub.vendor,
            "amount": amount,
            "signed_on": datetime.date(YEAR, 3, 20),
        },
    )
    contract.subprojects.add(sub)
    pre = (contract.amount * D("0.3")).quantize(services.CENT)
    step, _ = PaymentStep.objects.get_or_create(
        contract=contract,
        position=1,
        defaults={
            "kind": "prepayment",
            "amount": pre,
            "due_condition": "on_signing",
            "status": "due",
            "due_on": datetime.date(YEAR, 3, 20),
        },
    )
    PaymentStep.objects.get_or_create(
        contract=contract,
        position=2,
        defaults={
            "kind": "final",
            "amount": contract.amount - pre,
            "due_condition": "after_acceptance",
        },
    )
    sub_allocation = services.allocate(
        line=line, subproject=sub, amount=contract.amount, made_on=datetime.date(YEAR, 3, 20)
    )
    if step.status == "due":
        services.disburse(
            allocation=sub_allocation,
            amount=pre,
            kind="prepayment",
            payment_step=step,
            paid_on=datetime.date(YEAR, 3, 28),
            reference=f"{YEAR}-PZ-0328",
        )


def _districts():
    for district in District.objects.order_by("order"):
        figures = DISTRICTS.get(district.code)
        if not figures:
            continue
        _building_amount, payroll, share, to_school = figures
        BudgetFigure.objects.get_or_create(
            year=YEAR,
            kind="teacher_payroll",
            district=district,
            school=None,
            defaults={"amount": D(payroll)},
        )
        amount = (D(payroll) * D(share) / 100).quantize(services.CENT)
        line, created = _line(
            year=YEAR,
            holder_kind=HolderKind.DISTRICT,
            district=district,
            source=FundingSource.PAYROLL,
            name=f"{district.name}{YEAR}年教师培训专项经费",
            amount=amount,
        )
        school = Center.objects.filter(kind=CenterKind.DISTRICT, district=district).first()
        if not created or school is None:
            continue
        to_school_amount = (amount * D(to_school) / 100).quantize(services.CENT)
        allocation = services.allocate(
            line=line, center=school, amount=to_school_amount, made_on=datetime.date(YEAR, 2, 1)
        )
        services.disburse(
            allocation=allocation,
            amount=(to_school_amount * D("0.8")).quantize(services.CENT),
            kind="prepayment",
            paid_on=datetime.date(YEAR, 3, 1),
            payee=school.name,
        )


def _schools():
    tianhe = District.objects.filter(code="tianhe").first()
    if tianhe is None:
        return
    schools = School.objects.filter(district=tianhe).order_by("pk")[: len(SCHOOLS)]
    for school, (public, training) in zip(schools, SCHOOLS, strict=False):
        BudgetFigure.objects.get_or_create(
            year=YEAR,
            kind="public_fund_budget",
            district=tianhe,
            school=school,
            defaults={"amount": D(public)},
        )
        _line(
            year=YEAR,
            holder_kind=HolderKind.SCHOOL,
            school=school,
            source=FundingSource.SCHOOL_PUBLIC,
            name=f"{school.name}{YEAR}年教师培训经费",
            amount=training,
        )
