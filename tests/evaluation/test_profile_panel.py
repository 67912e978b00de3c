"""The principals' profile per district on the dashboards (issue 16): each
district's latest closed campaign, the mean of its principals' stored
dimension scores as a heat map district × dimension with its table and
Excel; read from the stored scores in a fixed number of queries; a
district's staff see their district only."""

import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from evaluation import services
from evaluation.models import Appraisee, Campaign, CampaignStatus, Dimension
from tests.contracts import assert_constant_queries
from tests.factories import DistrictFactory, SchoolFactory

pytestmark = pytest.mark.django_db

KEY = "evaluation-principals-profile"
DIMS = Dimension.values


def stored(appraisee, value, **others):
    """The scores as the worker stores them (only the part the panel reads)."""
    dims = {d: (f"{others[d]:.2f}" if d in others else f"{value:.2f}") for d in DIMS}
    if others.get("none"):
        dims[others["none"]] = None
    appraisee.scores = {"dims": dims, "score": None}
    appraisee.save(update_fields=["scores"])


def campaign(district, term, by, scores, status=CampaignStatus.CLOSED):
    c = services.start_campaign(district=district, term=term, by=by, min_answers=1)
    for i, value in enumerate(scores):
        school = SchoolFactory(district=district, name=f"{district.name}{term}学校{i}")
        a = services.add_principal(campaign=c, school=school, name=f"校长{i}", by=by)
        if isinstance(value, dict):
            stored(a, 0, **value)
        else:
            stored(a, value)
    Campaign.objects.filter(pk=c.pk).update(status=status)
    return c


@pytest.fixture
def profiles(world):
    bureau = world.user("bureau")
    # 天河区: an older closed campaign, the latest closed one, and a newer open one.
    campaign(world.district_a, "2020—2023", bureau, [2, 2])
    # Its latest: a principal at 4, one at 3 with no 学校发展 score (no group at the minimum).
    three = {**dict.fromkeys(DIMS, 3), "none": "school"}
    campaign(world.district_a, "2023—2026", bureau, [4, three])
    campaign(world.district_a, "2026—2029", bureau, [1], status=CampaignStatus.OPEN)
    campaign(world.district_b, "2023—2026", bureau, [5])


def dashboard(key, **query):
    url = reverse("dashboards:dashboard", args=[key])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def chart(response):
    html = response.content.decode()
    found = re.search(
        rf'<script id="chart-data-{KEY}" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(found.group(1)) if found else None


def sheet_rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_the_bureau_reads_each_districts_latest_closed_campaign(world, profiles, login):
    response = login(world.user("bureau")).get(dashboard("bureau"))
    assert response.status_code == 200
    fig = chart(response)
    assert fig["kind"] == "heatmap" and (fig["low"], fig["high"]) == (1, 5)
    assert fig["categories"] == ["天河区(2023—2026)", "海珠区(2023—2026)"]
    by_row = {s["name"]: s["data"] for s in fig["series"]}
    assert len(by_row) == 5 and "师德表现" in by_row
    assert by_row["师德表现"] == [3.5, 5.0]  # the mean of 4 and 3; the one principal's 5
    assert by_row["学校发展"] == [4.0, 5.0]  # a principal without the score is left out
    # Its table beside the chart holds the same figures.
    html = response.content.decode()
    assert f'data-chart-card="{KEY}"' in html
    assert '<th scope="row">天河区(2023—2026)</th>' in html
    # The district filter narrows it.
    fig = chart(login(world.user("bureau")).get(dashboard("bureau", district=world.district_b.pk)))
    assert fig["categories"] == ["海珠区(2023—2026)"]


def test_a_district_sees_its_own_district_only(world, profiles, login):
    client = login(world.user("district_a"))
    fig = chart(client.get(dashboard("district")))
    assert fig["categories"] == ["天河区(2023—2026)"]
    # Asking for another district through the URL changes nothing.
    fig = chart(client.get(dashboard("district", district=world.district_b.pk)))
    assert fig["categories"] == ["天河区(2023—2026)"]
    xlsx = client.get(reverse("dashboards:chart-xlsx", args=["district", KEY]))
    cells = [
        c
        for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)
        for c in row
    ]
    assert "天河区(2023—2026)" in cells and "海珠区(2023—2026)" not in cells
    # Roles without the campaigns do not get the panel.
    center = login(world.user("center_a")).get(dashboard("center"))
    assert center.status_code == 200 and chart(center) is None


def test_the_excel_holds_the_table(world, profiles, login):
    response = login(world.user("bureau")).get(
        reverse("dashboards:chart-xlsx", args=["bureau", KEY])
    )
    assert response.status_code == 200
    rows = [
        list(r)
        for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    ]
    header = next(r for r in rows if r[0] in ("", None) and "师德表现" in r)
    assert header[1:] == ["师德表现", "学习成果", "学校发展", "教师发展", "学生发展"]
    assert ["天河区(2023—2026)", 3.5, 3.5, 4, 3.5, 3.5] in rows
    assert ["海珠区(2023—2026)", 5, 5, 5, 5, 5] in rows


def test_fixed_queries_and_no_raw_ratings(world, profiles, login):
    bureau = world.user("bureau")
    made = []

    def more(n):
        for _i in range(n):
            district = DistrictFactory()
            made.append(campaign(district, "2023—2026", bureau, [3, 4, 5]))

    client = login(bureau)
    assert_constant_queries(client, dashboard("bureau"), more, more=3)
    assert len(made) == 3
    with CaptureQueriesContext(connection) as ctx:
        client.get(dashboard("bureau"))
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "evaluation_rating" not in sql and "evaluation_ratertoken" not in sql
    assert Appraisee.objects.count() == 6 + 9
