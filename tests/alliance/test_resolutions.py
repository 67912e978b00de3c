"""Council resolutions (理事会决议) and their follow-up actions: who owns an
action, by when, done or not. The secretariat records resolutions and assigns
actions; the owner center's staff report on their own (status and report
only); every member sees who owes what."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from alliance import services
from alliance.models import FollowUp, FollowUpStatus, Meeting, MeetingKind, Resolution
from tests.contracts import NOBODY_OUTSIDE, ApiContract, PageContract, assert_constant_queries
from tests.factories import CenterFactory

pytestmark = pytest.mark.django_db

HELD_ON = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _handover_done_today():
    cache.set(services.SYNC_CACHE_KEY.format(day=timezone.localdate().isoformat()), True)


def council_meeting(kind=MeetingKind.COUNCIL, held_on=HELD_ON):
    return Meeting.objects.create(kind=kind, title="理事会会议", held_on=held_on, venue="x")


def resolution(meeting=None, number="2026-1"):
    return Resolution.objects.create(
        meeting=meeting or council_meeting(), number=number, title="共建课程", text="决议全文"
    )


def follow_up(res, center, due_on=date(2027, 3, 1), **extra):
    return FollowUp.objects.create(
        resolution=res, center=center, action="牵头开发课程", due_on=due_on, **extra
    )


def api_post(client, url, data):
    return client.post(url, data, content_type="application/json")


def api_patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


# --- Permission contracts ------------------------------------------------------


class TestResolutionListPage(PageContract):
    outside = NOBODY_OUTSIDE
    permitted = "district_a"  # district staff read the council's records
    forbidden = "teacher_a"

    def url(self, world):
        return reverse("alliance:resolution-list")


class TestResolutionDetailPage(PageContract):
    outside = NOBODY_OUTSIDE

    @pytest.fixture(autouse=True)
    def _setup(self, alliance):
        self.obj = resolution()

    def url(self, world):
        return reverse("alliance:resolution-detail", args=[self.obj.pk])


class TestFollowUpEditPage(PageContract):
    """The owner center's staff report on their action; another member's
    staff cannot reach its form."""

    permitted = "center_a"
    outside = "center_b"
    forbidden = "district_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = follow_up(resolution(), world.center_a)

    def url(self, world):
        return reverse("alliance:followup-edit", args=[self.obj.pk])


class TestFollowUpApi(ApiContract):
    outside = NOBODY_OUTSIDE  # every member sees who owes what
    permitted = "center_b"
    forbidden = "district_a"

    @pytest.fixture(autouse=True)
    def _setup(self, alliance, world):
        self.obj = follow_up(resolution(), world.center_a)

    def url(self, world):
        return reverse("api:alliance-followup-detail", args=[self.obj.pk])


@pytest.mark.parametrize(
    "name", ["alliance:resolution-list", "alliance:followup-list", "alliance:resolution-add"]
)
def test_pages_render_for_the_secretariat(name, world, alliance, secretariat, login):
    follow_up(resolution(), world.center_a)
    assert login(secretariat).get(reverse(name)).status_code == 200


def test_followup_form_renders_for_the_secretariat(world, alliance, secretariat, login):
    res = resolution()
    response = login(secretariat).get(reverse("alliance:followup-add") + f"?resolution={res.pk}")
    assert response.status_code == 200
    assert response.context["form"].initial["resolution"] == res.pk


def test_meeting_page_lists_its_resolutions(world, alliance, secretariat, login):
    res = resolution()
    response = login(secretariat).get(reverse("alliance:meeting-detail", args=[res.meeting_id]))
    assert res.title in response.content.decode()
    assert reverse("alliance:resolution-add") + f"?meeting={res.meeting_id}" in (
        response.content.decode()
    )


# --- Rules, on the page and the API alike ---------------------------------------------


def test_a_resolution_is_adopted_at_a_council_meeting(world, alliance, secretariat, login):
    forum = council_meeting(kind=MeetingKind.FORUM)
    client = login(secretariat)
    data = {"meeting": forum.pk, "number": "1", "title": "t", "text": "x"}
    response = api_post(client, reverse("api:alliance-resolution-list"), data)
    assert response.status_code == 400
    assert "meeting" in response.json()["error"]["details"]
    response = client.post(reverse("alliance:resolution-add"), data)
    assert response.status_code == 200 and response.context["form"].errors["meeting"]
    with pytest.raises(services.ValidationError):
        services.check_resolution(Resolution(meeting=forum))
    meeting = council_meeting()
    data["meeting"] = meeting.pk
    assert api_post(client, reverse("api:alliance-resolution-list"), data).status_code == 201
    # the same number again at that meeting: 400 with a message, not 500
    with translation.override("zh-hans"):
        response = api_post(client, reverse("api:alliance-resolution-list"), data)
    assert response.status_code == 400
    assert Resolution.objects.count() == 1


def test_an_action_belongs_to_a_member_and_is_not_due_before_the_meeting(
    world, alliance, secretariat, login
):
    res = resolution()
    client = login(secretariat)
    outsider_center = CenterFactory(code="not-member")
    data = {
        "resolution": res.pk,
        "center": outsider_center.pk,
        "action": "落实",
        "due_on": "2026-11-30",  # the day before the meeting
    }
    response = api_post(client, reverse("api:alliance-followup-list"), data)
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert "center" in details and "due_on" in details
    data.update(center=world.center_a.pk, due_on="2026-12-01")
    response = api_post(client, reverse("api:alliance-followup-list"), data)
    assert response.status_code == 201, response.json()
    # the page refuses the same due date
    data["due_on"] = "2026-11-30"
    response = client.post(reverse("alliance:followup-add"), data)
    assert response.status_code == 200 and response.context["form"].errors["due_on"]
    assert FollowUp.objects.count() == 1


def test_done_needs_a_report_and_stamps_the_day(world, alliance, login):
    action = follow_up(resolution(), world.center_a)
    client = login(world.user("center_a"))
    url = reverse("api:alliance-followup-detail", args=[action.pk])
    response = api_patch(client, url, {"status": "done"})
    assert response.status_code == 400
    assert "report" in response.json()["error"]["details"]
    response = api_patch(client, url, {"status": "done", "report": "课程已上线"})
    assert response.status_code == 200, response.json()
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()
    assert action.reported_by == world.user("center_a")
    # reopened: no longer done
    assert api_patch(client, url, {"status": "in_progress"}).status_code == 200
    action.refresh_from_db()
    assert action.done_on is None
    # the database holds the rule too (a done action without a report)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.filter(pk=action.pk).update(status="done", report="")


def test_owner_reports_but_does_not_reassign(world, alliance, login):
    action = follow_up(resolution(), world.center_a)
    url = reverse("api:alliance-followup-detail", args=[action.pk])
    client = login(world.user("center_a"))
    response = api_patch(client, url, {"due_on": "2028-01-01"})
    assert response.status_code == 403
    response = api_patch(client, url, {"center": world.center_b.pk})
    assert response.status_code == 403
    # another member's staff: outside their change scope
    assert api_patch(login(world.user("center_b")), url, {"report": "x"}).status_code == 404
    # the page shows the assignment read-only: a posted due date is ignored
    response = client.post(
        reverse("alliance:followup-edit", args=[action.pk]),
        {"due_on": "2028-01-01", "status": "in_progress", "report": "已启动"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.due_on == date(2027, 3, 1)
    assert action.status == FollowUpStatus.IN_PROGRESS and action.report == "已启动"
    # staff cannot assign new actions
    response = api_post(
        client,
        reverse("api:alliance-followup-list"),
        {"resolution": action.resolution_id, "center": world.center_a.pk, "action": "x"},
    )
    assert response.status_code == 403


def test_overdue_filter_and_summary(world, alliance, login):
    res = resolution()
    yesterday = timezone.localdate() - timedelta(days=1)
    late = follow_up(res, world.center_a, due_on=max(yesterday, HELD_ON))
    follow_up(res, world.center_b, status=FollowUpStatus.DONE, report="完成")
    follow_up(res, world.center_a, due_on=date(2099, 1, 1))
    summary = services.follow_up_summary(FollowUp.objects.all())
    expected_overdue = 1 if late.due_on < timezone.localdate() else 0
    assert summary == {"done": 1, "open": 2, "overdue": expected_overdue, "total": 3}
    client = login(world.user("bureau"))
    response = client.get(reverse("api:alliance-followup-list") + "?overdue=true")
    assert len(response.json()["results"]) == expected_overdue
    response = client.get(reverse("alliance:resolution-detail", args=[res.pk]))
    assert response.context["summary"]["done"] == 1


# --- Constant query counts -------------------------------------------------------------


def test_lists_keep_a_constant_number_of_queries(world, alliance, secretariat, login):
    client = login(secretariat)
    meeting = council_meeting()
    numbers = iter(range(1, 100))
    res = resolution(meeting, number="0")

    def add_resolutions(n):
        for _ in range(n):
            resolution(meeting, number=str(next(numbers)))

    def add_follow_ups(n):
        for i in range(n):
            follow_up(res, world.center_a if i % 2 else world.center_b)

    for url, add in [
        (reverse("alliance:resolution-list"), add_resolutions),
        (reverse("api:alliance-resolution-list"), add_resolutions),
        (reverse("alliance:followup-list"), add_follow_ups),
        (reverse("api:alliance-followup-list"), add_follow_ups),
        (reverse("alliance:resolution-detail", args=[res.pk]), add_follow_ups),
    ]:
        add(1)
        assert_constant_queries(client, url, add)
