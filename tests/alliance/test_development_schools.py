"""Teacher-development schools (教师发展学校建设). All the seeds say, in the
charter (001): 第七条, the 中小学 center 负责指导各区教师发展中心实施……教师发展学校
建设 (a district center carries the building out); 第八条(五), 各成员单位……承担
区域内……教师发展学校建设的协调指导工作 (a member center guides it). No seed names
a designating body, a count or a term, so none is enforced."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from alliance import exporters, services
from alliance.models import TeacherDevelopmentSchool
from centers.models import Center, CenterKind
from core.models import AuditEntry
from tests.contracts import ApiContract, PageContract, assert_constant_queries
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

LIST = "api:alliance-school-list"


@pytest.fixture(autouse=True)
def _handover_done_today():
    cache.set(services.SYNC_CACHE_KEY.format(day=timezone.localdate().isoformat()), True)


def tds(world, school=None, guiding=None, **extra):
    values = {"focus": "校本研训", "since": date(2025, 9, 1), **extra}
    return TeacherDevelopmentSchool.objects.create(
        school=school or world.school_a,
        district_center=world.district_center_a,
        guiding_center=guiding or world.center_a,
        **values,
    )


def post(client, data):
    return client.post(reverse(LIST), data, content_type="application/json")


def patch(client, obj, data):
    url = reverse("api:alliance-school-detail", args=[obj.pk])
    return client.patch(url, data, content_type="application/json")


def body(world, **extra):
    return {
        "school": world.school_a.pk,
        "district_center": world.district_center_a.pk,
        "guiding_center": world.center_a.pk,
        "focus": "新教师跟岗实践",
        "since": "2026-09-01",
        **extra,
    }


class TestSchoolPage(PageContract):
    """The district center building it reads its own; another district 404."""

    permitted = "district_a"
    outside = "district_b"
    forbidden = "teacher_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = tds(world)

    def url(self, world):
        return self.obj.get_absolute_url()


class TestSchoolApi(ApiContract):
    permitted = "center_b"  # every member sees the schools
    outside = "district_b"
    forbidden = "school_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = tds(world)

    def url(self, world):
        return reverse("api:alliance-school-detail", args=[self.obj.pk])


def test_the_guiding_center_records_its_own_schools_only(world, alliance, login):
    """第八条(五): 各成员单位……承担……教师发展学校建设的协调指导工作 — for itself:
    center B's staff neither record one in center A's name nor change A's."""
    response = post(login(world.user("center_b")), body(world))
    assert response.status_code == 403
    response = post(login(world.user("center_a")), body(world))
    assert response.status_code == 201, response.json()
    obj = TeacherDevelopmentSchool.objects.get()
    assert patch(login(world.user("center_b")), obj, {"focus": "x"}).status_code == 404
    assert AuditEntry.objects.filter(object_id=str(obj.pk)).exists()


def test_the_building_is_the_schools_own_district_centers(world, alliance, login):
    """第七条: 各区教师发展中心实施……教师发展学校建设 — the district center named
    is a district center, that of the school's district."""
    client = login(world.user("center_a"))
    response = post(client, body(world, school=world.school_b.pk))
    assert response.status_code == 400
    assert "school" in response.json()["error"]["details"]
    response = post(client, body(world, district_center=world.center_b.pk))
    assert response.status_code == 400
    assert "district_center" in response.json()["error"]["details"]


def test_the_guiding_center_is_a_member(world, alliance, secretariat, login):
    outsider = Center.objects.create(code="not-member", name="非成员", kind=CenterKind.MUNICIPAL)
    response = post(login(secretariat), body(world, guiding_center=outsider.pk))
    assert response.status_code == 400
    assert "guiding_center" in response.json()["error"]["details"]


def test_the_district_reports_progress_only(world, alliance, login):
    obj = tds(world)
    client = login(world.user("district_a"))
    assert patch(client, obj, {"focus": "改"}).status_code == 403
    response = patch(client, obj, {"progress": "完成两轮课例研究"})
    assert response.status_code == 200, response.json()
    obj.refresh_from_db()
    assert (obj.progress, obj.focus) == ("完成两轮课例研究", "校本研训")
    assert post(client, body(world)).status_code == 403
    # another district neither reads nor changes it
    assert patch(login(world.user("district_b")), obj, {"progress": "x"}).status_code == 404


def test_one_current_building_per_school_and_leaving_has_a_reason(world, alliance, login):
    obj = tds(world)
    client = login(world.user("center_a"))
    response = post(client, body(world))
    assert response.status_code == 400, response.json()  # already one, 400 not 500
    response = patch(client, obj, {"ended_on": "2026-07-31"})
    assert response.status_code == 400
    assert "end_reason" in response.json()["error"]["details"]
    response = patch(client, obj, {"ended_on": "2025-01-01", "end_reason": "合并"})
    assert response.status_code == 400
    response = patch(client, obj, {"ended_on": "2026-07-31", "end_reason": "学校合并"})
    assert response.status_code == 200
    assert post(client, body(world)).status_code == 201  # joins again
    with pytest.raises(IntegrityError), transaction.atomic():
        TeacherDevelopmentSchool.objects.filter(pk=obj.pk).update(end_reason="")


def test_the_page_form_records_one(world, alliance, login):
    client = login(world.user("center_a"))
    assert client.get(reverse("alliance:devschool-list")).status_code == 200
    response = client.post(
        reverse("alliance:devschool-add"),
        {
            "school": world.school_a.pk,
            "district_center": world.district_center_a.pk,
            "guiding_center": world.center_a.pk,
            "focus": "新教师跟岗实践",
            "since": "2026-09-01",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    response = client.post(
        reverse("alliance:devschool-add"),
        {
            "school": world.school_b.pk,
            "district_center": world.district_center_a.pk,
            "guiding_center": world.center_a.pk,
            "focus": "x",
            "since": "2026-09-01",
        },
    )
    assert response.status_code == 200 and "school" in response.context["form"].errors


def test_lists_and_export_keep_a_constant_number_of_queries(world, alliance, login):
    client = login(world.user("bureau"))

    def add(n):
        for _ in range(n):
            school = SchoolFactory(district=world.district_a)
            tds(world, school=school)

    add(1)
    for url in (reverse("alliance:devschool-list"), reverse(LIST)):
        assert_constant_queries(client, url, add, more=2)


def test_export_follows_the_scope(world, alliance):
    tds(world)
    rows = lambda user: [list(s.rows) for s in exporters.DevelopmentSchoolExporter(user).sheets()]  # noqa: E731
    assert [r[0] for r in rows(world.user("district_a"))[0]] == [world.school_a.name]
    assert rows(world.user("district_b"))[0] == []
    assert not exporters.DevelopmentSchoolExporter.allowed(world.user("teacher_a"))
