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


def sign_in(page, base_url, username, password, next_url=""):
    """Log in through the login page, as a person does."""
    page.goto(f"{base_url}/accounts/login/{next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def walk(browser, base_url, username, password, viewport, shots=None, limit=60):
    """Sign in, crawl, and return the pages that scroll sideways."""
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    sign_in(page, base_url, username, password)
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


#: Staff pages added after the crawl tests were written, which a crawl of the
#: teacher's and vendor's links never reaches: each is opened as its demo user at
#: both sizes (``{name}`` is filled from the demo data by ``_staff_pages``).
STAFF_PAGES = {
    "secretariat": [
        "/alliance/proposals/",
        "/alliance/proposals/{proposal}/",
        "/alliance/proposals/add/",
        "/alliance/guidance/",
        "/alliance/guidance/{guidance}/",
        "/alliance/guidance/add/",
        "/alliance/plans/",
        "/alliance/plans/{plan}/",
        "/alliance/plans/add/",
    ],
    "bureau": [
        "/centers/{host}/",
        "/centers/staff/{appointed}/",
        "/announcements/",
        "/announcements/new/",
        "/dashboards/bureau/",
        "/evaluation/campaigns/",
        "/evaluation/campaigns/{campaign}/",
        "/evaluation/campaigns/{campaign}/edit/",
        "/evaluation/principals/{appraisee}/",
    ],
    "center": [
        "/training/procurements/",
        "/training/procurements/{procurement}/",
        "/dashboards/center/",
    ],
    "district": ["/dashboards/district/"],
    "school": ["/training/nominations/"],
    None: ["/evaluation/rate/{token}/"],  # a rater's one-time link, signed out
}


def _staff_pages():
    from alliance.models import CenterPlan, GuidanceVisit, Proposal
    from centers.models import StaffAppointment
    from evaluation.models import Appraisee, Campaign, RaterToken
    from training.models import Procurement

    appointment = StaffAppointment.objects.order_by("pk").first()
    ids = {
        "proposal": Proposal.objects.order_by("pk").values_list("pk", flat=True).first(),
        "guidance": GuidanceVisit.objects.order_by("pk").values_list("pk", flat=True).first(),
        "plan": CenterPlan.objects.order_by("pk").values_list("pk", flat=True).first(),
        "host": appointment.center_id,
        "appointed": appointment.staff_id,
        "campaign": Campaign.objects.order_by("pk").values_list("pk", flat=True).first(),
        "appraisee": Appraisee.objects.order_by("pk").values_list("pk", flat=True).first(),
        "procurement": Procurement.objects.order_by("pk").values_list("pk", flat=True).first(),
        "token": RaterToken.objects.filter(used_at__isnull=True).order_by("pk")[0].token,
    }
    return {user: [url.format(**ids) for url in urls] for user, urls in STAFF_PAGES.items()}


def visit(browser, base_url, username, password, urls, viewport, shots=None):
    """Open ``urls`` (signed in as ``username`` unless None); return the pages
    that scroll sideways and those that did not answer 200."""
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    if username:
        sign_in(page, base_url, username, password)
        page.wait_for_load_state()
    overflowing, failed = [], []
    for url in urls:
        response = page.goto(base_url + url)
        if not response or response.status != 200:
            failed.append((url, response.status if response else 0))
        if page.evaluate(OVERFLOW):
            overflowing.append(url)
        if shots is not None:
            name = page_key(url).strip("/").replace("/", "_")
            who = username or "anon"
            page.screenshot(path=str(shots / f"{who}-{viewport['width']}-{name}.png"))
    context.close()
    return overflowing, failed


def test_staff_pages_fit_a_phone(live_server, browser):
    """At 390 px always; ``make screenshots`` adds 1366 px and writes the PNGs."""
    from django.core.management import call_command

    from centers.demo import DEMO_PASSWORD

    call_command("load_demo", verbosity=0)
    shots = None
    if os.environ.get("SCREENSHOTS"):
        shots = Path(os.environ.get("SCREENSHOTS_DIR", "screenshots"))
        shots.mkdir(parents=True, exist_ok=True)
    problems = []
    for username, urls in _staff_pages().items():
        for viewport in (PHONE, DESKTOP) if shots else (PHONE,):
            overflowing, failed = visit(
                browser, live_server.url, username, DEMO_PASSWORD, urls, viewport, shots
            )
            if overflowing or failed:
                problems.append((username, viewport["width"], overflowing, failed))
    assert not problems, problems


@pytest.fixture
def standards(world):
    from centers import services

    services.ensure_standards()
    return world


def test_the_standards_matrix_scrolls_inside_its_box_on_a_phone(standards, live_server, browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server.url, "bureau", PASSWORD, "?next=/centers/standards/")
    page.wait_for_selector("#matrix")
    assert not page.evaluate(OVERFLOW)
    assert page.locator("#matrix .visually-hidden").count() > 0  # pass/fail in words
    context.close()


NAVBAR = """() => {
  const nav = document.querySelector("nav.navbar");
  const middles = [...nav.querySelectorAll(
    ".navbar-brand, .navbar-nav > li, form[role=search], select[name=language], #user-menu"
  )].filter(e => e.getClientRects().length).map(e => {
    const box = e.getBoundingClientRect();
    return (box.top + box.bottom) / 2;
  });
  const toggler = nav.querySelector(".navbar-toggler");
  return {
    height: nav.getBoundingClientRect().height,
    spread: Math.max(...middles) - Math.min(...middles),
    toggler: !!toggler.getClientRects().length,
  };
}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_navbar_keeps_to_one_line_at_1366_or_collapses(world, live_server, browser, language):
    """At 1366 px the brand, the bar and the controls share one line in both
    languages (English labels run about twice as wide as Chinese: the bar
    folds earlier and the brand takes two short lines; a long name is cut
    short on its button); on a phone the bar collapses behind its toggler."""
    from django.conf import settings

    for username in ("bureau", "center_a", "district_a", "teacher_a", "vendor"):
        user = world.user(username)
        # as long as the demo's names: a vendor's company and title the longest
        long_name = "广州市师训教育咨询有限公司 项目经理"
        user.name = long_name if username == "vendor" else "市教育局 王处长"
        user.save(update_fields=["name"])
        for viewport in (DESKTOP, PHONE):
            context = browser.new_context(viewport=viewport)
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            )
            page = context.new_page()
            sign_in(page, live_server.url, username, PASSWORD)
            page.wait_for_load_state()
            bar = page.evaluate(NAVBAR)
            where = (username, language, viewport["width"], bar)
            if viewport is DESKTOP:
                assert not bar["toggler"] and bar["spread"] < 8 and bar["height"] < 70, where
            else:
                assert bar["toggler"] and bar["height"] < 90 and not page.evaluate(OVERFLOW), where
            context.close()
