"""The dashboards: who reads which, what each chart shows within the
viewer's scope, fixed query counts, Excel of a chart, and the monthly
snapshot."""

import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.charts import Figures, Series, charts, figures_workbook
from dashboards import services
from dashboards.models import MonthlySnapshot
from tests.contracts import assert_constant_queries

from .conftest import award

pytestmark = pytest.mark.django_db


def url(key, **query):
    base = reverse("dashboards:dashboard", args=[key])
    if query:
        base += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return base


def chart_data(response) -> dict:
    """{panel key: the figures in its json_script element}."""
    html = response.content.decode()
    found = re.findall(
        r'<script id="chart-data-([\w-]+)" type="application/json">(.*?)</script>', html, re.S
    )
    return {key: json.loads(body) for key, body in found}


def test_bureau_sees_the_city_charts(world, figures, login):
    response = login(world.user("bureau")).get(url("bureau"))
    assert response.status_code == 200
    data = chart_data(response)
    assert {
        "centers-standards",
        "credits-completion-rate",
        "credits-hours",
        "training-trainees",
    } <= set(data)
    html = response.content.decode()
    assert 'data-chart="chart-data-credits-hours"' in html
    assert "vendor/echarts/echarts.min.js" in html and "js/charts.js" in html
    # Per district, city-wide; the table beside the chart holds the same figures.
    hours = data["credits-hours"]
    assert hours["categories"] == ["天河区", "海珠区"]
    assert hours["series"][0]["data"] == [120.0, 30.0]
    assert "<caption" in html and '<th scope="row">天河区</th>' in html
    trainees = data["training-trainees"]
    assert trainees["categories"][-1] == "2026"
    municipal = next(
        s for s in trainees["series"] if "市培" in s["name"] or "Municipal" in s["name"]
    )
    assert municipal["data"][-1] == 2
    # No inline script besides the JSON data elements (CSP).
    assert not re.search(r"<script(?![^>]*(src=|application/json))", html)


def test_index_sends_each_role_to_its_dashboard(world, login):
    for actor, key in (("bureau", "bureau"), ("district_a", "district"), ("center_a", "center")):
        response = login(world.user(actor)).get(reverse("dashboards:index"))
        assert response.status_code == 302
        assert response["Location"] == url(key)


@pytest.mark.parametrize("actor", ["teacher_a", "school_a", "vendor", "outsider"])
def test_other_roles_are_refused(world, login, actor):
    client = login(world.user(actor))
    assert client.get(reverse("dashboards:index")).status_code == 403
    for key in ("bureau", "district", "center"):
        assert client.get(url(key)).status_code == 403


