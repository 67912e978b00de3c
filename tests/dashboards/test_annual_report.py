"""The alliance's annual statistics: a printable page for the bureau and the
secretariat with the year's figures, a fixed query count, the workbook the
export worker builds, and who is refused."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from alliance.models import Achievement, AchievementKind
from core.exports import registry, start_export
from core.models import ExportJob
from core.tasks import run_export_job
from tests.alliance.conftest import alliance, secretariat  # noqa: F401  (fixtures)
from tests.contracts import assert_constant_queries
from tests.factories import CenterFactory

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def report_url(year=YEAR):
    return reverse("dashboards:annual-report", args=[year])


def results(world):
    Achievement.objects.create(
        center=world.center_a, year=YEAR, kind=AchievementKind.PAPER, count=3
    )
    Achievement.objects.create(
        center=world.center_b, year=YEAR, kind=AchievementKind.PAPER, count=4
    )
    Achievement.objects.create(
        center=world.center_b, year=YEAR, kind=AchievementKind.AWARD, count=1
    )
    Achievement.objects.create(
        center=world.center_b, year=YEAR - 1, kind=AchievementKind.AWARD, count=9
    )


def test_bureau_reads_the_years_figures(world, alliance, figures, login):  # noqa: F811
    results(world)
    response = login(world.user("bureau")).get(report_url())
    assert response.status_code == 200
    report = response.context["report"]
    assert report.rollup.total == 8  # this year's only
    html = response.content.decode()
    assert re.search(r"data-report-total>\s*8\s*<", html)
    keys = {c.panel.key for c in report.charts}
    assert {"centers-standards", "training-trainees", "credits-hours"} <= keys
    hours = next(c for c in report.charts if c.panel.key == "credits-hours").figures
    assert hours.categories == ["天河区", "海珠区"]
    assert [float(v) for v in hours.series[0].data] == [120.0, 30.0]
    assert '<th scope="row">天河区</th>' in html
    assert "data-print" in html and "dashboards-annual-report" in html
    # Printable, no inline script or style (CSP); wide tables scroll inside their box.
    assert not re.search(r"<script(?![^>]*(src=|application/json))", html)
    assert "style=" not in html
    assert 'class="table-responsive report-table"' in html


def test_year_choice_redirects_and_unknown_years_are_not_found(world, login):
    client = login(world.user("bureau"))
    response = client.get(reverse("dashboards:annual-report") + f"?year={YEAR - 1}")
    assert response.status_code == 302 and response["Location"] == report_url(YEAR - 1)
    response = client.get(reverse("dashboards:annual-report") + "?year=abc")
    assert response["Location"] == report_url(YEAR)
    assert client.get(report_url(1990)).status_code == 404
    assert client.get(report_url(YEAR + 1)).status_code == 404


def test_the_secretariat_reads_it_others_are_refused(world, alliance, secretariat, login):  # noqa: F811
    results(world)
    response = login(secretariat).get(report_url())
    assert response.status_code == 200
    assert response.context["report"].rollup.total == 8  # the secretariat keeps every result
    for actor in ("district_a", "center_a", "school_a", "teacher_a", "vendor", "outsider"):
        assert login(world.user(actor)).get(report_url()).status_code == 403, actor
    assert (
        login(world.user("district_a")).get(reverse("dashboards:annual-report")).status_code == 403
    )
    exporter = registry.get("dashboards-annual-report")
    assert exporter.allowed(world.user("bureau")) and exporter.allowed(secretariat)
    assert not exporter.allowed(world.user("district_a"))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        start_export(
            user=world.user("district_a"),
            identifier="dashboards-annual-report",
            data={"year": YEAR},
        )


def test_constant_queries(world, alliance, figures, more, login):  # noqa: F811
    results(world)

    def add(n):
        more(n, figures)
        for i in range(n):
            center = CenterFactory(code=f"extra-{i}")
            Achievement.objects.create(
                center=center, year=YEAR, kind=AchievementKind.AWARD, count=2
            )

    queries = assert_constant_queries(login(world.user("bureau")), report_url(), add, more=3)
    print(f"annual report: {queries} queries")


def test_the_worker_builds_the_workbook(world, alliance, figures):  # noqa: F811
    results(world)
    job = start_export(
        user=world.user("bureau"), identifier="dashboards-annual-report", data={"year": YEAR}
    )
    run_export_job(job.pk)
    job = ExportJob.objects.get(pk=job.pk)
    assert job.status == "done", job.error
    book = load_workbook(job.file.path)
    names = book.sheetnames
    assert len(names) >= 4 and len(set(names)) == len(names)
    assert all(len(n) <= 31 for n in names)
    results_sheet = list(book[names[0]].iter_rows(values_only=True))
    assert str(YEAR) in names[0]
    assert results_sheet[-1][-1] == 8
    cells = {v for name in names[1:] for row in book[name].iter_rows(values_only=True) for v in row}
    assert "天河区" in cells and 120 in cells


def test_reads_in_chinese_and_links_from_the_dashboard(world, alliance, figures, login):  # noqa: F811
    from tests.core.test_chinese_pages import english_words

    results(world)
    client = login(world.user("bureau"))
    html = client.get(report_url()).content.decode()
    assert english_words(html) == []
    assert "联盟年度成果统计" in html and "成员中心成果" in html
    assert (
        "data-annual-report-link"
        in client.get(reverse("dashboards:dashboard", args=["bureau"])).content.decode()
    )
    assert "data-annual-report-link" in client.get("/").content.decode()
    start = client.get(reverse("export-start", args=["dashboards-annual-report"]) + f"?year={YEAR}")
    assert start.status_code == 200
    assert english_words(start.content.decode()) == []
    district = login(world.user("district_a"))
    assert "data-annual-report-link" not in district.get("/").content.decode()
