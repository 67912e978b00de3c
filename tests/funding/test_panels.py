"""Funding's dashboard charts: budget execution and disbursement rate within
the viewer's scope, a district's rules with their figures, the investment in
the centers, the monthly disbursement-rate figure, constant query counts."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards import services as dashboards
from dashboards.models import MonthlySnapshot
from funding import services
from funding.models import BudgetFigure, FigureKind, FundingSource, HolderKind, Purpose
from tests.contracts import assert_constant_queries
from tests.factories import SchoolFactory

D = Decimal
pytestmark = pytest.mark.django_db


def chart_data(response) -> dict:
    html = response.content.decode()
    found = re.findall(
        r'<script id="chart-data-([\w-]+)" type="application/json">(.*?)</script>', html, re.S
    )
    return {key: json.loads(body) for key, body in found}


def dashboard(key, **query):
    url = reverse("dashboards:dashboard", args=[key])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def district_line(district, amount, year=2026):
    return services.create_line(
        year=year,
        holder_kind=HolderKind.DISTRICT,
        district=district,
        source=FundingSource.DISTRICT,
        name=f"{year}年{district.name}教师培训经费",
        amount=amount,
    )


def school_line(school, amount, year=2026):
    return services.create_line(
        year=year,
        holder_kind=HolderKind.SCHOOL,
        school=school,
        source=FundingSource.SCHOOL_PUBLIC,
        name=f"{school.name}校本培训",
        amount=amount,
    )


@pytest.fixture
def money(world, sub):
    """天河: ¥1M, ¥600k to its training school, ¥300k of it paid; payroll
    ¥50M (2 %, fails 2.5 %); 天河第一小学 ¥52k of ¥1M (passes 5 %).
    海珠: ¥500k, ¥100k paid. The bureau's center-building line paid ¥200k."""
    tianhe = district_line(world.district_a, "1000000")
    to_school = services.allocate(line=tianhe, center=world.district_center_a, amount="600000")
    services.disburse(allocation=to_school, amount="300000", kind="progress")
    BudgetFigure.objects.create(
        year=2026, kind=FigureKind.TEACHER_PAYROLL, district=world.district_a, amount="50000000"
    )
    school_line(world.school_a, "52000")
    BudgetFigure.objects.create(
        year=2026,
        kind=FigureKind.PUBLIC_FUND_BUDGET,
        district=world.district_a,
        school=world.school_a,
        amount="1000000",
    )
    haizhu = district_line(world.district_b, "500000")
    a = services.allocate(line=haizhu, subproject=sub, amount="200000")
    services.disburse(allocation=a, amount="100000", kind="prepayment")
    building = services.create_line(
        year=2025,
        holder_kind=HolderKind.BUREAU,
        source=FundingSource.MUNICIPAL,
        purpose=Purpose.CENTER_BUILDING,
        name="2025年中心建设",
        amount="300000",
    )
    b = services.allocate(line=building, center=world.center_a, amount="200000")
    services.disburse(allocation=b, amount="200000", kind="final")
    return tianhe


def test_bureau_sees_every_holders_execution_and_rate(world, money, login):
    data = chart_data(login(world.user("bureau")).get(dashboard("bureau", year=2026)))
    execution = data["funding-execution"]
    columns = zip(*(s["data"] for s in execution["series"]), strict=True)
    rows = dict(zip(execution["categories"], columns, strict=True))
    assert rows["天河区"] == (100.0, 60.0, 30.0)  # 万元: budget, allocated, paid
    assert rows["海珠区"] == (50.0, 20.0, 10.0)
    assert rows["天河第一小学"] == (5.2, 0.0, 0.0)
    rates = data["funding-disbursement-rate"]
    by_holder = dict(zip(rates["categories"], rates["series"][0]["data"], strict=True))
    assert by_holder["天河区"] == 30.0 and by_holder["海珠区"] == 20.0
    by_year = data["funding-rate-by-year"]
    assert by_year["categories"] == ["2022", "2023", "2024", "2025", "2026"]
    # 2025: the center-building line, ¥200k of ¥300k paid.
    assert by_year["series"][0]["data"][3] == pytest.approx(66.7)
    investment = data["funding-investment"]
    assert investment["series"][0]["data"] == [20.0, 0.0]
    # The rules are a district's chart, not the city's.
    assert "funding-rules" not in data


