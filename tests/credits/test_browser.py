"""A teacher signs in, sees their progress, downloads the transcript, and the
public verification page confirms its code (headless Chromium, Playwright)."""

import os
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from credits import services
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
    # Playwright's sync API runs an event loop in the test's thread; the ORM
    # refuses calls from there unless told otherwise (only for this test).
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
def hours(world, policy):
    # Written before the browser starts: Playwright's sync API runs the test
    # body in a greenlet whose context would open (and leak) a second
    # database connection.
    for category, amount in (("ethics", 40), ("subject", 140)):
        services.award_hours(
            teacher=world.teacher_a,
            hours=amount,
            category=category,
            source="training",
            earned_on=date(2024, 4, 1),
            title="市级培训",
        )


def test_teacher_progress_transcript_and_verification(world, hours, live_server, browser):
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/credits/")
    page.fill("#id_username", "teacher_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#hours-total")
    assert page.inner_text("#hours-total [data-hours]") == "180"
    assert page.get_attribute("[role=progressbar]", "aria-valuenow") == "50"
    page.screenshot(path="/tmp/credits-mine.png", full_page=True)

    page.click("#transcript-button")
    page.wait_for_selector("#verification-code")
    code = page.inner_text("#verification-code").strip()
    with page.expect_download() as info:
        page.click("#xlsx-link")
    download = info.value
    with open(download.path(), "rb") as fh:
        workbook = load_workbook(BytesIO(fh.read()))
    cells = [c for row in workbook.active.iter_rows(values_only=True) for c in row if c]
    assert code in cells
    context.close()

    anonymous_context = browser.new_context(locale="zh-CN")
    anonymous = anonymous_context.new_page()
    anonymous.goto(f"{live_server.url}/credits/verify/")
    anonymous.fill("#id_code", code)
    anonymous.click("form button[type=submit]")
    anonymous.wait_for_selector("#verify-result")
    assert anonymous.get_attribute("#verify-result", "data-genuine") == "1"
    assert "180" in anonymous.inner_text("#verify-total")
    assert world.teacher_a.name not in anonymous.content()
    anonymous.screenshot(path="/tmp/credits-verify.png", full_page=True)
    anonymous_context.close()
