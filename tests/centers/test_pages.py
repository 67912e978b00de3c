"""Permission contracts of every centers page: signed out → log-in, no
right → 403, outside the scope → 404, permitted → 200; and constant query
counts on the lists."""

import pytest
from django.urls import reverse

from tests.contracts import NOBODY_OUTSIDE, PageContract, assert_constant_queries
from tests.factories import SchoolFactory, TeacherFactory

from .factories import CampusFactory, RoomFactory, StaffFactory

pytestmark = pytest.mark.django_db


class TestTeacherDetail(PageContract):
    permitted = "school_a"
    outside = "district_b"
    forbidden = "vendor"

    def url(self, world):
        return reverse("centers:teacher-detail", args=[world.teacher_a.pk])


class TestTeacherEdit(PageContract):
    permitted = "school_a"
    outside = "district_b"
    forbidden = "center_a"

    def url(self, world):
        return reverse("centers:teacher-update", args=[world.teacher_a.pk])


class TestTeacherCreate(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "district_a"
    forbidden = "center_a"

    def url(self, world):
        return reverse("centers:teacher-create")


class TestSchoolDetail(PageContract):
    permitted = "district_a"
    outside = "district_b"
    forbidden = "vendor"

    def url(self, world):
        return reverse("centers:school-detail", args=[world.school_a.pk])


class TestSchoolEdit(PageContract):
    permitted = "district_a"
    outside = "district_b"
    forbidden = "center_a"

    def url(self, world):
        return reverse("centers:school-update", args=[world.school_a.pk])


class TestSchoolCreate(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "district_a"
    forbidden = "school_a"

    def url(self, world):
        return reverse("centers:school-create")


class TestDistrictDetail(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "district_a"
    forbidden = "outsider"

    def url(self, world):
        return reverse("centers:district-detail", args=[world.district_a.pk])


class TestDistrictEdit(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "bureau"
    forbidden = "district_a"

    def url(self, world):
        return reverse("centers:district-update", args=[world.district_a.pk])


class TestCenterDetail(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "teacher_a"
    forbidden = "outsider"

    def url(self, world):
        return reverse("centers:center-detail", args=[world.center_a.pk])


class TestCampusDetail(PageContract):
    permitted = "center_a"
    outside = "center_b"
    forbidden = "school_a"

    def url(self, world):
        return reverse("centers:campus-detail", args=[CampusFactory(center=world.center_a).pk])


class TestCampusEdit(PageContract):
    permitted = "center_a"
    outside = "center_b"
    forbidden = "teacher_a"

    def url(self, world):
        return reverse("centers:campus-update", args=[CampusFactory(center=world.center_a).pk])


class TestRoomEdit(PageContract):
    permitted = "center_a"
    outside = "center_b"
    forbidden = "teacher_a"

    def url(self, world):
        room = RoomFactory(campus=CampusFactory(center=world.center_a))
        return reverse("centers:room-update", args=[room.pk])


class TestStaffDetail(PageContract):
    permitted = "center_a"
    outside = "center_b"
    forbidden = "teacher_a"

    def url(self, world):
        return reverse("centers:staff-detail", args=[StaffFactory(center=world.center_a).pk])


class TestStaffEdit(PageContract):
    permitted = "center_a"
    outside = "center_b"
    forbidden = "school_a"

    def url(self, world):
        return reverse("centers:staff-update", args=[StaffFactory(center=world.center_a).pk])


class TestCenterStandards(PageContract):
    permitted = "center_a"
    outside = "center_b"
    forbidden = "teacher_a"

    def url(self, world):
        return reverse("centers:center-standards", args=[world.center_a.pk])


class TestDistrictCenterStandards(PageContract):
    permitted = "district_a"
    outside = "district_b"
    forbidden = "school_a"

    def url(self, world):
        return reverse("centers:center-standards", args=[world.district_center_a.pk])


class TestStandardsMatrix(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "bureau"
    forbidden = "center_a"

    def url(self, world):
        return reverse("centers:standards-matrix")


class TestMandateList(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "teacher_a"
    forbidden = "outsider"

    def url(self, world):
        return reverse("centers:mandate-list")


class TestImportUpload(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "district_a"
    forbidden = "teacher_a"

    def url(self, world):
        return reverse("centers:import-upload")


@pytest.mark.parametrize(
    "name",
    [
        "centers:district-list",
        "centers:school-list",
        "centers:teacher-list",
        "centers:staff-list",
        "centers:campus-list",
        "centers:room-list",
        "centers:mandate-list",
    ],
)
def test_lists_render_for_bureau(world, login, name):
    response = login(world.user("bureau")).get(reverse(name))
    assert response.status_code == 200


def test_lists_are_narrowed_to_scope(world, login):
    client = login(world.user("district_a"))
    body = client.get(reverse("centers:teacher-list")).content.decode()
    assert world.teacher_a.name in body
    assert world.teacher_b.name not in body
    body = client.get(reverse("centers:school-list")).content.decode()
    assert world.school_b.name not in body


def test_school_admin_sees_only_own_school(world, login):
    client = login(world.user("school_a"))
    response = client.get(reverse("centers:school-detail", args=[world.school_a2.pk]))
    assert response.status_code == 404


def test_district_staff_creates_school_only_in_own_district(world, login):
    client = login(world.user("district_a"))
    data = {"name": "新学校", "stage": "primary", "ownership": "public", "is_active": "on"}
    response = client.post(
        reverse("centers:school-create"), {**data, "district": world.district_b.pk}
    )
    assert response.status_code == 200
    assert "district" in response.context["form"].errors
    response = client.post(
        reverse("centers:school-create"), {**data, "district": world.district_a.pk}
    )
    assert response.status_code == 302


def test_editing_a_teacher_keeps_the_id_number_when_left_blank(world, login):
    teacher = world.teacher_a
    client = login(world.user("school_a"))
    response = client.get(reverse("centers:teacher-update", args=[teacher.pk]))
    assert teacher.id_number not in response.content.decode()
    data = {
        "school": teacher.school_id,
        "name": "李老师（改）",
        "id_number": "",
        "subject": "数学",
        "stage": "primary",
        "title": "first",
        "role": "teacher",
        "career_stage": "key",
        "is_active": "on",
    }
    response = client.post(reverse("centers:teacher-update", args=[teacher.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    teacher.refresh_from_db()
    assert teacher.name == "李老师（改）"
    assert teacher.id_number == world.teacher_a.id_number


def test_teacher_create_refuses_a_bad_check_digit(world, login):
    client = login(world.user("district_a"))
    bad = world.teacher_a.id_number[:17] + ("0" if world.teacher_a.id_number[17] != "0" else "1")
    response = client.post(
        reverse("centers:teacher-create"),
        {
            "school": world.school_a.pk,
            "name": "新老师",
            "id_number": bad,
            "stage": "primary",
            "title": "none",
            "role": "teacher",
            "career_stage": "new",
        },
    )
    assert response.status_code == 200
    assert "id_number" in response.context["form"].errors


@pytest.mark.parametrize(
    "name,add",
    [
        (
            "centers:teacher-list",
            lambda w, n: [TeacherFactory(school=w.school_a) for _ in range(n)],
        ),
        (
            "centers:school-list",
            lambda w, n: [SchoolFactory(district=w.district_a) for _ in range(n)],
        ),
        ("centers:staff-list", lambda w, n: [StaffFactory(center=w.center_a) for _ in range(n)]),
        (
            "centers:campus-list",
            lambda w, n: [RoomFactory(campus=CampusFactory(center=w.center_a)) for _ in range(n)],
        ),
        (
            "centers:room-list",
            lambda w, n: [RoomFactory(campus=CampusFactory(center=w.center_a)) for _ in range(n)],
        ),
        ("centers:district-list", lambda w, n: [SchoolFactory() for _ in range(n)]),
    ],
)
def test_lists_make_a_constant_number_of_queries(world, login, name, add):
    client = login(world.user("bureau"))
    add(world, 1)  # an empty page skips the row query
    assert_constant_queries(client, reverse(name), lambda n: add(world, n))


def test_center_detail_makes_a_constant_number_of_queries(world, login):
    client = login(world.user("bureau"))
    campus = CampusFactory(center=world.center_a)

    def add(n):
        for _ in range(n):
            RoomFactory(campus=CampusFactory(center=world.center_a))
            RoomFactory(campus=campus)
            StaffFactory(center=world.center_a)

    assert_constant_queries(client, reverse("centers:center-detail", args=[world.center_a.pk]), add)


def test_bureau_home_shows_the_federation_panel(world, login, staffed):
    response = login(world.user("bureau")).get(reverse("home"))
    assert 'data-panel="federation-at-a-glance"' in response.content.decode()
    response = login(world.user("district_a")).get(reverse("home"))
    assert 'data-panel="federation-at-a-glance"' not in response.content.decode()


class TestStaffList(PageContract):
    outside = "center_a"  # on a center B staff member's page
    permitted = "district_a"
    forbidden = "teacher_a"

    def url(self, world):
        return reverse("centers:staff-list")

    def outside_url(self, world):
        return reverse("centers:staff-detail", args=[StaffFactory(center=world.center_b).pk])


class TestFacilitiesList(PageContract):
    outside = "center_a"  # on a center B campus
    permitted = "center_b"
    forbidden = "school_a"

    def url(self, world):
        return reverse("centers:campus-list")

    def outside_url(self, world):
        return reverse("centers:campus-detail", args=[CampusFactory(center=world.center_b).pk])


class TestTeacherList(PageContract):
    outside = "teacher_a"  # on another teacher's page
    permitted = "teacher_a"
    forbidden = "vendor"

    def url(self, world):
        return reverse("centers:teacher-list")

    def outside_url(self, world):
        return reverse("centers:teacher-detail", args=[world.teacher_b.pk])


class TestSchoolList(PageContract):
    outside = "school_a"  # on another school's page
    permitted = "school_a"
    forbidden = "teacher_a"

    def url(self, world):
        return reverse("centers:school-list")

    def outside_url(self, world):
        return reverse("centers:school-detail", args=[world.school_b.pk])


class TestStaffRecordCreate(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "center_a"
    forbidden = "school_a"

    def url(self, world):
        return reverse("centers:record-create")


def test_center_staff_cannot_put_a_campus_on_another_center(world, login):
    client = login(world.user("center_a"))
    response = client.post(
        reverse("centers:campus-create"), {"center": world.center_b.pk, "name": "x", "kind": "main"}
    )
    assert response.status_code == 200
    assert "center" in response.context["form"].errors


def test_activity_record_days_are_bounded(world, login, staffed):
    client = login(world.user("center_a"))
    response = client.post(
        reverse("centers:record-create"),
        {
            "staff": staffed["staff"].pk,
            "year": 2024,
            "school_days_autumn": 300,
            "school_days_spring": 20,
            "lessons_observed": 120,
            "took_part": "on",
        },
    )
    assert response.status_code == 200
    assert "school_days_autumn" in response.context["form"].errors


def test_federation_panel_makes_a_constant_number_of_queries(world, login):
    from tests.factories import CenterFactory

    client = login(world.user("bureau"))
    StaffFactory(center=world.center_a)

    def add(n):
        for _ in range(n):
            center = CenterFactory()
            StaffFactory(center=center)
            RoomFactory(campus=CampusFactory(center=center))

    from types import SimpleNamespace

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from centers.panels import federation_context
    from core.permissions import get_scope

    bureau = SimpleNamespace(user=world.user("bureau"))
    get_scope(bureau.user)  # once per request, before the panel's own queries

    with CaptureQueriesContext(connection) as before:
        context = federation_context(bureau)
    add(5)
    with CaptureQueriesContext(connection) as after:
        bigger = federation_context(bureau)
    assert len(before.captured_queries) == len(after.captured_queries)
    assert bigger["centers_total"] == context["centers_total"] + 5
    assert client.get(reverse("home")).status_code == 200
