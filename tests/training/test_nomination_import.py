"""The Excel nomination list: upload → preview with every row's errors →
confirm, all or nothing, through the nomination service's scope, quota and
duplicate rules (page and API), and the shared upload guard against the
hostile-file corpus."""

import functools
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from centers.models import ImportStatus
from tests import hostile_files
from tests.contracts import count_queries
from tests.factories import TeacherFactory
from training import imports, services
from training.models import Enrollment, EnrollmentStatus, NominationImport, Quota

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ("教师编号（身份证号或区系统编号）", "姓名", "子项目（编号或代码）")


def workbook(rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(content, name="nominations.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def school_teachers(world, n, school=None):
    return [
        TeacherFactory(school=school or world.school_a, external_id=f"TH-{i:04d}") for i in range(n)
    ]


def post(client, rows, **data):
    with translation.override("zh-hans"):
        return client.post(
            reverse("training:nomination-upload"), {"file": upload(workbook(rows)), **data}
        )


def preview(client, response):
    form = response.context["form"] if response.status_code == 200 else None
    assert response.status_code == 302, form.errors if form else response.status_code
    with translation.override("zh-hans"):
        return client.get(response["Location"])


def test_happy_path_preview_then_confirm(world, login, sub):
    sub.capacity = 10
    sub.code = "TH-GG-01"
    sub.save()
    t1, t2 = school_teachers(world, 2)
    client = login(world.user("school_a"))
    rows = [
        (t1.id_number, t1.name, sub.pk),  # by ID number and the sub-project's id
        (t2.external_id, t2.name, "th-gg-01"),  # by district id and its code
    ]
    page = preview(client, post(client, rows))
    assert page.status_code == 200
    assert "全部行均有效" in page.content.decode() or page.context["error_count"] == 0
    assert not Enrollment.objects.exists()  # nothing before the confirmation
    batch = NominationImport.objects.get()
    assert [r["row"] for r in batch.rows] == [2, 3]
    response = client.post(reverse("training:nomination-commit", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and batch.summary == {"created": 2}
    enrolled = Enrollment.objects.order_by("teacher_id")
    assert [e.teacher_id for e in enrolled] == sorted([t1.pk, t2.pk])
    assert all(
        e.status == EnrollmentStatus.PENDING and e.nominated_by == world.user("school_a")
        for e in enrolled
    )
    # Confirming again writes nothing more.
    client.post(reverse("training:nomination-commit", args=[batch.pk]))
    assert Enrollment.objects.count() == 2
    # The district decides them as any nomination.
    services.decide(enrollment=enrolled[0], by=world.user("district_a"), approve=True)


def test_the_form_sub_project_fills_empty_cells_and_district_staff_nominate(world, login, sub):
    sub.capacity = 10
    sub.save()
    t1 = TeacherFactory(school=world.school_a2, external_id="A2-1")
    client = login(world.user("district_a"))
    page = preview(client, post(client, [("A2-1", t1.name, "")], subproject=sub.pk))
    assert page.context["error_count"] == 0
    batch = NominationImport.objects.get()
    imports.commit_import(user=world.user("district_a"), batch=batch)
    assert Enrollment.objects.get().teacher == t1


def errors_of(world, user, rows, sub=None):
    content = upload(workbook(rows))
    batch = imports.stage_import(user=world.user(user), upload=content, subproject=sub)
    return batch


def test_over_quota_is_refused_whole(world, sub):
    sub.capacity = 10
    sub.save()
    Quota.objects.create(subproject=sub, district=world.district_a, seats=2)
    t = school_teachers(world, 3)
    with translation.override("zh-hans"):
        batch = errors_of(world, "school_a", [(x.external_id, x.name, sub.pk) for x in t])
    assert set(batch.errors) == {"4"}  # the third nominee, on row 4
    assert "名额" in batch.errors["4"]["subproject"][0]
    assert imports.commit_import(user=world.user("school_a"), batch=batch).status == "preview"
    assert not Enrollment.objects.exists()


def test_the_quota_counts_nominations_already_made_and_applies_one_by_one_too(world, sub):
    from django.core.exceptions import ValidationError

    sub.capacity = 10
    sub.save()
    Quota.objects.create(subproject=sub, district=world.district_a, school=world.school_a, seats=1)
    t1, t2 = school_teachers(world, 2)
    services.apply(subproject=sub, teacher=t1, by=world.user("school_a"))
    with pytest.raises(ValidationError) as exc:
        services.apply(subproject=sub, teacher=t2, by=world.user("school_a"))
    assert exc.value.code == "quota"
    batch = errors_of(world, "school_a", [(t2.external_id, t2.name, sub.pk)])
    assert "2" in batch.errors
    assert Enrollment.objects.count() == 1


def test_another_districts_teacher_reads_like_an_unknown_number(world, sub):
    sub.capacity = 10
    sub.save()
    other = TeacherFactory(school=world.school_b, external_id="HZ-1", name="海珠老师")
    mine = TeacherFactory(school=world.school_a, external_id="TH-1")
    with translation.override("zh-hans"):
        batch = errors_of(
            world,
            "district_a",
            [
                (other.external_id, other.name, sub.pk),
                (other.id_number, other.name, sub.pk),
                ("NOPE", "无名", sub.pk),
                (mine.external_id, mine.name, sub.pk),
            ],
        )
    unknown = batch.errors["4"]["teacher"]
    assert batch.errors["2"]["teacher"] == batch.errors["3"]["teacher"] == unknown
    text = str(batch.errors)
    assert "海珠" not in text and world.school_b.name not in text
    assert "5" not in batch.errors  # the valid row has no error, yet nothing is written
    assert not Enrollment.objects.exists()


def test_duplicates_in_the_list_and_already_enrolled(world, sub):
    sub.capacity = 10
    sub.save()
    t1, t2 = school_teachers(world, 2)
    services.apply(subproject=sub, teacher=t2, by=world.user("school_a"))
    with translation.override("zh-hans"):
        batch = errors_of(
            world,
            "school_a",
            [
                (t1.external_id, t1.name, sub.pk),
                (t1.id_number, t1.name, sub.pk),  # the same teacher by ID number
                (t2.external_id, t2.name, sub.pk),
                (t1.external_id, "别人", sub.pk),
            ],
        )
    assert "第 2 行" in batch.errors["3"]["__all__"][0]
    assert "已" in batch.errors["4"]["__all__"][0]
    assert "姓名" in batch.errors["5"]["name"][0]
    assert "2" not in batch.errors
    assert Enrollment.objects.count() == 1


def test_a_closed_or_invisible_sub_project_and_missing_cells(world, sub):
    from training.models import SubProjectStatus

    from .factories import SubProjectFactory

    draft = SubProjectFactory(center=world.center_a, status=SubProjectStatus.DRAFT)
    t = school_teachers(world, 1)[0]
    with translation.override("zh-hans"):
        batch = errors_of(
            world,
            "school_a",
            [
                (t.external_id, t.name, draft.pk),
                ("", "", sub.pk),
                (None, None, None),  # a blank row is skipped; the numbers stay Excel's
                (t.external_id, t.name, "99999"),
            ],
        )
    assert set(batch.errors) == {"2", "3", "5"}
    assert batch.errors["2"]["subproject"] == batch.errors["5"]["subproject"]
    assert set(batch.errors["3"]) == {"teacher", "name"}


def test_changes_between_preview_and_confirm_are_checked_again(world, sub):
    sub.capacity = 10
    sub.save()
    t1, t2 = school_teachers(world, 2)
    batch = errors_of(world, "school_a", [(t1.external_id, t1.name, sub.pk)])
    assert not batch.errors
    Quota.objects.create(subproject=sub, district=world.district_a, seats=1)
    services.apply(subproject=sub, teacher=t2, by=world.user("school_a"))
    batch = imports.commit_import(user=world.user("school_a"), batch=batch)
    assert batch.status == ImportStatus.PREVIEW and "2" in batch.errors
    assert Enrollment.objects.count() == 1


def test_who_may_upload(world, login):
    for actor, expected in [
        ("school_a", 200),
        ("district_a", 200),
        ("teacher_a", 403),
        ("vendor", 403),
        ("center_a", 403),
    ]:
        response = login(world.user(actor)).get(reverse("training:nomination-upload"))
        assert response.status_code == expected, actor


def test_another_users_preview_is_not_found(world, login, sub):
    batch = errors_of(world, "school_a", [("X", "Y", sub.pk)])
    response = login(world.user("district_a")).get(
        reverse("training:nomination-preview", args=[batch.pk])
    )
    assert response.status_code == 404


def test_template_has_the_headers_and_the_open_sub_projects(world, login, sub):
    with translation.override("zh-hans"):
        response = login(world.user("school_a")).get(reverse("training:nomination-template"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    first, subs = wb.worksheets
    assert [c.value for c in first[1]] == list(HEADER)
    assert sub.pk in [row[0] for row in subs.iter_rows(min_row=2, values_only=True)]
    # The template, filled in, imports.
    first.append([world.teacher_a.id_number, world.teacher_a.name, sub.pk])
    out = io.BytesIO()
    wb.save(out)
    batch = imports.stage_import(user=world.user("school_a"), upload=upload(out.getvalue()))
    assert not batch.errors, batch.errors


def test_the_preview_makes_the_same_queries_whatever_its_size(world, login, sub):
    sub.capacity = 100
    sub.save()
    teachers = school_teachers(world, 25)
    Quota.objects.create(subproject=sub, district=world.district_a, seats=50)
    client = login(world.user("school_a"))

    def stage(n):
        rows = [(t.external_id, t.name, sub.pk) for t in teachers[:n]]
        batch = imports.stage_import(user=world.user("school_a"), upload=upload(workbook(rows)))
        assert not batch.errors
        return batch

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (1, 5, 25):  # the first warms the caches (sessions, content types)
        with CaptureQueriesContext(connection) as ctx:
            batch = stage(n)
        counts.append(len(ctx))
        url = reverse("training:nomination-preview", args=[batch.pk])
        counts.append(count_queries(client, url))
        with CaptureQueriesContext(connection) as ctx:
            imports.commit_import(user=world.user("school_a"), batch=batch)
        counts.append(len(ctx))
        Enrollment.objects.all().delete()
    assert counts[3:6] == counts[6:], counts


# --- The API ---------------------------------------------------------------------------


def api_post(client, content, **data):
    return client.post(
        reverse("api:training-nomination-import"),
        {"file": upload(content), **data},
        format="multipart",
    )


@pytest.fixture
def api_client(world):
    from rest_framework.test import APIClient

    def _client(actor):
        client = APIClient()
        client.force_authenticate(world.user(actor))
        return client

    return _client


def test_api_dry_run_commit_and_row_errors(world, sub, api_client):
    sub.capacity = 10
    sub.save()
    t1, t2 = school_teachers(world, 2)
    client = api_client("school_a")
    good = workbook([(t1.external_id, t1.name, sub.pk), (t2.external_id, t2.name, sub.pk)])
    response = api_post(client, good, dry_run="true")
    assert response.status_code == 200 and response.json()["valid"] is True
    assert not Enrollment.objects.exists()
    response = api_post(client, good)
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 2
    assert Enrollment.objects.count() == 2
    # Sent again: both are duplicates, nothing written.
    with translation.override("zh-hans"):
        response = api_post(client, good, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "invalid_rows"
    assert [r["row"] for r in body["details"]["rows"]] == [2, 3]
    assert Enrollment.objects.count() == 2


def test_api_refuses_a_hostile_file_and_other_roles(world, api_client):
    response = api_post(api_client("district_a"), hostile_files.xxe())
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "file_refused"
    assert api_post(api_client("teacher_a"), workbook([])).status_code == 403
    assert api_post(api_client("vendor"), workbook([])).status_code == 403


# --- Hostile files ---------------------------------------------------------------------

#: corpus name → a word of the message it is refused with (zh-hans)
EXPECTED = {
    "zip-bomb": "解压后超过 16 MB",
    "lying-sizes": "可能已损坏",
    "nested-zip": "内嵌了其他压缩包",
    "many-entries": "超过 100 个部件",
    "billion-laughs-strings": "DTD",
    "billion-laughs-sheet": "DTD",
    "xxe": "DTD",
    "malformed-strings": "可能已损坏",
    "far-row": "超过 1000 行",
    "row-past-cap": "超过 1000 行",
    "hidden-row": "超过 1000 行",
    "moved-sheet": "超过 1000 行",
    "huge-dimension": "超过 1000 行",
    "far-column": "没有数据行",
    "million-rows": "文件超过 2 MB",
    "formula": "公式",
    "text-renamed": "不符",
    "png-renamed": "不符",
    "truncated": "可能已损坏",
    "pk-but-not-zip": "可能已损坏",
}


@functools.cache
def corpus(key):
    maker, name = hostile_files.CORPUS[key]
    return maker(), name


def test_every_corpus_file_has_an_expectation():
    assert set(EXPECTED) == set(hostile_files.CORPUS)


@pytest.mark.parametrize("key", list(EXPECTED))
def test_a_hostile_workbook_is_refused_with_its_message(world, login, key):
    content, name = corpus(key)
    client = login(world.user("district_a"))
    url = reverse("training:nomination-upload")
    with translation.override("zh-hans"):
        response = client.post(url, {"file": upload(content, name)})
    assert response.status_code == 200
    message = response.context["form"].errors["file"][0]
    assert EXPECTED[key] in message, message
    assert not NominationImport.objects.exists()
    assert not Enrollment.objects.exists()


def test_the_pages_are_chinese(world, login, sub):
    from tests.core.test_chinese_pages import english_words

    t = school_teachers(world, 1)[0]
    client = login(world.user("school_a"))
    page = client.get(reverse("training:nomination-upload"))
    assert english_words(page.content.decode()) == []
    rows = [(t.external_id, t.name, sub.pk), ("NOPE", "某", sub.pk), (t.external_id, "别人", "")]
    response = client.post(
        reverse("training:nomination-upload"), {"file": upload(workbook(rows), "提名名单.xlsx")}
    )
    page = client.get(response["Location"])
    html = page.content.decode()
    assert english_words(html) == [], english_words(html)
    assert 'data-error-row="3"' in html and 'data-error-row="4"' in html
    assert "您可提名的教师中没有此编号" in html


def test_api_refuses_a_bad_sub_project_id_and_a_missing_file(world, sub, api_client):
    client = api_client("school_a")
    t = school_teachers(world, 1)[0]
    content = workbook([(t.external_id, t.name, "")])
    assert api_post(client, content, subproject="abc").status_code == 400
    assert api_post(client, content, subproject="999999").status_code == 404
    response = client.post(reverse("api:training-nomination-import"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "file_required"
    assert api_post(client, content, subproject=str(sub.pk)).status_code == 201
