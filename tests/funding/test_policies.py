"""The three funding rules, computed on fixtures with known answers."""

from decimal import Decimal

import pytest

from centers.models import School
from funding import services
from funding.models import BudgetFigure, FundingSource, HolderKind, PolicyMetric, PolicyRule
from tests.factories import SchoolFactory

D = Decimal
pytestmark = pytest.mark.django_db


def school_year(school, public_budget, *training):
    BudgetFigure.objects.create(
        year=2026,
        kind="public_fund_budget",
        district=school.district,
        school=school,
        amount=D(public_budget),
    )
    for amount in training:
        services.create_line(
            year=2026,
            holder_kind=HolderKind.SCHOOL,
            school=school,
            source=FundingSource.SCHOOL_PUBLIC,
            name="教师培训经费",
            amount=amount,
        )


def by_metric(checks):
    return {c.rule.metric: c for c in checks}


def test_rules_are_loaded_as_data():
    assert {r.metric: r.threshold for r in PolicyRule.objects.filter(district=None)} == {
        "school_training_share": D("5.00"),
        "district_payroll_share": D("2.50"),
        "training_school_share": D("60.00"),
    }


def test_school_five_percent(world):
    passing, failing = world.school_a, world.school_a2
    school_year(passing, "2000000", "60000", "40000")  # 100,000 / 2,000,000 = 5.00 %
    school_year(failing, "1500000", "74000")  # 4.93 %
    check = by_metric(services.evaluate_policies(holder=passing, year=2026))[
        "school_training_share"
    ]
    assert (check.numerator, check.denominator, check.value) == (
        D("100000.00"),
        D("2000000.00"),
        D("5.00"),
    )
    assert check.passes
    check = services.evaluate_policies(holder=failing, year=2026)[0]
    assert check.value == D("4.93") and not check.passes
    # no public-fund figure: unknown, and not passing
    unknown = services.evaluate_policies(
        holder=SchoolFactory(district=world.district_b), year=2026
    )[0]
    assert unknown.value is None and not unknown.known and not unknown.passes


def test_district_payroll_share_and_own_share(world, district_line):
    BudgetFigure.objects.create(
        year=2026, kind="teacher_payroll", district=world.district_a, amount=D("45000000")
    )
    check = by_metric(services.evaluate_policies(holder=world.district_a, year=2026))[
        "district_payroll_share"
    ]
    # ¥1,000,000 of ¥45,000,000 = 2.22 %: fails 2.5 %
    assert check.value == D("2.22") and check.rule.threshold == D("2.5") and not check.passes
    # the district sets its own share (as Hezhou's 2 %): the same figures pass
    services.set_district_share(
        district=world.district_a, metric=PolicyMetric.DISTRICT_PAYROLL_SHARE, threshold="2"
    )
    check = by_metric(services.evaluate_policies(holder=world.district_a, year=2026))[
        "district_payroll_share"
    ]
    assert check.rule.threshold == D("2") and check.passes
    # the other district keeps the general rule
    other = by_metric(services.evaluate_policies(holder=world.district_b, year=2026))
    assert other["district_payroll_share"].rule.threshold == D("2.5")


def test_sixty_percent_to_the_training_school(world, district_line, sub):
    services.allocate(line=district_line, center=world.district_center_a, amount="550000")
    services.allocate(line=district_line, subproject=sub, amount="200000")
    check = by_metric(services.evaluate_policies(holder=world.district_a, year=2026))[
        "training_school_share"
    ]
    assert (check.numerator, check.denominator, check.value) == (
        D("550000.00"),
        D("1000000.00"),
        D("55.00"),
    )
    assert not check.passes
    services.allocate(line=district_line, center=world.district_center_a, amount="50000")
    check = by_metric(services.evaluate_policies(holder=world.district_a, year=2026))[
        "training_school_share"
    ]
    assert check.value == D("60.00") and check.passes
    # a reversal counts against it
    a = services.allocate(line=district_line, center=world.district_center_a, amount="10000")
    services.reverse_allocation(allocation=a, amount="10000", reason="调整")
    check = by_metric(services.evaluate_policies(holder=world.district_a, year=2026))[
        "training_school_share"
    ]
    assert check.value == D("60.00")


