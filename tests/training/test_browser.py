"""The whole flow on a phone-sized screen (390 × 844, headless Chromium): a
teacher enrols, the district approves, the teacher acknowledges the
commitments and checks in with the code on the vendor's screen, the vendor
signs off and enters results, the center closes the sub-project, and the
teacher sees the hours on their credit page — nothing typed twice."""

import datetime
import os

import pytest
from django.utils import timezone

from tests.conftest import require
from tests.factories import PASSWORD
from training import services
from training.models import SubProjectStatus

from .factories import SubProjectFactory

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}

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
def running_class(world, policy, settings):
    """Written before the browser starts (see tests/credits/test_browser.py)."""
    settings.TRAINING_CHECKIN_ROTATION = 60
    today = timezone.localdate()
    sub = SubProjectFactory(
        center=world.center_a,
        vendor=world.vendor,
        status=SubProjectStatus.APPROVED,
        starts_on=today,
        ends_on=today,
        name="小学语文骨干教师研修班",
    )
    start = timezone.now() - datetime.timedelta(minutes=5)
    session = services.add_session(
        subproject=sub,
        by=world.user("center_a"),
        title="开班讲座",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    services.move_subproject(subproject=sub, move="start", by=world.user("center_a"))
    return sub, session


def signed_in(browser, live_server, username, next_url):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def test_phone_flow_teacher_vendor_center(world, running_class, live_server, browser):
    sub, session = running_class
    detail = f"/training/subprojects/{sub.pk}/"
    teacher = signed_in(browser, live_server, "teacher_a", detail)
    teacher.click("#enrol-button")
    teacher.wait_for_selector(".alert")

    district = signed_in(
        browser, live_server, "district_a", "/training/enrollments/?status=pending"
    )
    district.click("[data-approve]")
    district.wait_for_selector(".alert-success")

    teacher.goto(f"{live_server.url}/training/mine/")
    teacher.check("input[name=learning]")
    teacher.check("input[name=safety]")
    teacher.click("[data-acknowledge]")
    teacher.wait_for_selector("[data-checkin]")

    vendor = signed_in(browser, live_server, "vendor", f"/training/sessions/{session.pk}/screen/")
    left = int(vendor.get_attribute("#code-changes", "data-seconds"))
    if left < 15:  # too close to the change: wait for the next code, not a flat 16 s
        vendor.wait_for_timeout((left + 1) * 1000)
        vendor.reload()
    code = vendor.inner_text("#checkin-code").strip()
    assert vendor.query_selector(".qr svg") is not None
    assert vendor.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    teacher.fill("input[name=code]", code)
    teacher.click("[data-checkin]")
    teacher.wait_for_selector(".alert-success")
    teacher.screenshot(path="/tmp/training-mine.png", full_page=True)

    # The check-in screen reloads itself when its code rotates: the class page
    # opens in a tab of its own, so that reload can never race the navigation.
    screen, vendor = vendor, vendor.context.new_page()
    screen.close()
    vendor.goto(f"{live_server.url}/training/subprojects/{sub.pk}/class/")
    vendor.click("[data-sign-off]")
    vendor.wait_for_load_state()
    row = "#roster tr[data-trainee]"
    vendor.fill(f"{row} input[name=assignment]", "90")
    vendor.fill(f"{row} input[name=test]", "88")
    vendor.fill(f"{row} input[name=case]", "86")
    vendor.fill(f"{row} input[name=reflection]", "92")
    vendor.click(f"{row} button[type=submit]")
    vendor.wait_for_selector("[data-grade]")
    assert vendor.get_attribute("[data-grade]", "data-grade") in ("excellent", "pass")

    center = signed_in(browser, live_server, "center_a", detail)
    center.click("#close-button")
    center.wait_for_selector("[data-status=closed]")

    teacher.goto(f"{live_server.url}/credits/")
    teacher.wait_for_selector("#hours-total")
    # hours read as the portal writes them everywhere: 24, 12.5 (core.formats)
    from core.formats import format_number

    assert teacher.inner_text("#hours-total [data-hours]") == format_number(sub.hours)
