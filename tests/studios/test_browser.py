"""A host records an activity with attendance, the member sees the hours on
their credit page, and the managing center sees the studio's mentoring
count against 3 (headless Chromium, Playwright)."""

import os
from datetime import date

import pytest

from credits.models import CreditPolicy
from tests.conftest import require
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run"]

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


@pytest.fixture
def setting(world, studios):
    # Written before the browser starts (see tests/credits/test_browser.py).
    CreditPolicy.objects.create(
        name="2022—2026", cycle_start=date(2022, 1, 1), cycle_end=date(2026, 12, 31)
    )
    return studios


def sign_in(context, url, username):
    page = context.new_page()
    page.goto(f"{url}/accounts/login/?next=/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#home-title")
    return page


def test_host_records_member_sees_hours_center_sees_mentoring(setting, live_server, browser):
    studios = setting
    host = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = sign_in(host, live_server.url, "host_a")
    page.goto(f"{live_server.url}/studios/workspace/")
    page.click(f"[data-studio='{studios.a.pk}'] >> text=记录活动")
    page.select_option("#id_kind", "demo_lesson")
    page.fill("#id_title", "整本书阅读示范课")
    page.fill("#id_held_on", "2024-04-02")
    page.fill("#id_place", "天河第一小学")
    page.fill("#id_hours", "3")
    page.check(f"#activity-form input[name=attended][value='{studios.member_a.pk}']")
    page.click("#activity-form button[type=submit]")
    page.wait_for_selector("[data-attended='1']")
    page.screenshot(path="/tmp/studios-activity.png", full_page=True)
    host.close()

    member = browser.new_context(locale="zh-CN")
    page = sign_in(member, live_server.url, "teacher_a")
    page.goto(f"{live_server.url}/credits/")
    assert "整本书阅读示范课" in page.content()
    member.close()

    center = browser.new_context(locale="zh-CN")
    page = sign_in(center, live_server.url, "center_a")
    page.goto(f"{live_server.url}/studios/")
    row = page.locator(f"tr[data-studio='{studios.a.pk}']")
    assert row.locator(".mentoring-count").inner_text().strip() == "0 / 3"
    assert row.get_attribute("data-short") == "1"
    page.screenshot(path="/tmp/studios-center-list.png", full_page=True)
    center.close()
