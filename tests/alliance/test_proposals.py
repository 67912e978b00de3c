"""Development proposals to the bureau (事业发展建议, charter 第七条): drafted by
a member center (研究提出促进……教师专业发展的建议) or, in the council's name, by
the secretariat (理事会……向市教育局、市教育评估和教师继续教育指导中心提出事业发展
建议); forwarded or returned by the secretariat; answered by the bureau."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from alliance import services
from alliance.models import Meeting, MeetingKind, Proposal, ProposalOrigin, ProposalStatus
from core.inbox import inbox
from tests.contracts import ApiContract, PageContract, assert_constant_queries

pytestmark = pytest.mark.django_db

LIST = "api:alliance-proposal-list"


@pytest.fixture(autouse=True)
def _handover_done_today():
    cache.set(services.SYNC_CACHE_KEY.format(day=timezone.localdate().isoformat()), True)


def proposal(center, origin=ProposalOrigin.CENTER, status=ProposalStatus.DRAFT, **extra):
    return Proposal.objects.create(
        origin=origin,
        center=center,
        title="加强区级中心建设",
        body="建议内容",
        status=status,
        **extra,
    )


def meeting(kind=MeetingKind.COUNCIL, held_on=None):
    held_on = held_on or timezone.localdate() - timedelta(days=3)
    return Meeting.objects.create(kind=kind, title="理事会会议", held_on=held_on, venue="x")


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def step(client, p, name, text=""):
    url = reverse("api:alliance-proposal-step", args=[p.pk])
    return post(client, url, {"step": name, "text": text})


def inbox_keys(user):
    return {group.source.key: group.count for group in inbox(user)}


class TestDraftPage(PageContract):
    """A center's draft is its own: another member's staff get 404."""

    permitted = "center_a"
    outside = "center_b"
    forbidden = "district_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = proposal(world.center_a)

    def url(self, world):
        return self.obj.get_absolute_url()


class TestSubmittedApi(ApiContract):
    """Once submitted every member reads it; the bureau reads only what has
    left the drafting center (a draft is 404)."""

    permitted = "center_b"
    outside = "bureau"
    forbidden = "district_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = proposal(world.center_a, status=ProposalStatus.SUBMITTED)
        self.draft = proposal(world.center_a)

    def url(self, world):
        return reverse("api:alliance-proposal-detail", args=[self.obj.pk])

    def outside_url(self, world):
        return reverse("api:alliance-proposal-detail", args=[self.draft.pk])


def test_a_center_drafts_for_its_own_center_only(world, alliance, login):
    """第七条: each center 研究提出……的建议 — for itself, not for another member."""
    data = {"origin": "center", "center": world.center_a.pk, "title": "t", "body": "b"}
    assert post(login(world.user("center_b")), reverse(LIST), data).status_code == 403
    response = post(login(world.user("center_a")), reverse(LIST), data)
    assert response.status_code == 201, response.json()
    p = Proposal.objects.get()
    # another member neither sees nor changes the draft
    other = login(world.user("center_b"))
    assert other.get(p.get_absolute_url()).status_code == 404
    url = reverse("api:alliance-proposal-detail", args=[p.pk])
    response = other.patch(url, {"title": "x"}, content_type="application/json")
    assert response.status_code == 404
    assert step(other, p, "submit").status_code == 404


def test_a_district_center_does_not_propose(world, alliance, login):
    """第七条 names the council and the member centers as proposers."""
    data = {"origin": "center", "center": world.district_center_a.pk, "title": "t", "body": "b"}
    response = post(login(world.user("center_a")), reverse(LIST), data)
    assert response.status_code == 400
    assert "center" in response.json()["error"]["details"]


def test_only_the_secretariat_drafts_in_the_councils_name(world, alliance, secretariat, login):
    """第七条: 理事会……提出事业发展建议; 第六条: the secretariat sits at the chair
    center (center B chairs the tests' current term)."""
    data = {"origin": "council", "center": world.center_b.pk, "title": "t", "body": "b"}
    assert post(login(world.user("center_a")), reverse(LIST), data).status_code == 403
    client = login(secretariat)
    response = post(client, reverse(LIST), {**data, "center": world.center_a.pk})
    assert response.status_code == 400
    assert "center" in response.json()["error"]["details"]
    assert post(client, reverse(LIST), data).status_code == 201


def test_a_council_proposal_names_the_council_meeting_that_adopted_it(
    world, alliance, secretariat, login
):
    """第七条: the council proposes — adopted at a council meeting (理事会会议)
    already held; a forum or a meeting still to come does not do."""
    client = login(secretariat)
    p = proposal(world.center_b, origin=ProposalOrigin.COUNCIL)
    response = step(client, p, "submit")
    assert response.status_code == 400 and "meeting" in response.json()["error"]["details"]
    url = reverse("api:alliance-proposal-detail", args=[p.pk])
    forum = meeting(kind=MeetingKind.FORUM)
    response = client.patch(url, {"meeting": forum.pk}, content_type="application/json")
    assert response.status_code == 400
    future = meeting(held_on=timezone.localdate() + timedelta(days=5))
    client.patch(url, {"meeting": future.pk}, content_type="application/json")
    assert step(client, p, "submit").status_code == 400
    held = meeting()
    client.patch(url, {"meeting": held.pk}, content_type="application/json")
    response = step(client, p, "submit")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "submitted"
    # the database holds the rule too
    p.refresh_from_db()
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=p.pk).update(meeting=None)


