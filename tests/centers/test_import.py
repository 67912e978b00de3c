"""Excel import: upload → validation of every row → preview → all-or-nothing
commit; refused files; the same file twice changes nothing."""

import dataclasses
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from centers import imports
from centers.models import ImportBatch, ImportStatus, StaffMember, Teacher
from centers.rows import headers_for
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(kind, rows, *, headers=None):
    wb = Workbook()
    ws = wb.active
    labels = dict(headers_for(kind))
    fields = list(rows[0]) if rows else [f for f, _l in headers_for(kind)]
    ws.append(headers or [labels[f] for f in fields])
    for row in rows:
        ws.append([row.get(f, "") for f in fields])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(content, name="import.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def teacher_rows(world, n=3):
    return [
        {
            "external_id": f"X{i}",
            "name": f"导入教师{i}",
            "id_number": make_id_number(),
            "school": world.school_a.name,
            "subject": "语文",
            "title": "一级",
            "role": "教师",
            "career_stage": "合格",
        }
        for i in range(n)
    ]


def post_upload(client, kind, content, name="import.xlsx"):
    return client.post(
        reverse("centers:import-upload"), {"kind": kind, "file": upload(content, name)}
    )


def test_teachers_import_preview_then_commit_then_same_file_again(world, login):
    client = login(world.user("district_a"))
    content = workbook("teachers", teacher_rows(world))
    before = Teacher.objects.count()
    response = post_upload(client, "teachers", content)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.PREVIEW and not batch.errors
    assert Teacher.objects.count() == before  # nothing written before the commit
    preview = client.get(reverse("centers:import-preview", args=[batch.pk])).content.decode()
    assert batch.rows[0]["id_number"] not in preview  # masked in the preview too
    client.post(reverse("centers:import-commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert batch.summary == {"created": 3, "updated": 0, "unchanged": 0}
    assert Teacher.objects.count() == before + 3
    assert all("*" in row["id_number"] for row in batch.rows)  # no whole numbers kept
    # Committing again does nothing.
    client.post(reverse("centers:import-commit", args=[batch.pk]))
    assert Teacher.objects.count() == before + 3
    # The same file again: nothing changes.
    post_upload(client, "teachers", content)
    second = ImportBatch.objects.latest("pk")
    client.post(reverse("centers:import-commit", args=[second.pk]))
    second.refresh_from_db()
    assert second.summary == {"created": 0, "updated": 0, "unchanged": 3}
    assert Teacher.objects.count() == before + 3


def test_one_bad_row_writes_nothing_and_is_named(world, login):
    client = login(world.user("district_a"))
    rows = teacher_rows(world, 4)
    rows[2]["id_number"] = "440106198513011234"  # month 13
    before = Teacher.objects.count()
    post_upload(client, "teachers", workbook("teachers", rows))
    batch = ImportBatch.objects.get()
    assert list(batch.errors) == ["4"]  # the Excel row: header is row 1
    response = client.get(reverse("centers:import-preview", args=[batch.pk]))
    body = response.content.decode()
    assert 'data-error-row="4"' in body
    assert body.count("data-error-row") == 1
    client.post(reverse("centers:import-commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW
    assert Teacher.objects.count() == before


def test_a_row_of_another_district_is_refused(world, login):
    client = login(world.user("district_a"))
    rows = teacher_rows(world, 2)
    rows[1]["school"] = world.school_b.name
    rows[1]["district"] = world.district_b.name
    post_upload(client, "teachers", workbook("teachers", rows))
    assert list(ImportBatch.objects.get().errors) == ["3"]


def test_staff_import_is_idempotent(world, login):
    client = login(world.user("center_a"))
    rows = [
        {
            "external_id": f"YX{i}",
            "name": f"研训员{i}",
            "employment": "专职" if i % 2 else "兼职",
            "is_research_staff": "是",
            "title": "高级",
            "honour": "市级学科带头人",
            "degree": "硕士研究生",
            "years_teaching": 12,
            "hired_on": "2018-09-01",
        }
        for i in range(4)
    ]
    content = workbook("staff", rows)
    for expected in (
        {"created": 4, "updated": 0, "unchanged": 0},
        {"created": 0, "updated": 0, "unchanged": 4},
    ):
        post_upload(client, "staff", content)
        batch = ImportBatch.objects.latest("pk")
        assert not batch.errors, batch.errors
        client.post(reverse("centers:import-commit", args=[batch.pk]))
        batch.refresh_from_db()
        assert batch.summary == expected
    staff = StaffMember.objects.filter(center=world.center_a)
    assert staff.count() == 4
    assert {s.honour for s in staff} == {"municipal_leader"}


def test_schools_import(world, login):
    client = login(world.user("district_a"))
    rows = [{"external_id": "NEW1", "name": "天河新学校", "stage": "小学", "ownership": "民办"}]
    post_upload(client, "schools", workbook("schools", rows))
    batch = ImportBatch.objects.get()
    client.post(reverse("centers:import-commit", args=[batch.pk]))
    assert world.district_a.schools.filter(external_id="NEW1", ownership="private").exists()


def _refused(client, kind, content, name="import.xlsx"):
    response = post_upload(client, kind, content, name)
    assert response.status_code == 200
    assert not ImportBatch.objects.exists()
    return response.context["form"].errors["file"][0]


def test_wrong_file_type_is_refused(world, login):
    client = login(world.user("district_a"))
    message = _refused(client, "teachers", b"name,id\n", name="teachers.csv")
    assert ".xlsx" in message


def test_a_file_that_is_not_a_workbook_is_refused(world, login):
    client = login(world.user("district_a"))
    assert _refused(client, "teachers", b"not a zip at all")


def test_a_malformed_workbook_is_refused(world, login):
    client = login(world.user("district_a"))
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "no workbook here")
    assert _refused(client, "teachers", out.getvalue())


def test_an_oversized_file_is_refused(world, login, monkeypatch):
    monkeypatch.setattr(
        imports, "UPLOAD_POLICY", dataclasses.replace(imports.UPLOAD_POLICY, max_bytes=1000)
    )
    client = login(world.user("district_a"))
    message = _refused(client, "teachers", workbook("teachers", teacher_rows(world, 30)))
    assert "MB" in message


def test_too_many_rows_are_refused(world, login, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 5)
    monkeypatch.setattr(
        imports, "UPLOAD_POLICY", dataclasses.replace(imports.UPLOAD_POLICY, max_rows=5)
    )
    client = login(world.user("district_a"))
    assert "5" in _refused(client, "teachers", workbook("teachers", teacher_rows(world, 6)))


def test_missing_columns_are_refused(world, login):
    client = login(world.user("district_a"))
    content = workbook("teachers", [{"subject": "语文"}], headers=["学科"])
    assert _refused(client, "teachers", content)


def test_an_empty_workbook_is_refused(world, login):
    client = login(world.user("district_a"))
    assert _refused(client, "teachers", workbook("teachers", []))


def test_the_template_downloads_with_every_column(world, login):
    client = login(world.user("district_a"))
    response = client.get(reverse("centers:import-template", args=["teachers"]))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in ws[1]]
    assert len(headers) == len(headers_for("teachers"))
    assert response["Content-Type"] == XLSX


def test_a_batch_is_visible_to_its_owner_only(world, login):
    client = login(world.user("district_a"))
    post_upload(client, "teachers", workbook("teachers", teacher_rows(world, 1)))
    batch = ImportBatch.objects.get()
    other = login(world.user("bureau"))
    assert other.get(reverse("centers:import-preview", args=[batch.pk])).status_code == 404
    assert other.post(reverse("centers:import-commit", args=[batch.pk])).status_code == 404


def test_roles_without_write_rights_cannot_import(world, login):
    client = login(world.user("teacher_a"))
    assert client.get(reverse("centers:import-template", args=["teachers"])).status_code == 403
