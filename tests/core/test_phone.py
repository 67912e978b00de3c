"""Phones: every page a teacher and a vendor reach by following links, in
headless Chromium at 390 × 844, fits the screen (no horizontal scroll).

``make screenshots`` runs the same walk for every demo role at 390 × 844 and
1366 × 900 and writes a PNG per page into ``screenshots/``."""

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import require
from tests.crawl import crawl, page_key
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
OVERFLOW = "document.documentElement.scrollWidth > document.documentElement.clientWidth"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    require(os.path.exists(CHROMIUM) or bool(shutil.which("chromium")), "Chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def records(world):
    """Something on the teacher's pages (written before the browser starts)."""
    from credits import services
    from credits.models import Category, CreditPolicy

    CreditPolicy.objects.create(
        name="2024-2028 周期",
        cycle_start=date(2024, 1, 1),
        cycle_end=date(2028, 12, 31),
        total_hours=360,
    )
    services.award_hours(
        teacher=world.teacher_a,
        hours=40,
        category=Category.ETHICS,
        source="training",
        earned_on=date(2024, 4, 1),
        title="市级师德专题培训（第一期）",
    )
    return world


def walk(browser, base_url, username, password, viewport, shots=None, limit=60):
    """Sign in, crawl, and return the pages that scroll sideways."""
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    overflowing = []

    def get(url):
        response = page.goto(base_url + url)
        if page.evaluate(OVERFLOW):
            overflowing.append(url)
        if shots is not None:
            name = page_key(url).strip("/").replace("/", "_") or "home"
            page.screenshot(path=str(shots / f"{username}-{viewport['width']}-{name}.png"))
        return (response.status if response else 0), page.content()

    pages = crawl(get, limit=limit)
    context.close()
    return pages, overflowing


@pytest.mark.parametrize("actor", ["teacher_a", "vendor"])
def test_no_page_scrolls_sideways_on_a_phone(records, live_server, browser, actor):
    pages, overflowing = walk(browser, live_server.url, actor, PASSWORD, PHONE)
    assert len(pages) >= 3, pages
    assert not overflowing, overflowing


@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="make screenshots")
def test_screenshots_of_every_demo_role(live_server, browser):
    from django.core.management import call_command

    from centers.demo import DEMO_PASSWORD
    from core.registry import registry

    call_command("load_demo", verbosity=0)
    shots = Path(os.environ.get("SCREENSHOTS_DIR", "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    report = []
    for _label, username, _password in registry.demo_accounts:
        for viewport in (PHONE, DESKTOP):
            pages, overflowing = walk(
                browser, live_server.url, username, DEMO_PASSWORD, viewport, shots, limit=40
            )
            report.append((username, viewport["width"], len(pages), overflowing))
    (shots / "report.txt").write_text(
        "\n".join(f"{u} {w}px pages={n} overflowing={o}" for u, w, n, o in report)
    )


@pytest.fixture
def standards(world):
    from centers import services

    services.ensure_standards()
    return world


def test_the_standards_matrix_scrolls_inside_its_box_on_a_phone(standards, live_server, browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/centers/standards/")
    page.fill("#id_username", "bureau")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#matrix")
    assert not page.evaluate(OVERFLOW)
    assert page.locator("#matrix .visually-hidden").count() > 0  # pass/fail in words
    context.close()
