"""The nomination list on a phone (390 × 844, headless Chromium): upload,
read the preview's row errors, with no page scrolling sideways."""

import os

import pytest

from tests.core.test_phone import OVERFLOW, PHONE, browser  # noqa: F401 (the fixture)
from tests.factories import PASSWORD, TeacherFactory

from .test_nomination_import import workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_and_preview_fit_a_phone(world, sub, live_server, browser, tmp_path):  # noqa: F811
    sub.capacity = 10
    sub.save()
    teacher = TeacherFactory(school=world.school_a, external_id="TH-0001", name="陈老师")
    path = tmp_path / "提名名单.xlsx"
    path.write_bytes(
        workbook(
            [
                (teacher.external_id, teacher.name, sub.pk),
                ("NOPE", "某某某", sub.pk),
                (teacher.external_id, "别人的名字", "一个很长很长的子项目代码并不存在"),
            ]
        )
    )
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/training/nominations/")
    page.fill("#id_username", "school_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#nomination-upload")
    assert not page.evaluate(OVERFLOW)
    page.set_input_files("#id_file", str(path))
    page.click("#nomination-upload button[type=submit]")
    page.wait_for_selector("#import-errors")
    assert not page.evaluate(OVERFLOW)
    assert page.locator("[data-error-row]").count() == 2
    if os.environ.get("SCREENSHOTS_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS_DIR"], "nominations-390.png"))
    context.close()
