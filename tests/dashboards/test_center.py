"""The center dashboard's own charts: the sub-projects the center runs (status,
trainees, seats) and its vendors' scores beside their record; only the
center's own; a fixed query count."""

from decimal import Decimal

import pytest
from django.utils import timezone

from evaluation.models import ProjectScore
from tests.contracts import assert_constant_queries
from tests.factories import VendorFactory
from tests.training.factories import SubProjectFactory
from training.models import SubProjectStatus

from .conftest import enrolled
from .test_dashboards import chart_data, url

pytestmark = pytest.mark.django_db


def scored(sub, vendor, score):
    sub.vendor = vendor
    sub.save(update_fields=["vendor"])
    return ProjectScore.objects.create(
        subproject=sub, vendor=vendor, score=Decimal(score), computed_at=timezone.now()
    )


def test_center_sees_its_projects_and_vendors(world, figures, login):
    year = figures.project.plan.year
    other = SubProjectFactory(
        center=world.center_b, status=SubProjectStatus.RUNNING, project=figures.project
    )
    enrolled(other, world.teacher_a)
    scored(figures, world.vendor, "90")
    # The same vendor elsewhere (another center's project): its record, not "ours".
    scored(other, world.vendor, "70")
    response = login(world.user("center_a")).get(url("center", year=year))
    data = chart_data(response)
    projects = data["center-projects"]
    assert projects["categories"] == [f"{figures.name} · 实施中"]
    assert projects["series"][0]["data"] == [2] and projects["series"][1]["data"] == [50]
    vendors = data["center-vendor-scores"]
    assert vendors["categories"] == [world.vendor.name]
    assert vendors["series"][0]["data"] == [90.0]  # on center A's project
    assert vendors["series"][1]["data"] == [80.0]  # over every project
    html = response.content.decode()
    assert f'<th scope="row">{figures.name} · 实施中</th>' in html
    # Center B sees its own project only; the bureau's dashboard has no such chart.
    data_b = chart_data(login(world.user("center_b")).get(url("center", year=year)))
    assert data_b["center-projects"]["categories"] == [f"{other.name} · 实施中"]
    assert data_b["center-projects"]["series"][0]["data"] == [1]
    assert data_b["center-vendor-scores"]["series"][0]["data"] == [70.0]
    bureau = chart_data(login(world.user("bureau")).get(url("bureau", year=year)))
    assert "center-projects" not in bureau and "center-vendor-scores" not in bureau


def test_center_charts_constant_queries(world, figures, login):
    year = figures.project.plan.year

    def add(n):
        for i in range(n):
            sub = SubProjectFactory(
                center=world.center_a, status=SubProjectStatus.APPROVED, project=figures.project
            )
            enrolled(sub, world.teacher_b)
            scored(sub, VendorFactory(name=f"机构{i}"), "75")

    scored(figures, world.vendor, "90")
    client = login(world.user("center_a"))
    assert_constant_queries(client, url("center", year=year), add, more=3)
    data = chart_data(client.get(url("center", year=year)))
    assert len(data["center-projects"]["categories"]) == 4
    assert len(data["center-vendor-scores"]["categories"]) == 4
    # No vendor scored yet: the chart shows its empty state.
    ProjectScore.objects.all().delete()
    html = client.get(url("center", year=year)).content.decode()
    assert 'data-chart-panel="center-vendor-scores"' in html
    assert "center-vendor-scores" not in chart_data(client.get(url("center", year=year)))
