"""A studio host sees and records only their own studio; members and
learners see theirs; the roles come with the places (``add_person``)."""

from datetime import date

import pytest
from django.urls import reverse

from core.models import Membership
from core.roles import Role
from credits.models import CreditEntry, CreditPolicy
from studios import services
from studios.models import StudioPerson

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def policy(db):
    CreditPolicy.objects.create(
        name="2022—2026", cycle_start=date(2022, 1, 1), cycle_end=date(2026, 12, 31)
    )


def activity_data(studios):
    return {
        "kind": "seminar",
        "title": "主持人记录的研讨",
        "held_on": "2024-03-01",
        "place": "天河第一小学",
        "hours": "4",
        "other_participants": "0",
        "attended": [studios.member_a.pk],
    }


def test_places_give_studio_roles(studios, world):
    host = Membership.objects.get(user__username="host_a")
    assert (host.role, host.organisation_id) == (Role.STUDIO_HOST, studios.a.pk)
    member = Membership.objects.get(user=world.user("teacher_a"), role=Role.STUDIO_MEMBER)
    assert member.organisation_id == studios.a.pk
    place = StudioPerson.objects.get(studio=studios.a, teacher=studios.member_a)
    services.end_person(person=place, ends_on=date(2025, 8, 31))
    member.refresh_from_db()
    assert member.ends_on == date(2025, 8, 31)


def test_host_sees_only_their_own_studio(studios, world, login):
    from django.contrib.auth import get_user_model

    client = login(get_user_model().objects.get(username="host_a"))
    assert client.get(reverse("studios:detail", args=[studios.a.pk])).status_code == 200
    assert client.get(reverse("studios:detail", args=[studios.b.pk])).status_code == 404
    html = client.get(reverse("studios:workspace")).content.decode()
    assert studios.a.name in html and studios.b.name not in html
    data = client.get(reverse("api:studio-list")).json()
    assert [s["id"] for s in data["results"]] == [studios.a.pk]
    people = client.get(reverse("api:studio-person-list")).json()
    assert {p["studio"] for p in people["results"]} == {studios.a.pk}


def test_host_records_their_studio_work_and_nothing_else(studios, login):
    from django.contrib.auth import get_user_model

    client = login(get_user_model().objects.get(username="host_a"))
    add_a = reverse("studios:activity-add", args=[studios.a.pk])
    assert client.post(add_a, activity_data(studios)).status_code == 302
    assert CreditEntry.objects.get(teacher=studios.member_a).hours == 4
    add_b = reverse("studios:activity-add", args=[studios.b.pk])
    assert client.post(add_b, activity_data(studios)).status_code == 404
    # People and evaluations are the managing center's.
    assert client.get(reverse("studios:person-add", args=[studios.a.pk])).status_code == 403
    response = client.post(reverse("studios:evaluation-start", args=[studios.a.pk, "annual"]))
    assert response.status_code == 403


def test_member_reads_their_studio_only(studios, world, login):
    client = login(world.user("teacher_a"))
    assert client.get(reverse("studios:detail", args=[studios.a.pk])).status_code == 200
    assert client.get(reverse("studios:detail", args=[studios.b.pk])).status_code == 404
    add = reverse("studios:activity-add", args=[studios.a.pk])
    assert client.post(add, activity_data(studios)).status_code == 403


def test_navigation_and_home_panels_follow_the_role(studios, world, login):
    from django.contrib.auth import get_user_model

    host = login(get_user_model().objects.get(username="host_a"))
    html = host.get("/").content.decode()
    assert 'data-panel="studios-mine"' in html and reverse("studios:workspace") in html
    assert 'data-panel="studios-overview"' not in html
    for actor in ("bureau", "center_a"):
        html = login(world.user(actor)).get("/").content.decode()
        assert 'data-panel="studios-overview"' in html and reverse("studios:list") in html
    html = login(world.user("district_a")).get("/").content.decode()
    assert "studios-" not in html
