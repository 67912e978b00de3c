"""The bureau's dashboard in a real browser (headless Chromium, Playwright):
the charts draw (a canvas), the console shows no error (CSP included), a
filter changes them, and a chart's Excel downloads; screenshots at desktop
and phone size go to /tmp/dashboard-*.png."""

import json
import os
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.conftest import require
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    require(os.path.exists(CHROMIUM), "Chromium (/usr/bin/chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _figures(page, key):
    return json.loads(page.inner_text(f"#chart-data-{key}"))


def test_bureau_dashboard_draws_filters_and_downloads(world, figures, live_server, browser):
    context = browser.new_context(
        locale="zh-CN", accept_downloads=True, viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/accounts/login/?next=/dashboards/")
    page.fill("#id_username", "bureau")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#dashboard-title")
    assert page.inner_text("#dashboard-title") == "全市数据看板"
    page.wait_for_selector("[data-chart='chart-data-credits-hours'][data-chart-drawn='1'] canvas")
    assert page.locator("[data-chart-drawn='1'] canvas").count() >= 3
    assert _figures(page, "credits-hours")["categories"] == ["天河区", "海珠区"]
    page.screenshot(path="/tmp/dashboard-bureau-desktop.png", full_page=True)

    # A filter: one district; the URL keeps it and the chart shows its schools.
    page.select_option("#id_district", str(world.district_b.pk))
    page.click("form.filter-form button[type=submit]")
    page.wait_for_url(f"**district={world.district_b.pk}**")
    page.wait_for_selector("[data-chart='chart-data-credits-hours'][data-chart-drawn='1'] canvas")
    assert _figures(page, "credits-hours")["categories"] == ["海珠第一小学"]

    with page.expect_download() as info:
        page.click("[data-chart-excel='credits-hours']")
    with open(info.value.path(), "rb") as fh:
        cells = [
            c
            for row in load_workbook(BytesIO(fh.read())).active.iter_rows(values_only=True)
            for c in row
        ]
    assert "海珠第一小学" in cells and "天河区" not in cells

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("[data-chart-drawn='1'] canvas")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path="/tmp/dashboard-bureau-phone.png", full_page=True)
    page.screenshot(path="/tmp/dashboard-bureau-phone-top.png")
    assert scroll <= 390, f"the phone layout scrolls sideways ({scroll}px)"
    assert errors == [], errors
    context.close()


def test_annual_report_prints_and_fits_a_phone(world, figures, live_server, browser):
    from django.utils import timezone

    from alliance.models import Achievement, AchievementKind, CouncilMember
    from tests.factories import CenterFactory

    year = timezone.localdate().year
    # Seventeen members: the widest results table the alliance has.
    centers = [world.center_a, world.center_b] + [
        CenterFactory(code=f"m-{n}", name=f"成员中心{n}") for n in range(3, 18)
    ]
    for i, c in enumerate(centers, start=1):
        CouncilMember.objects.create(center=c, order=i, joined_on=timezone.localdate())
        Achievement.objects.create(center=c, year=year, kind=AchievementKind.PAPER, count=i)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/accounts/login/?next=/dashboards/annual-report/")
    page.fill("#id_username", "bureau")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#annual-report-title")
    assert str(year) in page.inner_text("#annual-report-title")
    page.wait_for_selector("[data-chart-drawn='1'] canvas")
    assert page.inner_text("[data-report-total]").strip() == str(sum(range(1, 18)))
    scroll = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path="/tmp/annual-report-phone.png", full_page=True)
    assert scroll <= 390, f"the phone layout scrolls sideways ({scroll}px)"
    # Printed: no navigation, buttons or form; the wide table is not clipped.
    page.emulate_media(media="print")
    assert not page.is_visible("[data-annual-excel]")
    assert not page.is_visible("nav")
    overflow = page.evaluate("getComputedStyle(document.querySelector('.report-table')).overflowX")
    assert overflow == "visible"
    page.pdf(path="/tmp/annual-report.pdf")
    assert errors == [], errors
    context.close()
