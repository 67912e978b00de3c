"""Each alliance rule holds for the page and the API alike: the rule lives in
``services`` (or the model's ``clean()``), and both paths refuse the same
input with the same field and message. The secretariat is handed over only by
the periodic task and on sign-in, never while serving a GET."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from alliance import services
from alliance.models import (
    ChairTerm,
    CouncilMember,
    DigitalResource,
    DocumentKind,
    DocumentStatus,
    Meeting,
    MeetingKind,
    SharedFaculty,
)
from core.roles import Role
from tests.factories import CenterFactory, UserFactory, member

from .test_rules import qualified_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _handover_done_today():
    """Signing in (``login`` fixture) must not hand the secretariat over here."""
    cache.set(services.SYNC_CACHE_KEY.format(day=timezone.localdate().isoformat()), True)


def api_post(client, url, data):
    return client.post(url, data, content_type="application/json")


def api_patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


# --- 1. Representative and liaison are the center's staff ------------------------


def test_representative_must_be_on_the_centers_staff(world, alliance, secretariat, login):
    council_a = alliance.members[0]
    client = login(secretariat)
    teacher = world.user("teacher_a")
    with translation.override("zh-hans"):
        response = api_patch(
            client,
            reverse("api:alliance-member-detail", args=[council_a.pk]),
            {"representative": teacher.pk},
        )
    assert response.status_code == 400
    assert "中心" in response.json()["error"]["details"]["representative"][0]
    response = api_patch(
        client,
        reverse("api:alliance-member-detail", args=[council_a.pk]),
        {"liaison": world.user("center_b").pk},  # staff, but of another center
    )
    assert response.status_code == 400
    assert "liaison" in response.json()["error"]["details"]
    council_a.refresh_from_db()
    assert council_a.representative_id is None and council_a.liaison_id is None
    # Staff of the center may be named.
    response = api_patch(
        client,
        reverse("api:alliance-member-detail", args=[council_a.pk]),
        {"representative": world.user("center_a").pk},
    )
    assert response.status_code == 200, response.json()
    # The page refuses the same.
    response = client.post(
        reverse("alliance:member-edit", args=[council_a.pk]),
        {"order": council_a.order, "representative": alliance.staff_a2.pk, "liaison": ""},
    )
    assert response.status_code == 302
    services_error = CouncilMember(center=world.center_a, representative=teacher)
    with pytest.raises(services.ValidationError):
        services.check_council_member(services_error)


# --- 2. Resource years ------------------------------------------------------------


def resource_data(world, **extra):
    return {"title": "课程", "kind": "course", "center": world.center_a.pk, **extra}


def test_resource_cannot_be_added_in_a_future_year(world, alliance, secretariat, login):
    client = login(secretariat)
    future = timezone.localdate().year + 1
    response = api_post(
        client, reverse("api:alliance-resource-list"), resource_data(world, year_added=future)
    )
    assert response.status_code == 400
    assert "year_added" in response.json()["error"]["details"]
    response = client.post(
        reverse("alliance:resource-add"), resource_data(world, year_added=future)
    )
    assert response.status_code == 200 and "year_added" in response.context["form"].errors
    assert not DigitalResource.objects.exists()


def test_resource_renewed_before_added_answers_400_not_500(world, alliance, secretariat, login):
    client = login(secretariat)
    data = resource_data(world, year_added=2024, year_renewed=2020)
    with translation.override("zh-hans"):
        response = api_post(client, reverse("api:alliance-resource-list"), data)
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert "年度" in body["details"]["year_renewed"][0]
    response = client.post(reverse("alliance:resource-add"), data)
    assert "year_renewed" in response.context["form"].errors
    # A change that breaks the rule is refused the same way.
    obj = DigitalResource.objects.create(
        title="课程", kind="course", center=world.center_a, year_added=2024
    )
    response = api_patch(
        client, reverse("api:alliance-resource-detail", args=[obj.pk]), {"year_renewed": 2020}
    )
    assert response.status_code == 400
    assert "year_renewed" in response.json()["error"]["details"]


# --- 3. Approval at a council meeting ---------------------------------------------


@pytest.fixture
def in_consultation(secretariat):
    document = services.create_document(
        user=secretariat, kind=DocumentKind.PLAN, year=2027, title="计划", body="x"
    )
    return services.transition(document, "open_consultation", user=secretariat)


def test_approval_only_at_a_council_meeting(world, alliance, secretariat, in_consultation, login):
    forum = Meeting.objects.create(
        kind=MeetingKind.FORUM, title="论坛", held_on=date(2026, 12, 1), venue="x"
    )
    council = Meeting.objects.create(
        kind=MeetingKind.COUNCIL, title="理事会会议", held_on=date(2026, 12, 2), venue="x"
    )
    client = login(secretariat)
    url = reverse("api:alliance-document-transition", args=[in_consultation.pk])
    for data in ({"step": "approve"}, {"step": "approve", "meeting": forum.pk}):
        response = api_post(client, url, data)
        assert response.status_code == 400, data
        assert "meeting" in response.json()["error"]["details"]
    # The page refuses without a meeting too.
    client.post(reverse("alliance:document-transition", args=[in_consultation.pk, "approve"]))
    in_consultation.refresh_from_db()
    assert in_consultation.status == DocumentStatus.CONSULTATION
    response = api_post(client, url, {"step": "approve", "meeting": council.pk})
    assert response.status_code == 200
    assert response.json()["approved_at_meeting"] == council.pk


def test_transition_meeting_choices_are_scoped(world, alliance, in_consultation, login):
    """The meeting is chosen among those the user may see: the bureau (who
    may not approve) sees them, a district user sees none of the documents."""
    council = Meeting.objects.create(
        kind=MeetingKind.COUNCIL, title="理事会会议", held_on=date(2026, 12, 2), venue="x"
    )
    from alliance.api.serializers import TransitionSerializer

    class Request:
        user = world.user("teacher_a")  # no right to see meetings

    data = TransitionSerializer(
        data={"step": "approve", "meeting": council.pk}, context={"request": Request}
    )
    assert not data.is_valid()
    assert "meeting" in data.errors
    Request.user = world.user("bureau")
    assert TransitionSerializer(
        data={"step": "approve", "meeting": council.pk}, context={"request": Request}
    ).is_valid()


# --- 4. The next chair term: one place ---------------------------------------------


def test_term_form_proposes_the_service_s_next_term(world, alliance, secretariat, login):
    response = login(secretariat).get(reverse("alliance:term-add"))
    initial = response.context["form"].initial
    proposal = services.propose_next_term()
    assert initial == {
        "sequence": 3,
        "center": alliance.members[2].center_id,
        "starts_on": date(2027, 11, 1),
        "ends_on": date(2028, 10, 31),
    }
    assert (proposal.sequence, proposal.center_id, proposal.starts_on) == (
        initial["sequence"],
        initial["center"],
        initial["starts_on"],
    )
    (term,) = services.extend_rotation(years=1)
    assert (term.sequence, term.center_id, term.starts_on, term.ends_on) == (
        proposal.sequence,
        proposal.center_id,
        proposal.starts_on,
        proposal.ends_on,
    )


def test_term_api_refuses_what_the_form_refuses(world, alliance, secretariat, login):
    response = api_post(
        login(secretariat),
        reverse("api:alliance-term-list"),
        {
            "sequence": 3,
            "center": alliance.members[2].center_id,
            "starts_on": "2027-11-01",
            "ends_on": "2028-03-31",
        },
    )
    assert response.status_code == 400
    assert "ends_on" in response.json()["error"]["details"]
    assert ChairTerm.objects.count() == 2


# --- 5. Who may comment; one open listing -----------------------------------------


def test_staff_of_a_non_member_center_cannot_comment(world, alliance, in_consultation, login):
    outsider_center = CenterFactory(code="not-a-member", name="非成员中心")
    outsider = UserFactory(username="outsider")
    member(outsider, Role.CENTER_STAFF, outsider_center)
    client = login(outsider)
    response = client.get(in_consultation.get_absolute_url())
    assert response.status_code == 200
    assert response.context["can_comment"] is False
    response = api_post(
        client,
        reverse("api:alliance-document-comments", args=[in_consultation.pk]),
        {"body": "意见"},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("alliance:document-comment", args=[in_consultation.pk]), {"body": "意见"}
    )
    assert response.status_code == 403
    assert not in_consultation.comments.exists()
    # A member's staff may, on page and API.
    client = login(world.user("center_a"))
    assert client.get(in_consultation.get_absolute_url()).context["can_comment"] is True
    response = api_post(
        client,
        reverse("api:alliance-document-comments", args=[in_consultation.pk]),
        {"body": "同意"},
    )
    assert response.status_code == 201


def test_comments_closed_outside_consultation_on_page_and_api(world, secretariat, login):
    draft = services.create_document(
        user=secretariat, kind=DocumentKind.PLAN, year=2027, title="计划", body="x"
    )
    client = login(world.user("center_a"))
    assert client.get(draft.get_absolute_url()).context["can_comment"] is False
    response = api_post(
        client, reverse("api:alliance-document-comments", args=[draft.pk]), {"body": "x"}
    )
    assert response.status_code == 400
    response = client.post(reverse("alliance:document-comment", args=[draft.pk]), {"body": "x"})
    assert response.status_code == 302
    assert not draft.comments.exists()


def test_a_trainer_is_listed_once_on_page_and_api(world, alliance, login):
    staff = qualified_staff(world.center_a)
    client = login(world.user("center_a"))
    url = reverse("api:alliance-faculty-list")
    assert api_post(client, url, {"staff": staff.pk, "expertise": "数学"}).status_code == 201
    response = api_post(client, url, {"staff": staff.pk, "expertise": "数学"})
    assert response.status_code == 400
    assert "staff" in response.json()["error"]["details"]
    response = client.post(
        reverse("alliance:faculty-add"), {"staff": staff.pk, "expertise": "数学"}
    )
    assert response.status_code == 200
    assert staff.name in str(response.context["form"].errors["staff"])
    assert SharedFaculty.objects.count() == 1


# --- 7. A database constraint answers 400 --------------------------------------------


def test_constraint_error_through_the_api_is_a_400_in_chinese(
    world, alliance, secretariat, login, monkeypatch
):
    """The last line of defence: with the validation bypassed, the database
    constraint refuses the row and the API answers 400 naming the field."""
    from alliance.api import serializers

    monkeypatch.setattr(serializers.ModelRulesMixin, "validate", lambda self, attrs: attrs)
    client = login(secretariat)
    with translation.override("zh-hans"):
        response = api_post(
            client,
            reverse("api:alliance-resource-list"),
            resource_data(world, year_added=2024, year_renewed=2020),
        )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    (message,) = error["details"]["year_renewed"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
