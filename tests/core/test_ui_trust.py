"""Issue 10: what a user meets that breaks trust, one test per defect (the
page-level ones; completion rules live in tests/credits)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def _chinese(client):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})


def _filter_label(html, name):
    match = re.search(rf'<label[^>]*for="id_{name}"[^>]*>([^<]*)</label>', html)
    return match and match.group(1).strip()


def test_filter_labels_follow_the_language_of_each_request(world, login):
    # The API schema builds the filter sets' form fields; whatever language that
    # request had must not freeze the labels and choices of every list page.
    client = login(world.user("bureau"))
    assert client.get("/api/v1/schema/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    html = client.get("/centers/teachers/").content.decode()
    assert _filter_label(html, "title") == "职称"
    assert _filter_label(html, "stage") == "学段"
    assert ">幼儿园</option>" in html
    _english(client)
    html = client.get("/centers/teachers/").content.decode()
    assert _filter_label(html, "title") == "Professional title"
    assert ">Kindergarten</option>" in html
    _chinese(client)
    assert _filter_label(client.get("/centers/teachers/").content.decode(), "title") == "职称"


def test_display_formats_are_one_definition():
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from django.utils import translation

    from core import formats

    aware = datetime(2026, 12, 9, 1, 0, tzinfo=UTC)
    with translation.override("zh-hans"):
        assert formats.display(aware) == "2026-12-09 09:00"
        assert formats.display(date(2020, 10, 1)) == "2020-10-01"
        assert formats.display(True) == "是" and formats.display(False) == "否"
        assert formats.display(1) == "1"  # a number is not a yes
        assert formats.display(None) == formats.display("") == "—"
        assert formats.display(360.0) == "360" and formats.display(Decimal("12.50")) == "12.5"
    assert formats.excel_value(aware) == datetime(2026, 12, 9, 9, 0)


def test_dates_read_the_same_on_every_page(settings):
    from datetime import UTC, date, datetime

    from django.template import Context, Template
    from django.utils import translation

    template = Template("{{ d }}|{{ t }}|{{ d|date }}")
    context = Context({"d": date(2020, 10, 1), "t": datetime(2026, 12, 9, 1, tzinfo=UTC)})
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert template.render(context) == "2020-10-01|2026-12-09 09:00|2020-10-01"


def test_yes_no_filters_read_all_yes_no_and_empty_choices_read_all(world, login):
    html = login(world.user("bureau")).get("/centers/staff/").content.decode()
    assert "---------" not in html and "未知" not in html
    select = re.search(r'<select name="is_research_staff".*?</select>', html, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", select) == ["全部", "是", "否"]
    response = login(world.user("bureau")).get("/api/v1/staff/?is_research_staff=true")
    assert response.status_code == 200


def test_a_wrong_filter_says_so(world, login):
    client = login(world.user("bureau"))
    html = client.get("/centers/teachers/?updated_since=abc").content.decode()
    assert "is-invalid" in html and "筛选条件有误" in html
    html = client.get("/centers/teachers/").content.decode()
    assert 'type="datetime-local" name="updated_since"' in html


def test_booleans_in_lists_are_words(world, login):
    from centers.models import StaffMember

    StaffMember.objects.create(center=world.center_a, name="张老师", is_research_staff=True)
    html = login(world.user("bureau")).get("/centers/staff/").content.decode()
    assert ">True<" not in html and ">False<" not in html


def test_exports_download_under_a_chinese_name_and_read_well(world, login):
    from urllib.parse import quote

    from openpyxl import load_workbook

    from core.exports import run_export, start_export
    from core.models import ExportJob

    client = login(world.user("district_a"))
    jobs = []
    for _ in range(2):  # twice in the same minute
        job = start_export(user=world.user("district_a"), identifier="centers")
        jobs.append(run_export(ExportJob.objects.get(pk=job.pk)))
    names = [j.file.name.rsplit("/", 1)[-1] for j in jobs]
    assert names == [f"centers-{j.pk}.xlsx" for j in jobs]  # no random suffix
    response = client.get(f"/exports/{jobs[1].pk}/download/")
    disposition = response["Content-Disposition"]
    assert quote("中心名单") in disposition or quote("中心列表") in disposition, disposition
    content = b"".join(response.streaming_content)
    api = client.get(f"/api/v1/exports/jobs/{jobs[1].pk}/")
    assert api["Content-Disposition"] == disposition
    import io

    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= 10


def test_a_page_past_the_end_shows_the_last_page(world, login):
    client = login(world.user("bureau"))
    for page in ("999", "abc"):
        response = client.get(f"/centers/schools/?page={page}")
        assert response.status_code == 200, page


def test_unknown_address_shows_the_chinese_page_under_make_run(world, login, settings):
    settings.DEBUG = True  # what `make run` serves
    response = login(world.user("bureau")).get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404 and "DEBUG = True" not in html
    assert 'lang="zh-hans"' in html and "返回首页" in html or "首页" in html
    api = login(world.user("bureau")).get("/api/v1/no-such/")
    assert api.status_code == 404


def test_every_page_has_a_favicon(world, login):
    html = login(world.user("bureau")).get("/").content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    from django.contrib.staticfiles import finders

    assert finders.find(href.removeprefix("/static/"))


def test_a_teacher_is_offered_no_list_of_herself_nor_id_filters(world, login):
    teacher = login(world.user("teacher_a"))
    assert 'data-nav="teachers"' not in teacher.get("/").content.decode()
    assert 'data-nav="teachers"' in login(world.user("district_a")).get("/").content.decode()
    html = login(world.user("district_a")).get("/centers/teachers/").content.decode()
    assert _filter_label(html, "school") is None  # the API's filter, not a box on the page
    assert 'type="hidden" name="school"' in html


def test_the_audit_log_reads_in_words(world, login):
    school = world.school_a
    school.name = "天河第一小学（新）"
    school.save()
    html = login(world.user("bureau")).get("/audit/?q=天河第一小学").content.decode()
    assert "centers.school" not in html.split('name="object_type"')[-1].split("</select>")[-1]
    assert "{&#x27;" not in html and "{'" not in html  # no Python dicts
    assert "天河第一小学 → 天河第一小学（新）" in html
    select = re.search(r'<select name="object_type".*?</select>', html, re.S).group(0)
    assert ">学校</option>" in select