def test_bureau_filter_narrows_to_a_district(world, money, login):
    url = dashboard("bureau", year=2026, district=world.district_b.pk)
    data = chart_data(login(world.user("bureau")).get(url))
    assert data["funding-execution"]["categories"] == ["海珠区"]


def test_a_district_sees_only_its_own_and_its_rules(world, money, login):
    response = login(world.user("district_a")).get(dashboard("district", year=2026))
    assert response.status_code == 200
    data = chart_data(response)
    assert set(data["funding-execution"]["categories"]) == {"天河区", "天河第一小学"}
    assert "海珠" not in response.content.decode()
    assert "funding-investment" not in data
    rules = data["funding-rules"]
    values = dict(zip(rules["categories"], rules["series"][0]["data"], strict=True))
    required = dict(zip(rules["categories"], rules["series"][1]["data"], strict=True))
    assert values["天河区 · ≥2.5% · 未达标"] == 2.0
    assert required["天河区 · ≥2.5% · 未达标"] == 2.5
    assert values["天河区 · ≥60% · 达标"] == 60.0
    assert values["天河第一小学 · ≥5% · 达标"] == 5.2
    assert values["天河实验小学 · ≥5% · 缺少数据"] is None
    html = response.content.decode()
    assert f"/funding/book/district/{world.district_a.pk}/?year=2026" in html


def test_a_district_filter_outside_its_scope_widens_nothing(world, money, login):
    response = login(world.user("district_a")).get(
        dashboard("district", year=2026, district=world.district_b.pk)
    )
    data = chart_data(response)
    assert "海珠区" not in data["funding-execution"]["categories"]
    assert "天河区" in data["funding-execution"]["categories"]


def test_the_monthly_snapshot_keeps_the_disbursement_rate(world, money):
    import datetime

    dashboards.take_snapshot(on=datetime.date(2026, 6, 15))
    rows = {
        r.district_id: r.value
        for r in MonthlySnapshot.objects.filter(key="funding-disbursement-rate")
    }
    assert rows[world.district_a.pk] == D("28.5")  # ¥300k of ¥1.052M
    assert rows[world.district_b.pk] == D("20.0")
    assert rows[None] == D("25.8")  # ¥400k of ¥1.552M


@pytest.mark.parametrize("actor,key", [("bureau", "bureau"), ("district_a", "district")])
def test_constant_queries(world, money, login, actor, key, sub):
    def more(n):
        for _ in range(n):
            school = SchoolFactory(district=world.district_a)
            school_line(school, "10000")
            BudgetFigure.objects.create(
                year=2026,
                kind=FigureKind.PUBLIC_FUND_BUDGET,
                district=world.district_a,
                school=school,
                amount="100000",
            )
            line = district_line(world.district_b, "10000")
            a = services.allocate(line=line, subproject=sub, amount="5000")
            services.disburse(allocation=a, amount="1000", kind="progress")

    client = login(world.user(actor))
    assert_constant_queries(client, dashboard(key, year=2026), more, more=3)


@pytest.mark.parametrize("actor", ["bureau", "district_a"])
def test_execution_and_rate_per_holder_share_one_read(world, money, actor):
    """The two per-holder charts read the year's lines once a request, and
    show what ``execution_by_holder`` gives; its rows still link each
    holder's book."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.charts import Filters, charts
    from core.permissions import get_scope
    from funding.models import BudgetLine

    user = get_user_model().objects.get(pk=world.user(actor).pk)
    get_scope(user)  # the request's memberships, read once before any panel
    filters = Filters(year=2026)
    with CaptureQueriesContext(connection) as queries:
        execution = charts.get("funding-execution").figures(user, filters)
        rates = charts.get("funding-disbursement-rate").figures(user, filters)
    assert len(queries) == 1
    rows = services.execution_by_holder(BudgetLine.objects.restrict(user), year=2026)
    assert execution.categories == rates.categories == [r.label for r in rows]
    assert rates.series[0].data == [r.rate for r in rows]
    urls = {r.label: r.url for r in rows}
    assert urls["天河区"] == f"/funding/book/district/{world.district_a.pk}/?year=2026"
    assert urls["天河第一小学"] == f"/funding/book/school/{world.school_a.pk}/?year=2026"
