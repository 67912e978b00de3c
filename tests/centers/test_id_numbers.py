"""ID numbers: validated by their check digit, unique, masked for every role
in pages, API and exports; shown whole only to the bureau and the teacher's
own district staff, through an explicit action that is audited."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from centers.validators import mask_id_number, validate_id_number
from core.exports import run_export, start_export
from core.models import AuditAction, AuditEntry
from tests.factories import TeacherFactory, make_id_number

pytestmark = pytest.mark.django_db

# Every actor who may see teacher A at all, and none may see the whole number
# without the explicit action.
VIEWERS = ["bureau", "center_a", "center_b", "district_a", "school_a", "teacher_a"]
NOT_ALLOWED_WHOLE = ["center_a", "center_b", "school_a", "teacher_a"]


def test_check_digit_and_format():
    good = make_id_number()
    validate_id_number(good)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError):
        validate_id_number(wrong)
    with pytest.raises(ValidationError):
        validate_id_number("44010419851315123X")  # month 13
    with pytest.raises(ValidationError):
        validate_id_number("4401041985")
    assert mask_id_number("440104198506151234") == "440104********1234"


def test_id_numbers_are_unique(world):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        TeacherFactory(school=world.school_a, id_number=world.teacher_a.id_number)


@pytest.mark.parametrize("actor", VIEWERS)
def test_pages_show_only_the_masked_number(world, login, actor):
    teacher = world.teacher_a
    client = login(world.user(actor))
    body = client.get(reverse("centers:teacher-detail", args=[teacher.pk])).content.decode()
    assert teacher.id_number not in body
    assert teacher.masked_id_number in body
    if actor in ("bureau", "district_a", "school_a", "center_a"):
        body = client.get(reverse("centers:teacher-list")).content.decode()
        assert teacher.id_number not in body
        assert teacher.masked_id_number in body


@pytest.mark.parametrize("actor", [*VIEWERS, "system_a"])
def test_api_shows_only_the_masked_number(world, login, actor):
    teacher = world.teacher_a
    client = login(world.user(actor))
    response = client.get(f"/api/v1/teachers/{teacher.pk}/")
    assert response.status_code == 200
    assert response.json()["id_number"] == teacher.masked_id_number
    assert teacher.id_number not in response.content.decode()
    listing = client.get("/api/v1/teachers/").content.decode()
    assert teacher.id_number not in listing


@pytest.mark.parametrize("actor", ["bureau", "district_a", "school_a", "center_a"])
def test_exports_show_only_the_masked_number(world, actor):
    teacher = world.teacher_a
    job = start_export(user=world.user(actor), identifier="teachers")
    job.refresh_from_db()
    job = run_export(job)
    assert job.status == "done", job.error
    cells = [
        str(v)
        for row in load_workbook(io.BytesIO(job.file.read())).active.iter_rows(values_only=True)
        for v in row
    ]
    assert teacher.id_number not in cells
    assert teacher.masked_id_number in cells


@pytest.mark.parametrize("actor", ["bureau", "district_a"])
def test_allowed_roles_see_the_whole_number_and_it_is_audited(world, login, actor):
    teacher = world.teacher_a
    client = login(world.user(actor))
    detail = client.get(reverse("centers:teacher-detail", args=[teacher.pk])).content.decode()
    assert reverse("centers:teacher-reveal-id", args=[teacher.pk]) in detail
    response = client.post(reverse("centers:teacher-reveal-id", args=[teacher.pk]))
    assert response.status_code == 200
    assert teacher.id_number in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(action=AuditAction.SENSITIVE_VIEW)
    assert entry.actor == world.user(actor)
    assert entry.object_id == str(teacher.pk)
    assert entry.object_type == "centers.teacher"


@pytest.mark.parametrize("actor", NOT_ALLOWED_WHOLE)
def test_other_roles_cannot_have_it_shown(world, login, actor):
    teacher = world.teacher_a
    client = login(world.user(actor))
    detail = client.get(reverse("centers:teacher-detail", args=[teacher.pk])).content.decode()
    assert reverse("centers:teacher-reveal-id", args=[teacher.pk]) not in detail
    response = client.post(reverse("centers:teacher-reveal-id", args=[teacher.pk]))
    assert response.status_code == 403
    assert teacher.id_number not in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.SENSITIVE_VIEW).exists()


def test_district_staff_of_another_district_gets_404(world, login):
    client = login(world.user("district_b"))
    response = client.post(reverse("centers:teacher-reveal-id", args=[world.teacher_a.pk]))
    assert response.status_code == 404


def test_reveal_needs_post(world, login):
    client = login(world.user("bureau"))
    response = client.get(reverse("centers:teacher-reveal-id", args=[world.teacher_a.pk]))
    assert response.status_code == 405


def test_audit_of_teacher_changes_leaves_the_number_out(world):
    teacher = world.teacher_a
    teacher.name = "改名"
    teacher.save()
    entry = AuditEntry.objects.filter(object_type="centers.teacher", action="update").last()
    assert "id_number" not in entry.changes
