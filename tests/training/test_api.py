"""Training API: permission contracts, fixed query counts, the district's
reads with updated_since, and the flow through the API."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.contracts import ApiContract, assert_constant_queries
from training import services
from training.models import Enrollment

from .factories import SubProjectFactory
from .objects import training_objects

pytestmark = pytest.mark.django_db


class TestSubProjectApi(ApiContract):
    permitted = "center_a"
    outside = "vendor"

    def url(self, world):
        return reverse("api:training-subproject-detail", args=[training_objects(world).sub_a.pk])

    def outside_url(self, world):
        return reverse("api:training-subproject-detail", args=[training_objects(world).sub_b.pk])


class TestEnrollmentApi(ApiContract):
    permitted = "district_a"
    outside = "district_b"

    def url(self, world):
        return reverse(
            "api:training-enrollment-detail", args=[training_objects(world).enrollment_a.pk]
        )


class TestResultApi(ApiContract):
    permitted = "vendor"
    outside = "center_b"

    def url(self, world):
        o = training_objects(world)
        result = services.enter_result(enrollment=o.enrollment_a, by=world.user("vendor"), test=80)
        return reverse("api:training-result-detail", args=[result.pk])


@pytest.mark.parametrize(
    ("actor", "route"),
    [
        ("center_a", "api:training-subproject-list"),
        ("district_a", "api:training-enrollment-list"),
        ("bureau", "api:training-plan-list"),
    ],
)
def test_api_lists_have_constant_queries(world, login, actor, route):
    o = training_objects(world)

    def add(n):
        for _ in range(n):
            sub = SubProjectFactory(
                project=o.sub_a.project, center=world.center_a, status="approved"
            )
            Enrollment.objects.create(
                subproject=sub,
                teacher=world.teacher_a,
                district=world.district_a,
                school=world.school_a,
            )

    assert_constant_queries(login(world.user(actor)), reverse(route), add)


def test_district_system_reads_participation_and_results_since(world, api_token):
    o = training_objects(world)
    raw, _token = api_token("system_a")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    since = (timezone.now() - datetime.timedelta(minutes=1)).isoformat()
    rows = client.get(reverse("api:training-enrollment-list"), {"updated_since": since}).json()
    ids = {r["id"] for r in rows.get("results", rows)}
    assert o.enrollment_a.pk in ids and o.enrollment_b.pk not in ids
    services.enter_result(enrollment=o.enrollment_a, by=world.user("vendor"), test=70)
    later = (timezone.now() + datetime.timedelta(minutes=1)).isoformat()
    rows = client.get(reverse("api:training-result-list"), {"updated_since": later}).json()
    assert rows.get("results", rows) == []


def test_flow_through_the_api(world, login):
    o = training_objects(world)
    teacher, vendor = login(world.user("teacher_a")), login(world.user("vendor"))
    code = services.checkin_code(o.session_a).code
    url = reverse("api:training-session-checkin", args=[o.session_a.pk])
    wrong = teacher.post(url, {"code": "1"}, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["error"]["message"]
    ok = teacher.post(url, {"code": code}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["present"] is True
    assert (
        teacher.post(url, {"code": code}, content_type="application/json").json()["id"]
        == (ok.json()["id"])
    )
    signed = vendor.post(reverse("api:training-session-sign-off", args=[o.session_a.pk]))
    assert signed.status_code == 200
    result = vendor.post(
        reverse("api:training-result-list"),
        {
            "enrollment": o.enrollment_a.pk,
            "assignment": 90,
            "test": 95,
            "case": 90,
            "reflection": 90,
        },
        content_type="application/json",
    )
    assert result.status_code == 201 and result.json()["grade"] == "excellent"
    typed = vendor.post(
        reverse("api:training-result-list"),
        {"enrollment": o.enrollment_a.pk, "grade": "fail"},
        content_type="application/json",
    )
    assert typed.json().get("grade") == "excellent"  # the grade is computed, never typed
    center = login(world.user("center_a"))
    move = reverse("api:training-subproject-move", args=[o.sub_a.pk])
    closed = center.post(move, {"move": "close"}, content_type="application/json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = center.post(move, {"move": "close"}, content_type="application/json")
    assert again.status_code == 400
    o.enrollment_a.refresh_from_db()
    assert o.enrollment_a.credit_entry is not None
