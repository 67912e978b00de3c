"""The studios read API: scoped like the pages, ``updated_since`` for
changes, constant queries."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from credits.models import CreditPolicy
from studios import services
from studios.models import EvaluationKind, PersonRole
from tests.contracts import ApiContract, assert_constant_queries
from tests.factories import TeacherFactory

from .conftest import make_studio, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def policy(db):
    CreditPolicy.objects.create(
        name="2022—2026", cycle_start=date(2022, 1, 1), cycle_end=date(2026, 12, 31)
    )


class TestStudioApi(ApiContract):
    permitted = "center_a"
    outside = "center_b"

    @pytest.fixture(autouse=True)
    def _studios(self, world, studios):
        world.studios = studios

    def url(self, world):
        return reverse("api:studio-detail", args=[world.studios.a.pk])


class TestActivityApi(ApiContract):
    permitted = "bureau"
    outside = "center_b"

    @pytest.fixture(autouse=True)
    def _studios(self, world, studios):
        world.activity = record(studios.a, [studios.member_a])

    def url(self, world):
        return reverse("api:studio-activity-detail", args=[world.activity.pk])


def test_lists_are_scoped(world, studios, login):
    data = login(world.user("center_a")).get(reverse("api:studio-list")).json()
    assert [s["name"] for s in data["results"]] == [studios.a.name]
    data = login(world.user("bureau")).get(reverse("api:studio-list")).json()
    assert {s["name"] for s in data["results"]} == {studios.a.name, studios.b.name}
    people = login(world.user("center_b")).get(reverse("api:studio-person-list")).json()
    assert {p["studio"] for p in people["results"]} == {studios.b.pk}


def test_updated_since_reads_changes(world, studios, login):
    client = login(world.user("bureau"))
    later = (timezone.now() + timedelta(seconds=1)).isoformat()
    assert client.get(reverse("api:studio-list"), {"updated_since": later}).json()["count"] == 0
    earlier = (timezone.now() - timedelta(days=1)).isoformat()
    assert client.get(reverse("api:studio-list"), {"updated_since": earlier}).json()["count"] == 2


def test_activity_shows_attendance(world, studios, login):
    activity = record(studios.a, [studios.member_a, studios.host_a], kind="lecture", hours=2)
    data = (
        login(world.user("center_a"))
        .get(reverse("api:studio-activity-detail", args=[activity.pk]))
        .json()
    )
    assert sorted(data["attended"]) == sorted([studios.member_a.pk, studios.host_a.pk])


@pytest.mark.parametrize(
    "route",
    [
        "api:studio-list",
        "api:studio-person-list",
        "api:studio-activity-list",
        "api:studio-pair-list",
        "api:studio-evaluation-list",
    ],
)
def test_api_lists_make_constant_queries(world, studios, login, route):
    client = login(world.user("bureau"))
    counter = iter(range(100))

    def add(n):
        for _ in range(n):
            i = next(counter)
            studio = make_studio(world.center_a, f"工作室{i}")
            host = TeacherFactory(school=world.school_a)
            services.add_person(
                studio=studio, teacher=host, role=PersonRole.HOST, starts_on=date(2022, 9, 1)
            )
            services.add_pair(
                studio=studio, year=2024, mentor=host, mentee=TeacherFactory(school=world.school_a)
            )
            evaluation = services.start_evaluation(
                studio=studio, kind=EvaluationKind.ANNUAL, year=2024
            )
            services.score_evaluation(
                evaluation=evaluation, scores={c.pk: 80 for c in evaluation.scheme.criteria.all()}
            )
            record(studio, [host], kind="lecture", hours=2)

    add(1)
    assert_constant_queries(client, reverse(route), add)