def test_execution_and_investment_figures(world, line, sub):
    from funding.models import BudgetLine, Purpose

    a = services.allocate(line=line, subproject=sub, amount="80000")
    services.disburse(allocation=a, amount="40000", kind="prepayment")
    services.disburse(allocation=a, amount="10000", kind="final")
    ex = services.execution(BudgetLine.objects.all())
    assert (ex.budget, ex.allocated, ex.disbursed, ex.rate, ex.allocation_rate) == (
        D("100000.00"),
        D("80000.00"),
        D("50000.00"),
        D("50.0"),
        D("80.0"),
    )
    by_holder = services.execution_by_holder(BudgetLine.objects.all())
    assert [(h.lines, h.budget, h.rate) for h in by_holder] == [(1, D("100000.00"), D("50.0"))]
    for center, amount, year in (
        (world.center_a, "1000000", 2018),
        (world.district_center_a, "2500000", 2019),
        (world.district_center_a, "700000", 2017),
    ):
        building = services.create_line(
            year=year,
            holder_kind=HolderKind.CENTER,
            center=center,
            source=FundingSource.MUNICIPAL,
            purpose=Purpose.CENTER_BUILDING,
            name="中心硬软件建设",
            amount=amount,
        )
        alloc = services.allocate(line=building, center=center, amount=amount)
        services.disburse(allocation=alloc, amount=amount, kind="other")
    assert services.investment_to_date(since=2018) == {
        "municipal": D("1000000.00"),
        "district": D("2500000.00"),
    }


def _as_rows(own, per_school):
    return [(c.rule.pk, c.numerator, c.denominator, c.value) for c in own] + [
        (pk, name, c.rule.pk, c.numerator, c.denominator, c.value) for pk, name, c in per_school
    ]


def test_district_checks_give_the_figures_of_the_rules_one_by_one(
    world, district_line, sub, django_assert_num_queries
):
    """The dashboard's one pass over a district's book (``district_checks``)
    equals ``evaluate_policies`` of the district and of each school (the same
    ``_book`` statement, narrowed to one holder), in two queries whatever the number of
    schools; a reversal and the district's own share count."""
    BudgetFigure.objects.create(
        year=2026, kind="teacher_payroll", district=world.district_a, amount=D("45000000")
    )
    services.set_district_share(
        district=world.district_a, metric=PolicyMetric.DISTRICT_PAYROLL_SHARE, threshold="2"
    )
    services.allocate(line=district_line, center=world.district_center_a, amount="550000")
    services.allocate(line=district_line, subproject=sub, amount="200000")
    a = services.allocate(line=district_line, center=world.district_center_a, amount="10000")
    services.reverse_allocation(allocation=a, amount="4000", reason="调整")
    school_year(world.school_a, "2000000", "60000", "40000")
    school_year(world.school_a2, "1500000", "74000")
    SchoolFactory(district=world.district_a)  # no figure: unknown

    def expected(year=2026):
        own = services.evaluate_policies(holder=world.district_a, year=year)
        return [(c.rule.pk, c.numerator, c.denominator, c.value) for c in own] + [
            (s.pk, s.name, c.rule.pk, c.numerator, c.denominator, c.value)
            for s in School.objects.filter(district=world.district_a).order_by("name", "pk")
            for c in services.evaluate_policies(holder=s, year=year)
        ]

    with django_assert_num_queries(2):
        got = services.district_checks(world.district_a, 2026)
    assert _as_rows(*got) == expected()
    to_school = by_metric(got[0])["training_school_share"]
    assert (to_school.numerator, to_school.value) == (D("556000.00"), D("55.60"))
    assert by_metric(got[0])["district_payroll_share"].rule.threshold == D("2")
    assert [c.known for _pk, _n, c in got[1]].count(False) >= 1
    for _ in range(3):
        school_year(SchoolFactory(district=world.district_a), "1000000", "50000")
    with django_assert_num_queries(2):
        got = services.district_checks(world.district_a, 2026)
    assert _as_rows(*got) == expected()
    # A year without a district training line: no allocations to read.
    BudgetFigure.objects.create(
        year=2025, kind="teacher_payroll", district=world.district_a, amount=D("45000000")
    )
    with django_assert_num_queries(2):
        got = services.district_checks(world.district_a, 2025)
    assert _as_rows(*got) == expected(2025)
