"""Guidance of district centers (业务指导, charter 第八条(五): 各成员单位……定期
共同对区级教师发展中心提供业务指导和资源服务): the guiding member center records
the visit, its findings and the follow-up asked; the visited district's staff
report on the follow-up; another center's staff neither change nor record it."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from alliance import services
from alliance.models import GuidanceVisit
from core.inbox import inbox
from tests.contracts import ApiContract, PageContract, assert_constant_queries

pytestmark = pytest.mark.django_db

LIST = "api:alliance-guidance-list"


@pytest.fixture(autouse=True)
def _handover_done_today():
    cache.set(services.SYNC_CACHE_KEY.format(day=timezone.localdate().isoformat()), True)


def visit(world, center=None, **extra):
    values = {
        "visited_on": date(2026, 10, 15),
        "topic": "区级骨干教师培训实施指导",
        "findings": "课程设置偏重讲授",
        **extra,
    }
    return GuidanceVisit.objects.create(
        center=center or world.center_a, district_center=world.district_center_a, **values
    )


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def detail(v):
    return reverse("api:alliance-guidance-detail", args=[v.pk])


class TestVisitPage(PageContract):
    """The visited district reads its visits; another district gets 404."""

    permitted = "district_a"
    outside = "district_b"
    forbidden = "teacher_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = visit(world)

    def url(self, world):
        return self.obj.get_absolute_url()


class TestVisitApi(ApiContract):
    permitted = "center_b"  # every member sees the guidance given
    outside = "district_b"
    forbidden = "school_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = visit(world)

    def url(self, world):
        return detail(self.obj)


def test_a_member_guides_a_district_center(world, alliance, login):
    """第八条(五): 各成员单位 (member centers) guide 区级教师发展中心 (district
    centers) — not the other way round, nor a member guiding a member."""
    client = login(world.user("center_a"))
    data = {
        "center": world.center_a.pk,
        "district_center": world.center_b.pk,  # a member, not a district center
        "visited_on": "2026-10-15",
        "topic": "指导",
    }
    response = post(client, reverse(LIST), data)
    assert response.status_code == 400
    assert "district_center" in response.json()["error"]["details"]
    data["district_center"] = world.district_center_a.pk
    response = post(client, reverse(LIST), {**data, "partner_centers": [world.center_a.pk]})
    assert response.status_code == 400  # the guiding center is not also "joined by"
    response = post(client, reverse(LIST), {**data, "partner_centers": [world.center_b.pk]})
    assert response.status_code == 201, response.json()
    assert response.json()["partner_centers"] == [world.center_b.pk]


def test_another_centers_staff_neither_record_nor_change_it(world, alliance, login):
    """Cross-center refusal: center B's staff record no visit in center A's
    name (403) and cannot change center A's visit (404)."""
    other = login(world.user("center_b"))
    data = {
        "center": world.center_a.pk,
        "district_center": world.district_center_a.pk,
        "visited_on": "2026-10-15",
        "topic": "指导",
    }
    assert post(other, reverse(LIST), data).status_code == 403
    v = visit(world)
    assert patch(other, detail(v), {"topic": "改"}).status_code == 404
    assert other.get(reverse("alliance:guidance-edit", args=[v.pk])).status_code == 404


