"""Paired assistance (结对帮扶 / 对口帮扶): a municipal member center helps a
district center, and the pair's activities are recorded year by year."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from alliance import services
from alliance.models import AssistanceActivity, AssistancePair
from tests.contracts import ApiContract, PageContract, assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _handover_done_today():
    cache.set(services.SYNC_CACHE_KEY.format(day=timezone.localdate().isoformat()), True)


def pair(world, helper=None, **extra):
    values = {"focus": "骨干教师培养", "starts_on": date(2025, 1, 1), **extra}
    return AssistancePair.objects.create(
        helper_center=helper or world.center_a, assisted_center=world.district_center_a, **values
    )


def activity(p, held_on=date(2026, 5, 1), participants=40):
    return AssistanceActivity.objects.create(
        pair=p, held_on=held_on, kind="teaching", title="送教下区", participants=participants
    )


def api_post(client, url, data):
    return client.post(url, data, content_type="application/json")


def api_patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


class TestPairDetailPage(PageContract):
    """District staff read their own district's pairs only."""

    permitted = "district_a"
    outside = "district_b"
    forbidden = "teacher_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = pair(world)

    def url(self, world):
        return reverse("alliance:pair-detail", args=[self.obj.pk])


class TestActivityApi(ApiContract):
    permitted = "center_b"  # members see every pair's activities
    outside = "district_b"
    forbidden = "teacher_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = activity(pair(world))

    def url(self, world):
        return reverse("api:alliance-pair-activity-detail", args=[self.obj.pk])


def test_pages_render(world, alliance, secretariat, login):
    p = pair(world)
    activity(p, date(2025, 4, 1), 30)
    activity(p, date(2026, 5, 1), 40)
    activity(p, date(2026, 9, 1), 20)
    client = login(secretariat)
    for url in (
        reverse("alliance:pair-list"),
        reverse("alliance:pair-add"),
        reverse("alliance:activity-add") + f"?pair={p.pk}",
    ):
        assert client.get(url).status_code == 200
    response = client.get(p.get_absolute_url())
    assert response.context["years"] == [(2026, 2, 60), (2025, 1, 30)]


def test_a_member_helps_a_district_center(world, alliance, secretariat, login):
    client = login(secretariat)
    url = reverse("api:alliance-pair-list")
    data = {
        "helper_center": world.district_center_a.pk,  # not a member
        "assisted_center": world.center_b.pk,  # not a district center
        "focus": "x",
        "starts_on": "2025-01-01",
    }
    response = api_post(client, url, data)
    assert response.status_code == 400
    assert {"helper_center", "assisted_center"} <= set(response.json()["error"]["details"])
    response = client.post(reverse("alliance:pair-add"), data)
    assert response.status_code == 200 and response.context["form"].errors
    data.update(helper_center=world.center_a.pk, assisted_center=world.district_center_a.pk)
    assert api_post(client, url, data).status_code == 201
    # the same pair twice: 400 with a message, not 500
    assert api_post(client, url, data).status_code == 400
    assert AssistancePair.objects.count() == 1


def test_helping_staff_record_activities_within_the_pairing(world, alliance, login):
    p = pair(world, ends_on=date(2026, 12, 31))
    client = login(world.user("center_a"))
    url = reverse("api:alliance-pair-activity-list")
    data = {"pair": p.pk, "held_on": "2027-01-15", "kind": "training", "title": "跟岗研修"}
    response = api_post(client, url, data)
    assert response.status_code == 400
    assert "held_on" in response.json()["error"]["details"]
    data["held_on"] = "2026-06-15"
    assert api_post(client, url, data).status_code == 201
    # another member's staff cannot record activities of this pair
    assert api_post(login(world.user("center_b")), url, data).status_code == 403
    # nor re-pair the centers, even the helper's own staff
    response = api_patch(
        client,
        reverse("api:alliance-pair-detail", args=[p.pk]),
        {"helper_center": world.center_b.pk},
    )
    assert response.status_code == 403
    response = api_patch(
        client, reverse("api:alliance-pair-detail", args=[p.pk]), {"focus": "新任教师培训"}
    )
    assert response.status_code == 200
    # district staff read their pair, do not write
    assert login(world.user("district_a")).get(p.get_absolute_url()).status_code == 200
    assert api_post(login(world.user("district_a")), url, data).status_code == 403


def test_lists_keep_a_constant_number_of_queries(world, alliance, secretariat, login):
    client = login(secretariat)
    helpers = iter([m.center for m in alliance.members])
    p = pair(world, helper=next(helpers))

    def add_pairs(n):
        for _ in range(n):
            pair(world, helper=next(helpers))

    def add_activities(n):
        for _ in range(n):
            activity(p)

    for url, add in [
        (reverse("alliance:pair-list"), add_pairs),
        (reverse("api:alliance-pair-list"), lambda n: add_pairs(min(n, 2))),
        (reverse("api:alliance-pair-activity-list"), add_activities),
        (p.get_absolute_url(), add_activities),
    ]:
        add(1) if url != reverse("alliance:pair-list") else None
        assert_constant_queries(client, url, add, more=2)
