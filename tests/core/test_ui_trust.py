"""Issue 10: what a user meets that breaks trust, one test per defect (the
page-level ones; completion rules live in tests/credits)."""

import pytest

pytestmark = pytest.mark.django_db


def _english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def _chinese(client):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})


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
