"""Evaluation in a real browser (headless Chromium, Playwright): the center
closes a sub-project, its satisfaction survey reaches the enrolled teacher on
a phone-sized page (390 × 844), the teacher answers, the center reads the
result table and exports it (the Excel opens with openpyxl); and a rater
answers a principal's anonymous one-time link once (a second try is refused).
Screenshots of the survey and results pages at 390 and 1366 px go to
/tmp/evb_*.png."""

import os
from io import BytesIO

import pytest
from openpyxl import load_workbook

from evaluation import services
from evaluation.models import RaterGroup, Rating, Response, Survey, SurveyKind
from tests.conftest import require
from tests.factories import PASSWORD
from training import services as training

from .conftest import add_session

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
DESKTOP = {"width": 1366, "height": 900}

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
def running(world, sub, enrol):
    """A running class of center A with the world's teacher enrolled and its
    one session signed off: ready to close (written before the browser starts)."""
    enrol(sub, teacher=world.teacher_a, user=world.user("teacher_a"))
    center = world.user("center_a")
    session = add_session(sub, center)
    training.move_subproject(subproject=sub, move="start", by=center)
    training.sign_off(session=session, by=center)
    return sub


def signed_in(browser, live_server, username, next_url, viewport=PHONE, **options):
    context = browser.new_context(locale="zh-CN", viewport=viewport, **options)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def no_sideways_scroll(page, width):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways at {width}px ({scroll}px)"


def shots(page, name):
    """The page at phone and desktop width, each checked for sideways scrolling."""
    for label, size in (("390", PHONE), ("1366", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=f"/tmp/evb_{name}_{label}.png", full_page=True)
        no_sideways_scroll(page, size["width"])
    page.set_viewport_size(PHONE)


def test_close_answer_on_a_phone_read_and_export(world, running, live_server, browser):
    sub = running
    center = signed_in(
        browser,
        live_server,
        "center_a",
        f"/training/subprojects/{sub.pk}/",
        viewport=DESKTOP,
        accept_downloads=True,
    )
    center.click("#close-button")
    center.wait_for_selector("[data-status=closed]")
    survey = Survey.objects.get(subproject=sub, kind=SurveyKind.SATISFACTION)

    # The teacher, on a phone: the survey waits on "my surveys".
    teacher = signed_in(browser, live_server, "teacher_a", "/evaluation/mine/")
    teacher.wait_for_selector(f"[data-invitation='{survey.pk}']")
    no_sideways_scroll(teacher, PHONE["width"])
    teacher.click(f"[data-invitation='{survey.pk}'] [data-answer]")
    teacher.wait_for_selector("[data-survey-form]")
    answer_url = teacher.url
    shots(teacher, "survey")
    for q in survey.questions.order_by("order"):
        if q.kind == "scale":
            teacher.check(f"#q{q.pk}-5")
        elif q.kind == "single":
            teacher.check(f"#q{q.pk}-1")
        elif q.kind == "multiple":
            teacher.check(f"#q{q.pk}-1")
            teacher.check(f"#q{q.pk}-3")
        else:
            teacher.fill(f"textarea[name=q{q.pk}]", "希望增加课例观摩。")
    teacher.click("[data-submit]")
    teacher.wait_for_selector(".alert-success")
    assert teacher.query_selector(f"[data-invitation='{survey.pk}']") is None
    # The link is one-time: opened again, it says so and offers no form.
    teacher.goto(answer_url)
    teacher.wait_for_selector("[data-answered]")
    assert teacher.query_selector("[data-survey-form]") is None
    response = Response.objects.get(survey=survey)
    assert response.respondent_id is None  # anonymous

    # The center reads the result table (computed by the worker) and exports it.
    center.goto(f"{live_server.url}{survey.get_absolute_url()}")
    center.wait_for_selector("[data-results]")
    assert center.inner_text("[data-responses]").strip() == "1"
    assert center.inner_text("[data-satisfaction]").strip() == "100%"
    shots(center, "results")
    center.set_viewport_size(DESKTOP)
    center.click(f"[data-export='{survey.pk}']")
    center.wait_for_selector("a[href$='/download/']")
    with center.expect_download() as info:
        center.click("a[href$='/download/']")
    with open(info.value.path(), "rb") as fh:
        sheet = load_workbook(BytesIO(fh.read())).active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "问卷"
    overall = [r for r in rows if r[4] == "总体而言,您对本次培训的满意程度" and r[6] == 5]
    assert overall and overall[0][7] == 1 and overall[0][8] == 100
    assert all(r[0] == survey.title for r in rows[1:])
    assert center.errors == [] and teacher.errors == [], center.errors + teacher.errors


def test_a_principal_link_answers_once(world, live_server, browser):
    district = world.user("district_a")
    campaign = services.start_campaign(district=world.district_a, term="2023—2026", by=district)
    services.set_campaign_status(campaign=campaign, status="open", by=district)
    appraisee = services.add_principal(
        campaign=campaign, school=world.school_a, name="张校长", by=district
    )
    (link,) = services.issue_links(
        appraisee=appraisee, group=RaterGroup.PARENTS, count=1, by=district
    )
    url = f"{live_server.url}/evaluation/rate/{link.token}/"
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    errors = []
    first, second = context.new_page(), context.new_page()
    for page in (first, second):
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)  # no account: the QR code opens the page
        page.wait_for_selector("[data-rate]")
    shots(first, "rate")
    # Two tabs of one window: each is brought to the front before it is used.
    # Chromium gives a background tab about one animation frame a second, and
    # Playwright waits for frames before every check and click (the 25 radios
    # of the background tab took 50 s).
    for page, score in ((first, "4"), (second, "2")):
        page.bring_to_front()
        for radio in page.query_selector_all(f"input[type=radio][value='{score}']"):
            radio.check()
    first.bring_to_front()
    first.click("[data-rate]")
    first.wait_for_selector("[data-rated]")
    # The same link, opened before it was used, is refused on submitting.
    second.bring_to_front()
    second.click("[data-rate]")
    second.wait_for_selector("[data-used]")
    assert second.query_selector("[data-rated]") is None
    # And opened again, it shows no form.
    first.bring_to_front()
    first.goto(url)
    first.wait_for_selector("[data-used]")
    assert first.query_selector("[data-rate]") is None
    (rating,) = Rating.objects.filter(appraisee=appraisee)
    assert {a.value for a in rating.answers.all()} == {4} and rating.answers.count() == 25
    assert rating.group == RaterGroup.PARENTS
    assert errors == [], errors
    context.close()


def test_the_principals_profile_draws_on_the_bureaus_dashboard(world, live_server, browser):
    from .test_profile_panel import campaign

    bureau = world.user("bureau")
    campaign(world.district_a, "2023—2026", bureau, [4, 3])
    campaign(world.district_b, "2023—2026", bureau, [5])
    page = signed_in(browser, live_server, "bureau", "/dashboards/bureau/", viewport=DESKTOP)
    card = "[data-chart-card='evaluation-principals-profile']"
    drawn = "[data-chart='chart-data-evaluation-principals-profile'][data-chart-drawn='1'] canvas"
    for label, size in (("1366", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.reload()
        page.wait_for_selector(drawn)
        page.locator(card).screenshot(path=f"/tmp/evb_profile_{label}.png")
        no_sideways_scroll(page, size["width"])
    assert "天河区(2023—2026)" in page.inner_text(f"{card} table")
    assert page.errors == [], page.errors
