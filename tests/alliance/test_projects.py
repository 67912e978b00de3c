"""Joint projects (联合项目): major tasks and projects the council plans and
the member centers carry out together (charter art. 7), with a lead center
and partner centers."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from alliance import services
from alliance.models import JointProject, ProjectStatus
from tests.contracts import NOBODY_OUTSIDE, ApiContract, PageContract, assert_constant_queries
from tests.factories import CenterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _handover_done_today():
    cache.set(services.SYNC_CACHE_KEY.format(day=timezone.localdate().isoformat()), True)


def project(lead, *partners, title="课程共建项目", **extra):
    p = JointProject.objects.create(
        title=title, lead_center=lead, starts_on=date(2026, 9, 1), **extra
    )
    p.partner_centers.set(partners)
    return p


def api_post(client, url, data):
    return client.post(url, data, content_type="application/json")


def api_patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


class TestProjectListPage(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "center_b"
    forbidden = "district_a"

    def url(self, world):
        return reverse("alliance:project-list")


class TestProjectEditPage(PageContract):
    """The lead center keeps its project; a partner's staff cannot edit it."""

    permitted = "center_a"
    outside = "center_b"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = project(world.center_a, world.center_b)

    def url(self, world):
        return reverse("alliance:project-edit", args=[self.obj.pk])


class TestProjectApi(ApiContract):
    outside = NOBODY_OUTSIDE
    permitted = "center_b"
    forbidden = "district_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = project(world.center_a, world.center_b)

    def url(self, world):
        return reverse("api:alliance-project-detail", args=[self.obj.pk])


def test_pages_render(world, alliance, secretariat, login):
    p = project(world.center_a, world.center_b)
    client = login(secretariat)
    for url in (
        reverse("alliance:project-list"),
        reverse("alliance:project-add"),
        reverse("alliance:project-detail", args=[p.pk]),
    ):
        assert client.get(url).status_code == 200
    assert str(world.center_b) in client.get(p.get_absolute_url()).content.decode()


def test_lead_and_partners_are_members_and_distinct(world, alliance, secretariat, login):
    client = login(secretariat)
    other = CenterFactory(code="not-member")
    data = {
        "title": "联合项目",
        "lead_center": world.center_a.pk,
        "partner_centers": [],
        "starts_on": "2026-09-01",
    }
    url = reverse("api:alliance-project-list")
    response = api_post(client, url, data)
    assert response.status_code == 400
    assert "partner_centers" in response.json()["error"]["details"]
    data["partner_centers"] = [world.center_a.pk]  # the lead as its own partner
    response = api_post(client, url, data)
    assert response.status_code == 400
    assert "partner_centers" in response.json()["error"]["details"]
    data.update(lead_center=other.pk, partner_centers=[world.center_b.pk])
    response = api_post(client, url, data)
    assert response.status_code == 400
    assert "lead_center" in response.json()["error"]["details"]
    # the page says the same
    response = client.post(reverse("alliance:project-add"), {**data, "status": "planned"})
    assert response.status_code == 200 and response.context["form"].errors["lead_center"]
    data["lead_center"] = world.center_a.pk
    response = api_post(client, url, data)
    assert response.status_code == 201, response.json()
    assert list(JointProject.objects.get().partner_centers.all()) == [world.center_b]


def test_completed_needs_end_date_and_outcome(world, alliance, login):
    p = project(world.center_a, world.center_b)
    client = login(world.user("center_a"))
    url = reverse("api:alliance-project-detail", args=[p.pk])
    response = api_patch(client, url, {"status": "completed"})
    assert response.status_code == 400
    assert {"ends_on", "outcome"} <= set(response.json()["error"]["details"])
    response = api_patch(client, url, {"ends_on": "2026-08-01"})  # before the start
    assert response.status_code == 400
    response = api_patch(
        client, url, {"status": "completed", "ends_on": "2027-06-30", "outcome": "开发课程12门"}
    )
    assert response.status_code == 200, response.json()
    p.refresh_from_db()
    assert p.status == ProjectStatus.COMPLETED


def test_lead_staff_cannot_hand_the_lead_over(world, alliance, login):
    p = project(world.center_a, world.center_b)
    client = login(world.user("center_a"))
    url = reverse("api:alliance-project-detail", args=[p.pk])
    assert api_patch(client, url, {"lead_center": world.center_b.pk}).status_code == 403
    assert api_patch(client, url, {"progress": "已完成调研"}).status_code == 200
    # a partner's staff: outside their change scope
    assert api_patch(login(world.user("center_b")), url, {"progress": "x"}).status_code == 404
    # the page shows the lead read-only
    response = client.post(
        reverse("alliance:project-edit", args=[p.pk]),
        {
            "title": p.title,
            "lead_center": world.center_b.pk,
            "partner_centers": [world.center_b.pk],
            "starts_on": "2026-09-01",
            "status": "ongoing",
        },
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.lead_center == world.center_a and p.status == ProjectStatus.ONGOING
    # staff cannot record new projects
    response = api_post(client, reverse("api:alliance-project-list"), {"title": "x"})
    assert response.status_code == 403


def test_filter_by_center_taking_part(world, alliance, login):
    project(world.center_a, world.center_b, title="甲牵头")
    project(world.center_b, alliance.members[2].center, title="乙牵头")
    client = login(world.user("bureau"))
    url = reverse("api:alliance-project-list")
    titles = {
        r["title"] for r in client.get(url + f"?center={world.center_a.pk}").json()["results"]
    }
    assert titles == {"甲牵头"}
    titles = {
        r["title"] for r in client.get(url + f"?center={world.center_b.pk}").json()["results"]
    }
    assert titles == {"甲牵头", "乙牵头"}


def test_lists_keep_a_constant_number_of_queries(world, alliance, secretariat, login):
    client = login(secretariat)
    partners = [m.center for m in alliance.members[1:4]]

    def add(n):
        for _ in range(n):
            project(world.center_a, *partners)

    for url in (reverse("alliance:project-list"), reverse("api:alliance-project-list")):
        add(1)
        assert_constant_queries(client, url, add)