def test_signed_out_goes_to_login(world, client):
    response = client.get(url("bureau"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_district_reads_its_dashboard_not_the_bureaus(world, figures, login):
    client = login(world.user("district_a"))
    assert client.get(url("bureau")).status_code == 403
    assert client.get(url("nonesuch")).status_code == 404
    response = client.get(url("district"))
    assert response.status_code == 200
    data = chart_data(response)
    # Its schools only, never the other district's.
    hours = data["credits-hours"]
    assert set(hours["categories"]) <= {"天河第一小学", "天河实验小学"}
    assert "天河第一小学" in hours["categories"]
    html = response.content.decode()
    assert "海珠" not in html
    trainees = data["training-trainees"]
    assert sum(sum(v for v in s["data"] if v) for s in trainees["series"]) == 1
    # Its own center's standards, not the 17.
    assert data["centers-standards"]["categories"] == [world.district_center_a.name]


def test_a_district_filter_outside_the_scope_is_ignored(world, figures, login):
    response = login(world.user("district_a")).get(
        url("district", district=world.district_b.pk, year="abc", level="nonesuch")
    )
    assert response.status_code == 200
    data = chart_data(response)
    assert "海珠第一小学" not in data["credits-hours"]["categories"]
    # The wrong values are marked on the form (docs/ui.md), never a silent widening.
    assert "is-invalid" in response.content.decode()


def test_bureau_filters_by_district_and_level(world, figures, login):
    client = login(world.user("bureau"))
    data = chart_data(client.get(url("bureau", district=world.district_b.pk)))
    assert data["credits-hours"]["categories"] == ["海珠第一小学"]
    trainees = data["training-trainees"]
    assert sum(sum(s["data"]) for s in trainees["series"]) == 1
    response = client.get(url("bureau", level="national"))
    # No national trainees: the panel says so instead of drawing an empty chart.
    assert "training-trainees" not in chart_data(response)
    assert 'data-chart-panel="training-trainees"' in response.content.decode()
    data = chart_data(client.get(url("bureau", level="municipal")))
    assert [len(s["data"]) for s in data["training-trainees"]["series"]] == [5]
    # The filter is kept in the chart's Excel link.
    html = client.get(url("bureau", district=world.district_b.pk)).content.decode()
    assert f"district={world.district_b.pk}" in html


def test_center_dashboard(world, figures, login):
    response = login(world.user("center_a")).get(url("center"))
    assert response.status_code == 200
    data = chart_data(response)
    assert data["centers-standards"]["categories"] == [world.center_a.name]
    assert "credits-hours" not in data
    trainees = data["training-trainees"]
    assert sum(sum(s["data"]) for s in trainees["series"]) == 2  # its sub-project's


@pytest.mark.parametrize(
    "actor,key", [("bureau", "bureau"), ("district_a", "district"), ("center_a", "center")]
)
def test_constant_queries(world, figures, more, login, actor, key):
    client = login(world.user(actor))
    services.take_snapshot()
    queries = assert_constant_queries(client, url(key), lambda n: more(n, figures), more=3)
    print(f"{key} dashboard as {actor}: {queries} queries")


def test_chart_excel_download(world, figures, login):
    client = login(world.user("bureau"))
    response = client.get(reverse("dashboards:chart-xlsx", args=["bureau", "credits-hours"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert ["天河区", 120] in [r[:2] for r in rows]
    assert ["海珠区", 30] in [r[:2] for r in rows]
    # A district's Excel holds its figures only; another dashboard's chart: 403.
    district = login(world.user("district_a"))
    response = district.get(reverse("dashboards:chart-xlsx", args=["district", "credits-hours"]))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert "海珠第一小学" not in [c.value for row in ws.iter_rows() for c in row]
    assert (
        district.get(reverse("dashboards:chart-xlsx", args=["bureau", "credits-hours"])).status_code
        == 403
    )
    assert (
        district.get(reverse("dashboards:chart-xlsx", args=["district", "nonesuch"])).status_code
        == 404
    )


def test_figures_check_their_shape_and_make_a_workbook():
    with pytest.raises(ValueError):
        Figures(title="x", kind="sankey", categories=[], series=[])
    with pytest.raises(ValueError):
        Figures(title="x", kind="bar", categories=["a", "b"], series=[Series("s", [1])])
    figures = Figures(
        title="完成率", kind="pie", categories=["a"], series=[Series("s", [Decimal("1.5")])]
    )
    assert figures.as_json()["series"][0]["data"] == [1.5]
    ws = load_workbook(io.BytesIO(figures_workbook(figures))).active
    assert ws["A1"].value == "完成率"


OLD_TABLE = (
    '{% load portal %}<table class="table table-sm table-striped table-matrix small mb-1">'
    '<caption class="visually-hidden">{{ figures.title }}{% if figures.unit %} ({{ figures.unit }})'
    "{% endif %}</caption>"
    '<thead><tr>{% for h in figures.headers %}<th scope="col">{{ h }}</th>{% endfor %}</tr></thead>'
    "<tbody>{% for row in figures.rows %}<tr>{% for v in row %}{% if forloop.first %}"
    '<th scope="row">{{ v }}</th>{% else %}<td>{{ v|show }}</td>{% endif %}{% endfor %}</tr>'
    "{% endfor %}</tbody></table>"
)


def test_chart_table_is_built_in_one_pass_as_the_template_drew_it():
    """``Figures.table_html`` (the accessible table beside each chart) gives
    exactly what the former cell-by-cell template gave, escaped."""
    from django.template import engines

    figures = Figures(
        title="完成率 <b>",
        kind="bar",
        categories=["天河区", "<script>x</script>", "番禺 & 白云"],
        series=[
            Series("人数", [3, None, 0]),
            Series("率 <i>", [Decimal("12.50"), Decimal("0.0"), 1.25]),
        ],
        unit="%",
    )
    old = engines["django"].from_string(OLD_TABLE).render({"figures": figures})
    assert figures.table_html() == old
    assert "<script>" not in old and "&lt;script&gt;" in old
    assert '<th scope="row">天河区</th><td>3</td><td>12.5</td>' in old
    # Every kind of value a panel gives (the cells written without ``display``
    # among them: int, Decimal) reads as the template wrote it.
    from core.formats import Money

    values = [
        True, False, -4, 10**12, Decimal("1E+3"), Decimal("-0.50"), Decimal("-0"),
        Decimal("100"), Money("1234.5"), 2.0, "a<b>&'\"", "", datetime.date(2026, 1, 2),
    ]  # fmt: skip
    figures = Figures(
        title="t",
        kind="bar",
        categories=[str(i) for i in range(len(values))],
        series=[Series("v", values), Series("w", list(reversed(values)))],
    )
    assert figures.table_html() == (
        engines["django"].from_string(OLD_TABLE).render({"figures": figures})
    )


def test_snapshot_is_idempotent_and_closed_months_never_change(world, figures):
    november = datetime.date(2026, 11, 20)
    first = services.take_snapshot(november)
    rows = {(r.month, r.key, r.district_id): r.value for r in MonthlySnapshot.objects.all()}
    assert first["written"] == len(rows) > 0
    assert rows[(datetime.date(2026, 11, 1), "credits-average-hours", None)] == Decimal("75.00")
    assert rows[(datetime.date(2026, 11, 1), "training-trainees", world.district_a.pk)] == 1
    again = services.take_snapshot(november)
    assert again["written"] == 0
    assert {(r.month, r.key, r.district_id): r.value for r in MonthlySnapshot.objects.all()} == rows
    # December: November closes and keeps its figures; December follows the new ones.
    award(world.teacher_b, "90")
    december = services.take_snapshot(datetime.date(2026, 12, 3))
    assert december["closed"] == len(rows)
    nov = MonthlySnapshot.objects.get(
        month="2026-11-01", key="credits-average-hours", district=None
    )
    dec = MonthlySnapshot.objects.get(
        month="2026-12-01", key="credits-average-hours", district=None
    )
    assert nov.closed and nov.value == Decimal("75.00")
    assert not dec.closed and dec.value == Decimal("120.00")
    services.take_snapshot(datetime.date(2026, 11, 30))  # a late run for a closed month
    nov.refresh_from_db()
    assert nov.value == Decimal("75.00")


def test_trend_chart_reads_the_snapshots_in_scope(world, figures, login):
    services.take_snapshot(datetime.date(2026, 11, 20))
    services.take_snapshot(datetime.date(2026, 12, 3))
    data = chart_data(login(world.user("bureau")).get(url("bureau")))
    trend = data["trend-credits-average-hours"]
    assert trend["kind"] == "line"
    assert trend["categories"] == ["2026-11", "2026-12"]
    assert trend["series"][0]["data"] == [75.0, 75.0]
    data = chart_data(login(world.user("district_a")).get(url("district")))
    assert data["trend-credits-average-hours"]["series"][0]["data"] == [120.0, 120.0]


def test_every_chart_panel_names_known_dashboards():
    import re

    from django.urls import reverse

    keys = {d.key for d in services.DASHBOARDS}
    for panel in charts.panels.values():
        assert set(panel.dashboards) <= keys, panel.key
        # A slug, as the Excel address's pattern (the page writes it without reverse)
        assert re.fullmatch(r"[-a-zA-Z0-9_]+", panel.key), panel.key
        assert reverse("dashboards:chart-xlsx", args=["bureau", panel.key]).endswith(
            f"/charts/{panel.key}.xlsx"
        )


@pytest.mark.parametrize(
    "actor,key", [("bureau", "bureau"), ("district_a", "district"), ("center_a", "center")]
)
def test_dashboards_read_in_chinese(world, figures, login, actor, key):
    from tests.core.test_chinese_pages import english_words

    services.take_snapshot()
    html = login(world.user(actor)).get(url(key)).content.decode()
    assert english_words(html) == []
    assert "数据看板" in html


def test_home_links_to_the_dashboards(world, login):
    html = login(world.user("bureau")).get("/").content.decode()
    assert 'data-panel="dashboards-links"' in html and url("bureau") in html
    html = login(world.user("teacher_a")).get("/").content.decode()
    assert 'data-panel="dashboards-links"' not in html


@pytest.mark.parametrize("actor,key", [("bureau", "bureau"), ("district_a", "district")])
def test_the_credit_charts_read_the_standings(world, figures, more, login, actor, key):
    """Refreshed, the completion standings serve the same figures in fewer
    queries than computing them from the balances, and a fixed number."""
    from credits import services as credits
    from tests.contracts import count_queries

    client = login(world.user(actor))
    services.take_snapshot()
    count_queries(client, url(key))
    stale = count_queries(client, url(key))  # none stored yet: from the balances
    computed = chart_data(client.get(url(key)))
    credits.refresh_standings()
    fresh = count_queries(client, url(key))
    assert fresh < stale
    stored = chart_data(client.get(url(key)))
    for panel in ("credits-completion-rate", "credits-hours"):
        assert stored[panel] == computed[panel]

    def add(n):
        more(n, figures)
        credits.refresh_standings()

    assert assert_constant_queries(client, url(key), add, more=3) == fresh


def test_the_trend_charts_read_the_snapshots_in_one_query(world, figures):
    """The four trend charts of a dashboard share one read of the snapshots
    (``services.trends``), with each figure's months and values as read
    alone (``services.trend``)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.charts import Filters
    from core.permissions import get_scope

    services.take_snapshot(datetime.date(2026, 11, 20))
    award(world.teacher_a, "6")
    services.take_snapshot(datetime.date(2026, 12, 3))
    keys = [f.key for f in charts.snapshot_figures()]
    assert len(keys) >= 4
    for actor in ("bureau", "district_a"):
        user = get_user_model().objects.get(pk=world.user(actor).pk)  # a fresh request's user
        get_scope(user)  # the request's memberships, read once before any panel
        filters = Filters(year=2026)
        alone = {key: services.trend(user, key, filters) for key in keys}
        assert alone["credits-average-hours"][0] == ["2026-11", "2026-12"]
        with CaptureQueriesContext(connection) as queries:
            drawn = {key: charts.get(f"trend-{key}").figures(user, filters) for key in keys}
        assert len(queries) == 1
        for key in keys:
            assert drawn[key].categories == alone[key][0]
            assert drawn[key].series[0].data == alone[key][1]


def test_a_chart_draws_its_figures_table_and_links_every_text_escaped():
    """``Figures.figure_html`` is the one way a chart is drawn (the dashboards
    call it, the annual report and the evaluation pages through ``{% chart %}``):
    the drawing's element and its figures, the table, the note, the drill-down
    and the Excel link; the empty state without figures; every text escaped."""
    from django.template import Context, Template
    from django.utils import translation

    # The key from the context: a template's own literals are trusted text.
    tag = Template('{% load portal %}{% chart figures key "chart-data-k" excel_url %}')
    full = Figures(
        title="完成率 <b>",
        kind="bar",
        categories=["天河区", "<i>"],
        series=[Series("率", [Decimal("12.50"), None])],
        unit="%",
        note="注 <&>",
        drill_url="/credits/?a=1&b=<2>",
    )
    empty = Figures(title="t", kind="bar", categories=["a"], series=[Series("s", [0])], note="n")
    excel = "/dashboards/bureau/charts/k.xlsx?year=2026&level=x"
    with translation.override("zh-hans"):
        html = tag.render(Context({"figures": full, "key": "k-<1>", "excel_url": excel}))
        assert html == full.figure_html("k-<1>", "chart-data-k", excel)
        assert 'data-chart-panel="k-&lt;1&gt;"' in html
        assert 'data-chart="chart-data-k"' in html
        assert '<script id="chart-data-k" type="application/json">' in html
        assert "<b>" not in html and "<i>" not in html
        assert "&lt;i&gt;" in html  # the category, in the table
        assert "注 &lt;&amp;&gt;" in html
        assert 'href="/credits/?a=1&amp;b=&lt;2&gt;"' in html
        assert 'href="/dashboards/bureau/charts/k.xlsx?year=2026&amp;level=x"' in html
        assert "12.5" in html and "暂无" not in html
        bare = tag.render(Context({"figures": full, "key": "k-<1>", "excel_url": ""}))
        assert "data-chart-excel" not in bare
        nothing = tag.render(Context({"figures": empty, "key": "k-<1>", "excel_url": excel}))
        assert "chart-canvas" not in nothing and "data-chart-excel" not in nothing
        assert "empty-state" in nothing and ">n</span>" in nothing
    with translation.override("en"):
        nothing = tag.render(Context({"figures": empty, "key": "k-<1>", "excel_url": excel}))
        assert "No figures for these filters yet." in nothing
