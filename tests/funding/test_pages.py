"""Funding pages: scope, the rules shown with their figures, constant queries."""

from decimal import Decimal

import pytest

from funding import services
from funding.models import BudgetFigure, FundingSource, HolderKind
from tests.contracts import NOBODY_OUTSIDE, PageContract, assert_constant_queries
from tests.factories import SchoolFactory

D = Decimal
pytestmark = pytest.mark.django_db


def district_line(district, amount="1000000", name=None):
    return services.create_line(
        year=2026,
        holder_kind=HolderKind.DISTRICT,
        district=district,
        source=FundingSource.DISTRICT,
        name=name or f"{district.name}教师培训经费",
        amount=amount,
    )


class TestLineListPage(PageContract):
    permitted = "district_a"
    outside = "district_b"
    forbidden = "teacher_a"

    def url(self, world):
        return "/funding/"

    def outside_url(self, world):
        return district_line(world.district_a).get_absolute_url()


class TestLineDetailPage(PageContract):
    permitted = "school_a"
    outside = "district_b"
    forbidden = "vendor"

    def url(self, world):
        line = services.create_line(
            year=2026,
            holder_kind=HolderKind.SCHOOL,
            school=world.school_a,
            source=FundingSource.SCHOOL_PUBLIC,
            name="校本培训经费",
            amount="50000",
        )
        return line.get_absolute_url()


class TestDistrictBookPage(PageContract):
    permitted = "district_a"
    outside = "district_b"
    forbidden = "teacher_a"

    def url(self, world):
        return f"/funding/book/district/{world.district_a.pk}/?year=2026"


class TestOverviewPage(PageContract):
    permitted = "bureau"
    outside = NOBODY_OUTSIDE
    forbidden = "district_a"  # a district has its own book, not the city's overview

    def url(self, world):
        return "/funding/overview/"


def test_line_detail_shows_allocations_payments_and_reversals(world, login, sub):
    line = district_line(world.district_a)
    a = services.allocate(line=line, subproject=sub, amount="300000")
    paid = services.disburse(allocation=a, amount="100000", kind="prepayment", payee="机构甲")
    services.reverse_disbursement(disbursement=paid, amount="5000", reason="多付退回")
    services.allocate(line=line, center=world.district_center_a, amount="600000")
    page = login(world.user("district_a")).get(line.get_absolute_url()).content.decode()
    assert "¥1,000,000.00" in page and "¥100,000.00" in page and "-¥5,000.00" in page
    assert "¥205,000.00" in page  # left to pay on the sub-project after the refund
    assert "¥100,000.00" in page and world.district_center_a.name in page


def test_district_book_shows_each_rule_passing_or_failing(world, login, sub):
    line = district_line(world.district_a, amount="1000000")
    BudgetFigure.objects.create(
        year=2026, kind="teacher_payroll", district=world.district_a, amount=D("40000000")
    )
    services.allocate(line=line, center=world.district_center_a, amount="500000")
    page = (
        login(world.user("district_a"))
        .get(f"/funding/book/district/{world.district_a.pk}/?year=2026")
        .content.decode()
    )
    assert 'data-rule="district-payroll" data-passed="yes"' in page  # 2.50 %
    assert "2.50%" in page
    assert 'data-rule="training-school-sixty" data-passed="no"' in page  # 50.00 %
    assert "50.00%" in page


def test_school_book_shows_the_five_percent_rule(world, login):
    BudgetFigure.objects.create(
        year=2026,
        kind="public_fund_budget",
        district=world.district_a,
        school=world.school_a,
        amount=D("1000000"),
    )
    services.create_line(
        year=2026,
        holder_kind=HolderKind.SCHOOL,
        school=world.school_a,
        source=FundingSource.SCHOOL_PUBLIC,
        name="教师培训经费",
        amount="48000",
    )
    page = (
        login(world.user("school_a"))
        .get(f"/funding/book/school/{world.school_a.pk}/?year=2026")
        .content.decode()
    )
    assert 'data-rule="school-five-percent" data-passed="no"' in page and "4.80%" in page
    other = SchoolFactory(district=world.district_b)
    assert login(world.user("school_a")).get(f"/funding/book/school/{other.pk}/").status_code == 404


def test_overview_shows_rates_and_investment(world, login, sub):
    line = district_line(world.district_a, amount="200000")
    a = services.allocate(line=line, subproject=sub, amount="200000")
    services.disburse(allocation=a, amount="200000", kind="final")
    page = login(world.user("bureau")).get("/funding/overview/?year=2026").content.decode()
    assert "100.0%" in page and world.district_a.name in page


def test_lists_make_constant_queries(world, login):
    client = login(world.user("bureau"))
    n = iter(range(1000))

    def add_rows(count):
        for _ in range(count):
            i = next(n)
            district_line(world.district_a, name=f"经费{i}")
            services.create_line(
                year=2026,
                holder_kind=HolderKind.SCHOOL,
                school=world.school_a,
                source=FundingSource.SCHOOL_PUBLIC,
                name=f"校本{i}",
                amount="100",
            )

    add_rows(1)  # an empty list skips its table
    assert_constant_queries(client, "/funding/", add_rows)
    assert_constant_queries(client, "/funding/overview/?year=2026", add_rows)
    assert_constant_queries(client, f"/funding/book/district/{world.district_a.pk}/", add_rows)
