"""The centers' own plans (charter 第七条: 制定教研、科研五年规划和年度实施计划;
seed 000: 各中心……五年规划 / 专业发展规划和年度计划): drafted and filed by the
center's staff, recorded or returned by the secretariat; an annual plan sits
in its center's five-year plan and gets an implementation report."""

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from alliance import services
from alliance.models import CenterPlan, CenterPlanStatus
from core.inbox import inbox
from tests.contracts import ApiContract, PageContract, assert_constant_queries

pytestmark = pytest.mark.django_db

LIST = "api:alliance-plan-list"
YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _handover_done_today():
    cache.set(services.SYNC_CACHE_KEY.format(day=timezone.localdate().isoformat()), True)


def plan(center, kind="five_year", starts=2026, status=CenterPlanStatus.DRAFT, **extra):
    return CenterPlan.objects.create(
        center=center,
        kind=kind,
        starts_year=starts,
        title="规划",
        body="正文",
        status=status,
        **extra,
    )


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def step(client, p, name, note=""):
    return post(
        client, reverse("api:alliance-plan-step", args=[p.pk]), {"step": name, "note": note}
    )


class TestDraftPage(PageContract):
    permitted = "center_a"
    outside = "center_b"  # another member's draft is not theirs to read
    forbidden = "district_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = plan(world.center_a)

    def url(self, world):
        return self.obj.get_absolute_url()


class TestFiledApi(ApiContract):
    permitted = "center_b"  # a filed plan: every member reads it
    outside = "bureau"
    forbidden = "district_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = plan(world.center_a, status=CenterPlanStatus.FILED)
        self.draft = plan(world.center_a, kind="annual", starts=2027)

    def url(self, world):
        return reverse("api:alliance-plan-detail", args=[self.obj.pk])

    def outside_url(self, world):
        return reverse("api:alliance-plan-detail", args=[self.draft.pk])


def test_the_span_follows_the_kind(world, alliance, login):
    """五年规划 spans five years, 年度计划 one (the database holds it too)."""
    client = login(world.user("center_a"))
    data = {
        "center": world.center_a.pk,
        "kind": "five_year",
        "starts_year": 2026,
        "title": "t",
        "body": "b",
    }
    response = post(client, reverse(LIST), data)
    assert response.status_code == 201, response.json()
    assert response.json()["ends_year"] == 2030
    # one plan of a kind per center and first year: 400, not 500
    assert post(client, reverse(LIST), data).status_code == 400
    p = CenterPlan.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        CenterPlan.objects.filter(pk=p.pk).update(ends_year=2027)


def test_an_annual_plan_lies_within_its_centers_five_year_plan(world, alliance, login):
    five_a = plan(world.center_a)
    five_b = plan(world.center_b)
    client = login(world.user("center_a"))
    base = {"center": world.center_a.pk, "kind": "annual", "title": "t", "body": "b"}
    response = post(client, reverse(LIST), {**base, "starts_year": 2031, "parent": five_a.pk})
    assert "starts_year" in response.json()["error"]["details"]
    response = post(client, reverse(LIST), {**base, "starts_year": 2027, "parent": five_b.pk})
    assert response.status_code == 400  # center B's plan: not among center A's choices
    response = post(client, reverse(LIST), {**base, "starts_year": 2027, "parent": five_a.pk})
    assert response.status_code == 201, response.json()


def test_a_center_files_its_own_plans_only(world, alliance, login):
    """Cross-center refusal: center B's staff draft nothing for center A and
    neither see nor file center A's draft."""
    data = {
        "center": world.center_a.pk,
        "kind": "annual",
        "starts_year": 2026,
        "title": "t",
        "body": "b",
    }
    assert post(login(world.user("center_b")), reverse(LIST), data).status_code == 403
    p = plan(world.center_a)
    other = login(world.user("center_b"))
    assert step(other, p, "file").status_code == 404
    url = reverse("api:alliance-plan-detail", args=[p.pk])
    assert other.patch(url, {"title": "x"}, content_type="application/json").status_code == 404


def test_file_record_report(world, alliance, secretariat, login):
    today = timezone.localdate()
    center_a, sec = login(world.user("center_a")), login(secretariat)
    p = plan(world.center_a, kind="annual", starts=YEAR)
    assert step(sec, p, "approve").status_code == 404  # a draft: not the secretariat's yet
    assert step(center_a, p, "file").json()["filed_on"] == today.isoformat()
    assert {g.source.key: g.count for g in inbox(secretariat)}["alliance-plans-to-record"] == 1
    assert step(center_a, p, "approve").status_code == 403
    url = reverse("api:alliance-plan-detail", args=[p.pk])
    assert center_a.patch(url, {"title": "x"}, content_type="application/json").status_code == 400
    assert step(sec, p, "return").status_code == 400  # a note is needed
    assert step(sec, p, "return", "请补充目标").json()["status"] == "draft"
    step(center_a, p, "file")
    summary = reverse("api:alliance-plan-summary", args=[p.pk])
    assert post(center_a, summary, {"summary": "x"}).status_code == 400  # not recorded yet
    assert step(sec, p, "approve").json()["approved_on"] == today.isoformat()
    assert post(sec, summary, {"summary": "x"}).status_code == 403  # the center reports
    assert post(center_a, summary, {"summary": ""}).status_code == 400
    response = post(center_a, summary, {"summary": "完成培训32项"})
    assert response.json()["summary_on"] == today.isoformat()
    future = plan(world.center_a, kind="annual", starts=YEAR + 1, status=CenterPlanStatus.APPROVED)
    response = post(
        center_a, reverse("api:alliance-plan-summary", args=[future.pk]), {"summary": "x"}
    )
    assert response.status_code == 400  # its year has not begun


def test_pages(world, alliance, secretariat, login):
    five = plan(world.center_a, status=CenterPlanStatus.APPROVED)
    annual = plan(
        world.center_a, kind="annual", starts=YEAR, parent=five, status=CenterPlanStatus.APPROVED
    )
    client = login(world.user("center_a"))
    for url in (
        reverse("alliance:plan-list"),
        reverse("alliance:plan-add"),
        five.get_absolute_url(),
    ):
        assert client.get(url).status_code == 200
    page = client.get(annual.get_absolute_url())
    assert page.context["can_report"] and not page.context["can_change"]
    client.post(reverse("alliance:plan-summary", args=[annual.pk]), {"summary": "已完成"})
    annual.refresh_from_db()
    assert annual.summary == "已完成"


def test_lists_keep_a_constant_number_of_queries(world, alliance, login):
    client = login(world.user("bureau"))
    years = iter(range(2000, 2100))

    def add(n):
        for _ in range(n):
            plan(world.center_a, kind="annual", starts=next(years), status=CenterPlanStatus.FILED)

    add(1)
    for url in (reverse("alliance:plan-list"), reverse(LIST)):
        assert_constant_queries(client, url, add, more=2)