def test_findings_follow_the_visit_and_the_follow_up_has_a_due_date(world, alliance, login):
    client = login(world.user("center_a"))
    future = (timezone.localdate() + timedelta(days=10)).isoformat()
    base = {
        "center": world.center_a.pk,
        "district_center": world.district_center_a.pk,
        "topic": "指导",
    }
    response = post(client, reverse(LIST), {**base, "visited_on": future, "findings": "x"})
    assert "findings" in response.json()["error"]["details"]
    assert post(client, reverse(LIST), {**base, "visited_on": future}).status_code == 201
    response = post(
        client,
        reverse(LIST),
        {**base, "visited_on": "2026-10-15", "follow_up_status": "open", "findings": "x"},
    )
    assert {"follow_up_due", "recommendations"} <= set(response.json()["error"]["details"])
    response = post(
        client,
        reverse(LIST),
        {
            **base,
            "visited_on": "2026-10-15",
            "follow_up_status": "open",
            "recommendations": "整改课程",
            "follow_up_due": "2026-10-01",  # before the visit: the CHECK's message, 400
        },
    )
    assert response.status_code == 400
    v = visit(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        GuidanceVisit.objects.filter(pk=v.pk).update(follow_up_due=date(2026, 1, 1))


def test_the_district_reports_on_the_follow_up_only(world, alliance, login):
    v = visit(
        world,
        recommendations="调整课程结构",
        follow_up_due=timezone.localdate() + timedelta(days=30),
        follow_up_status="open",
    )
    district = world.user("district_a")
    assert {g.source.key: g.count for g in inbox(district)}["alliance-guidance-follow-up"] == 1
    client = login(district)
    assert patch(client, detail(v), {"findings": "改写"}).status_code == 403
    assert post(client, reverse(LIST), {}).status_code == 403
    assert patch(client, detail(v), {"follow_up_status": "done"}).status_code == 400
    response = patch(
        client, detail(v), {"follow_up_status": "done", "follow_up_report": "已调整课程"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["follow_up_done_on"] == timezone.localdate().isoformat()
    assert "alliance-guidance-follow-up" not in {g.source.key for g in inbox(district)}
    # the page: the district's form shows the visit read-only
    page = client.get(reverse("alliance:guidance-edit", args=[v.pk]))
    assert page.context["form"].fields["findings"].disabled
    assert not page.context["form"].fields["follow_up_report"].disabled
    # another district does not see it at all
    assert login(world.user("district_b")).get(detail(v)).status_code == 404


def test_coverage_shows_districts_not_visited_this_year(world, alliance, login):
    """定期 (regularly): a district center with no visit in the year shows 0."""
    from tests.factories import CenterFactory

    quiet = CenterFactory(
        code="district-quiet", name="海珠区教师发展中心", kind="district", district=world.district_b
    )
    visit(world, visited_on=date(2026, 3, 1))
    rows = services.guidance_coverage(year=2026, user=world.user("bureau"))
    assert [(c.pk, n) for c, n, _open in rows] == [(quiet.pk, 0), (world.district_center_a.pk, 1)]
    response = login(world.user("bureau")).get(
        reverse("api:alliance-guidance-coverage") + "?year=2026"
    )
    assert response.json()["districts"][0]["visits"] == 0
    # a district sees its own row only
    rows = services.guidance_coverage(year=2026, user=world.user("district_a"))
    assert [c.pk for c, _n, _o in rows] == [world.district_center_a.pk]


def test_pages_render(world, alliance, secretariat, login):
    v = visit(world)
    v.partner_centers.add(world.center_b)
    client = login(world.user("center_a"))
    for url in (
        reverse("alliance:guidance-list"),
        reverse("alliance:guidance-add"),
        v.get_absolute_url(),
        reverse("alliance:guidance-edit", args=[v.pk]),
    ):
        assert client.get(url).status_code == 200
    response = client.post(
        reverse("alliance:guidance-add"),
        {
            "center": world.center_a.pk,
            "district_center": world.district_center_a.pk,
            "kind": "guidance",
            "visited_on": "2026-10-20",
            "topic": "送教指导",
            "follow_up_status": "none",
        },
    )
    assert response.status_code == 302, response.context["form"].errors


def test_lists_keep_a_constant_number_of_queries(world, alliance, login):
    client = login(world.user("bureau"))

    def add(n):
        for _ in range(n):
            visit(world).partner_centers.add(world.center_b)

    add(1)
    for url in (reverse("alliance:guidance-list"), reverse(LIST)):
        assert_constant_queries(client, url, add, more=2)
