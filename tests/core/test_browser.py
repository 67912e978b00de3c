"""A real browser: headless Chromium (Debian's package) driven by Playwright
signs in as a teacher, sees the Chinese home page and signs out."""

import os
import shutil

import pytest

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
def page(monkeypatch):
    # Playwright's sync API runs an event loop in the test's thread; Django's ORM
    # refuses calls from there unless told otherwise (only for this test).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    require(os.path.exists(CHROMIUM) or bool(shutil.which("chromium")), "Chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def test_teacher_signs_in_sees_chinese_home_and_signs_out(world, live_server, page):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.fill("#id_username", "teacher_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#home-title")
    assert page.url == f"{live_server.url}/"
    assert page.inner_text("#home-title") == "我的学习"
    assert page.locator("[data-panel=core-account]").is_visible()
    assert "教师" in page.inner_text("[data-panel=core-account]")
    page.screenshot(path="/tmp/teacher-home.png", full_page=True)
    page.click("#user-menu")
    page.click("#logout-button")
    page.wait_for_url("**/accounts/login/")
    assert page.locator("h1").inner_text() == "登录"
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url  # signed out for good