def test_the_path_filed_forwarded_answered_with_dates(world, alliance, secretariat, login):
    """第七条: the center submits; the secretariat (秘书处具体执行……) forwards or
    returns; the addressee answers. Each step keeps its date; a step of
    another role is 403, a wrong state or a missing text 400."""
    today = timezone.localdate()
    center_a, sec, bureau = (
        login(world.user("center_a")),
        login(secretariat),
        login(world.user("bureau")),
    )
    p = proposal(world.center_a)
    assert step(bureau, p, "answer", "x").status_code == 404  # a draft: not the bureau's yet
    assert step(center_a, p, "submit").json()["submitted_on"] == today.isoformat()
    assert inbox_keys(secretariat).get("alliance-proposals-to-forward") == 1
    assert step(center_a, p, "forward").status_code == 403
    # once submitted, the draft cannot change
    url = reverse("api:alliance-proposal-detail", args=[p.pk])
    assert center_a.patch(url, {"title": "x"}, content_type="application/json").status_code in (
        400,
        404,
    )
    # returned: needs a note; back to a draft, the center is asked to revise
    assert step(sec, p, "return").status_code == 400
    response = step(sec, p, "return", "请补充数据")
    assert response.json()["status"] == "draft" and response.json()["submitted_on"] is None
    assert inbox_keys(world.user("center_a")).get("alliance-proposals-returned") == 1
    assert "alliance-proposals-to-forward" not in inbox_keys(secretariat)
    assert (
        center_a.patch(url, {"body": "补充后的建议"}, content_type="application/json").status_code
        == 200
    )
    step(center_a, p, "submit")
    assert "alliance-proposals-returned" not in inbox_keys(world.user("center_a"))
    assert step(sec, p, "answer", "x").status_code == 403
    assert step(sec, p, "forward").json()["forwarded_on"] == today.isoformat()
    assert step(sec, p, "forward").status_code == 400  # already forwarded
    assert inbox_keys(world.user("bureau")).get("alliance-proposals-to-answer") == 1
    assert step(bureau, p, "answer").status_code == 400
    response = step(bureau, p, "answer", "我局非常认同你们的建议。")
    body = response.json()
    assert body["status"] == "answered" and body["answered_on"] == today.isoformat()
    assert body["answered_by"] == world.user("bureau").pk
    assert "alliance-proposals-to-answer" not in inbox_keys(world.user("bureau"))
    p.refresh_from_db()
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=p.pk).update(answer="")


def test_the_steps_are_audited(world, alliance, login):
    from core.models import AuditEntry

    p = proposal(world.center_a)
    step(login(world.user("center_a")), p, "submit")
    entry = AuditEntry.objects.filter(object_id=str(p.pk)).order_by("-id").first()
    assert entry.changes["status"] == ["draft", "submitted"]


def test_pages_take_the_steps(world, alliance, secretariat, login):
    p = proposal(world.center_a)
    client = login(world.user("center_a"))
    for url in (reverse("alliance:proposal-list"), reverse("alliance:proposal-add")):
        assert client.get(url).status_code == 200
    page = client.get(p.get_absolute_url())
    assert [s.name for s in page.context["steps"]] == ["submit"]
    assert page.context["can_change"]
    client.post(reverse("alliance:proposal-step", args=[p.pk, "submit"]))
    p.refresh_from_db()
    assert p.status == ProposalStatus.SUBMITTED
    page = login(secretariat).get(p.get_absolute_url())
    assert [s.name for s in page.context["steps"]] == ["return", "forward"]
    response = login(world.user("center_a")).post(
        reverse("alliance:proposal-add"),
        {
            "origin": "center",
            "center": world.center_a.pk,
            "addressee": "bureau",
            "title": "t",
            "body": "b",
        },
    )
    assert response.status_code == 302
    assert Proposal.objects.count() == 2


def test_lists_keep_a_constant_number_of_queries(world, alliance, secretariat, login):
    client = login(world.user("bureau"))

    def add(n):
        for _ in range(n):
            proposal(
                world.center_a, status=ProposalStatus.FORWARDED, forwarded_on=date(2026, 12, 1)
            )

    add(1)
    for url in (reverse("alliance:proposal-list"), reverse(LIST)):
        assert_constant_queries(client, url, add, more=2)


@pytest.mark.parametrize("code", ["research-training", "distance"])
def test_only_the_centers_the_charter_names_propose(world, alliance, login, code):
    """001 第七条: the 中小学, 中职, 幼儿园 and 民办 centers' mandates end with
    "研究提出促进……教师专业发展的建议"; the 研训 and 远程 centers' do not — they
    propose through the council (理事会……提出事业发展建议)."""
    from centers.models import Center
    from core.roles import Role
    from tests.factories import UserFactory, member

    center = Center.objects.get(code=code)
    user = UserFactory(username=f"staff-{code}")
    member(user, Role.CENTER_STAFF, center)
    data = {"origin": "center", "center": center.pk, "title": "t", "body": "b"}
    response = post(login(user), reverse(LIST), data)
    assert response.status_code == 400
    message = str(response.json()["error"]["details"]["center"])
    assert "章程第七条" in message and center.name in message
    assert not Proposal.objects.exists()
    # the four named centers do
    assert set(services.PROPOSING_CENTERS) == {
        "primary-secondary",
        "vocational",
        "kindergarten",
        "private-schools",
    }
