"""Studio pages: permission contracts, constant query counts, and the work
people do on them (recording an activity with attendance, completing a
mentoring pair, scoring an evaluation, a selection round)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from credits.models import CreditEntry, CreditPolicy
from studios import services
from studios.models import Activity, EvaluationKind, PersonRole, SelectionRound
from tests.contracts import NOBODY_OUTSIDE, PageContract, assert_constant_queries
from tests.factories import TeacherFactory

from .conftest import make_studio, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def policy(db):
    CreditPolicy.objects.create(
        name="2022—2026", cycle_start=date(2022, 1, 1), cycle_end=date(2026, 12, 31)
    )


def _activity(studios):
    return record(studios.a, [studios.member_a])


class TestStudioList(PageContract):
    permitted = "center_a"
    outside = "center_b"

    def url(self, world):
        return reverse("studios:list")

    def outside_url(self, world):
        return reverse("studios:detail", args=[world.studios.a.pk])

    @pytest.fixture(autouse=True)
    def _studios(self, world, studios):
        world.studios = studios


class TestStudioDetail(PageContract):
    permitted = "center_a"
    outside = "center_b"

    @pytest.fixture(autouse=True)
    def _studios(self, world, studios):
        world.studios = studios

    def url(self, world):
        return reverse("studios:detail", args=[world.studios.a.pk])


class TestWorkspace(PageContract):
    permitted = "center_a"
    outside = NOBODY_OUTSIDE

    def url(self, world):
        return reverse("studios:workspace")


class TestActivityDetail(PageContract):
    permitted = "bureau"
    outside = "center_b"

    @pytest.fixture(autouse=True)
    def _studios(self, world, studios):
        world.activity = _activity(studios)

    def url(self, world):
        return reverse("studios:activity-detail", args=[world.activity.pk])


class TestActivityForm(PageContract):
    permitted = "center_a"
    outside = "center_b"

    @pytest.fixture(autouse=True)
    def _studios(self, world, studios):
        world.studios = studios

    def url(self, world):
        return reverse("studios:activity-add", args=[world.studios.a.pk])


class TestEvaluationDetail(PageContract):
    permitted = "center_a"
    outside = "center_b"

    @pytest.fixture(autouse=True)
    def _studios(self, world, studios):
        world.evaluation = services.start_evaluation(
            studio=studios.a, kind=EvaluationKind.ANNUAL, year=2024
        )

    def url(self, world):
        return reverse("studios:evaluation-detail", args=[world.evaluation.pk])


class TestRoundDetail(PageContract):
    permitted = "bureau"
    outside = "center_b"

    @pytest.fixture(autouse=True)
    def _studios(self, world, studios):
        world.round = SelectionRound.objects.create(
            studio=studios.a,
            role=PersonRole.MEMBER,
            title="成员遴选",
            year=2024,
            closes_on=timezone.localdate() + timedelta(days=5),
        )

    def url(self, world):
        return reverse("studios:round-detail", args=[world.round.pk])


def test_studio_list_queries_are_constant(world, studios, login):
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
                studio=studio,
                year=timezone.localdate().year,
                mentor=host,
                mentee=TeacherFactory(school=world.school_a),
            )
            services.start_evaluation(studio=studio, kind=EvaluationKind.ANNUAL, year=2024)

    assert_constant_queries(client, reverse("studios:list"), add)


def test_activity_list_queries_are_constant(world, studios, login):
    client = login(world.user("center_a"))

    def add(n):
        for i in range(n):
            services.record_activity(
                studio=studios.a,
                fields={
                    "kind": "lecture",
                    "title": f"讲座{i}",
                    "held_on": date(2024, 6, 1 + i + n),
                    "place": "x",
                    "hours": Decimal("2"),
                },
                attended=[studios.member_a, studios.member_a2],
            )

    add(1)
    assert_constant_queries(client, reverse("studios:activity-list"), add)


def test_the_list_highlights_studios_short_of_mentees(world, studios, login):
    year = timezone.localdate().year
    for _ in range(3):
        services.add_pair(
            studio=studios.a,
            year=year,
            mentor=studios.host_a,
            mentee=TeacherFactory(school=world.school_a),
        )
    html = login(world.user("bureau")).get(reverse("studios:list")).content.decode()
    assert f'data-studio="{studios.b.pk}"' in html
    row_b = html.split(f'data-studio="{studios.b.pk}"')[0].rsplit("<tr", 1)[1]
    row_a = html.split(f'data-studio="{studios.a.pk}"')[0].rsplit("<tr", 1)[1]
    assert "data-short" in row_b and "data-short" not in row_a
    assert "3 / 3" in html and "0 / 3" in html


def test_center_sees_only_its_studios_and_bureau_all(world, studios, login):
    html_a = login(world.user("center_a")).get(reverse("studios:list")).content.decode()
    assert studios.a.name in html_a and studios.b.name not in html_a
    html = login(world.user("bureau")).get(reverse("studios:list")).content.decode()
    assert studios.a.name in html and studios.b.name in html


def test_recording_an_activity_posts_hours_once(world, studios, login):
    client = login(world.user("center_a"))
    url = reverse("studios:activity-add", args=[studios.a.pk])
    data = {
        "kind": "demo_lesson",
        "title": "示范课",
        "held_on": "2024-04-02",
        "place": "天河第一小学",
        "hours": "3",
        "other_participants": "0",
        "attended": [studios.member_a.pk, studios.host_a.pk],
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get(title="示范课")
    edit = reverse("studios:activity-edit", args=[activity.pk])
    assert client.post(edit, data).status_code == 302  # saved again: nothing more
    assert CreditEntry.objects.filter(activity_key=activity.activity_key).count() == 2
    assert CreditEntry.objects.get(teacher=studios.member_a).hours == 3
    # The member sees the hours on their credit page.
    mine = login(world.user("teacher_a")).get(reverse("credits:mine")).content.decode()
    assert "示范课" in mine


def test_center_b_cannot_record_for_studio_a(world, studios, login):
    response = login(world.user("center_b")).post(
        reverse("studios:activity-add", args=[studios.a.pk]), {"title": "x"}
    )
    assert response.status_code == 404


def test_scoring_and_completing_an_evaluation(world, studios, login):
    evaluation = services.start_evaluation(studio=studios.a, kind=EvaluationKind.ANNUAL, year=2024)
    client = login(world.user("center_a"))
    data = {f"c{c.pk}": "80" for c in evaluation.scheme.criteria.all()}
    data["complete"] = "1"
    response = client.post(reverse("studios:evaluation-detail", args=[evaluation.pk]), data)
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.result == "pass" and evaluation.total == Decimal("80.0")
    # The bureau reads it but does not score an annual evaluation.
    html = (
        login(world.user("bureau"))
        .get(reverse("studios:evaluation-detail", args=[evaluation.pk]))
        .content.decode()
    )
    assert 'id="result"' in html and "80.0" in html


def test_hours_read_without_a_useless_decimal(world, studios, login):
    """``3`` hours, ``2.5`` hours: never the stored ``3.0`` / ``2.50``."""
    three = record(studios.a, [studios.member_a], title="三学时研讨")
    record(studios.a, [studios.member_a], title="半天研讨", hours="2.5", held_on=date(2024, 5, 11))
    client = login(world.user("center_a"))
    pages = {
        "list": client.get(reverse("studios:activity-list")).content.decode(),
        "detail": client.get(reverse("studios:activity-detail", args=[three.pk])).content.decode(),
        "studio": client.get(reverse("studios:detail", args=[studios.a.pk])).content.decode(),
    }
    for name, html in pages.items():
        assert "3.0" not in html and "2.50" not in html, name
    assert "<td>2.5</td>" in pages["list"] and "<td>3</td>" in pages["list"]
    assert ">5.5 <small" in pages["studio"].replace("\n", "")
