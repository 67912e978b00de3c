"""A district system posts its own 区培 / 校本 participation in idempotent
batches: rows land as enrolments and results, passing teachers' hours on the
ledger once, all or nothing, a retry replays the stored answer, and a
teacher of another district is refused without saying where they are."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from credits.models import CreditEntry
from tests.factories import TeacherFactory
from training.models import (
    Enrollment,
    EnrollmentStatus,
    ParticipationSync,
    Result,
    SubProject,
    SubProjectStatus,
)

from .factories import PlanFactory, ProjectFactory, SubProjectFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/training/participation/"


@pytest.fixture
def teachers(world):
    world.teacher_a.external_id = "TH-001"
    world.teacher_a.save()
    world.teacher_b.external_id = "HZ-001"
    world.teacher_b.save()
    second = TeacherFactory(school=world.school_a2, external_id="TH-002")
    return world.teacher_a, second


@pytest.fixture
def system(api_token):
    raw, _token = api_token("system_a")
    return Client(HTTP_AUTHORIZATION=f"Token {raw}")


@pytest.fixture
def district_sub(world, policy):
    """An approved 区培 sub-project held by district A (12 hours)."""
    today = timezone.localdate()
    plan = PlanFactory(
        holder_kind="district", district=world.district_a, level="district", name="天河区培"
    )
    return SubProjectFactory(
        project=ProjectFactory(plan=plan),
        status=SubProjectStatus.APPROVED,
        hours=Decimal("12"),
        capacity=1,
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today - datetime.timedelta(days=1),
    )


def post(client, body, key="k-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def activity(code="XB-2026-01", **extra):
    today = timezone.localdate()
    return {
        "code": code,
        "name": "校本研修：课堂观察",
        "level": "school",
        "hours": "6",
        "starts_on": (today - datetime.timedelta(days=10)).isoformat(),
        "ends_on": (today - datetime.timedelta(days=9)).isoformat(),
        **extra,
    }


def test_rows_land_as_participation_results_and_hours(world, teachers, district_sub, system):
    body = {
        "rows": [
            {"teacher": "TH-001", "subproject": district_sub.pk, "result": "pass", "score": 82},
            {"teacher": "TH-002", "subproject": district_sub.pk, "result": "fail"},
            {"teacher": "TH-001", "activity": activity(), "result": "excellent"},
            {"teacher": "TH-002", "activity": {"code": "XB-2026-01"}, "result": "pass", "hours": 4},
        ]
    }
    response = post(system, body)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["batch"]["created"] == 4
    assert answer["batch"]["activities_created"] == 1
    assert answer["batch"]["hours_posted"] == 3
    enrolments = Enrollment.objects.filter(subproject=district_sub)
    assert {e.status for e in enrolments} == {EnrollmentStatus.ENROLLED}
    district_sub.refresh_from_db()
    # The class was larger than planned: the seats follow what happened.
    assert district_sub.seats_taken == 2 and district_sub.capacity == 2
    grades = dict(
        Result.objects.filter(enrollment__subproject=district_sub).values_list(
            "enrollment__teacher__external_id", "grade"
        )
    )
    assert grades == {"TH-001": "pass", "TH-002": "fail"}
    school_sub = SubProject.objects.get(code="XB-2026-01")
    assert school_sub.project.plan.district == world.district_a
    assert school_sub.project.plan.level == "school"
    assert school_sub.status == SubProjectStatus.CLOSED
    ledger = {
        (e.teacher.external_id, e.activity_key): (e.hours, e.source)
        for e in CreditEntry.objects.select_related("teacher")
    }
    assert ledger == {
        ("TH-001", district_sub.activity_key): (Decimal("12"), "training"),
        ("TH-001", school_sub.activity_key): (Decimal("6"), "school_based"),
        ("TH-002", school_sub.activity_key): (Decimal("4"), "school_based"),
    }
    passed = Enrollment.objects.get(subproject=district_sub, teacher__external_id="TH-001")
    assert passed.credit_entry is not None


def test_a_retry_replays_the_stored_answer_and_writes_nothing(
    world, teachers, district_sub, system
):
    body = {"rows": [{"teacher": "TH-001", "subproject": district_sub.pk, "result": "pass"}]}
    first = post(system, body)
    second = post(system, body)
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert (
        Enrollment.objects.count()
        == 1 + Enrollment.objects.exclude(subproject=district_sub).count()
    )
    assert CreditEntry.objects.count() == 1
    # The same rows under a new key: nothing counts twice.
    again = post(system, body, key="k-2").json()
    assert again["batch"]["created"] == 0 and again["batch"]["unchanged"] == 1
    assert again["batch"]["hours_posted"] == 0
    assert CreditEntry.objects.count() == 1
    # The key with another body is refused.
    other = {"rows": [{"teacher": "TH-002", "subproject": district_sub.pk, "result": "pass"}]}
    refused = post(system, other)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "idempotency_key_reused"


def test_a_changed_result_reverses_the_hours(world, teachers, district_sub, system):
    row = {"teacher": "TH-001", "subproject": district_sub.pk, "result": "pass"}
    post(system, {"rows": [row]})
    answer = post(system, {"rows": [dict(row, result="fail")]}, key="k-2").json()
    assert answer["batch"]["updated"] == 1 and answer["batch"]["hours_reversed"] == 1
    total = sum(e.hours for e in CreditEntry.objects.filter(teacher=world.teacher_a))
    assert total == 0
    answer = post(system, {"rows": [row]}, key="k-3").json()
    assert answer["batch"]["hours_posted"] == 1
    total = sum(e.hours for e in CreditEntry.objects.filter(teacher=world.teacher_a))
    assert total == Decimal("12")


def test_another_districts_teacher_is_refused_without_saying_where(
    world, teachers, district_sub, system
):
    body = {
        "rows": [
            {"teacher": "TH-001", "subproject": district_sub.pk, "result": "pass"},
            {"teacher": "HZ-001", "subproject": district_sub.pk, "result": "pass"},
            {"teacher": "NOBODY", "subproject": district_sub.pk, "result": "pass"},
        ]
    }
    response = post(system, body)
    assert response.status_code == 422
    rows = response.json()["error"]["details"]["rows"]
    assert [(r["index"], r["field"]) for r in rows] == [(1, "teacher"), (2, "teacher")]
    # Another district's teacher reads exactly like an unknown id.
    assert rows[0]["message"] == rows[1]["message"]
    assert world.district_b.name not in response.content.decode()
    assert not Enrollment.objects.filter(subproject=district_sub).exists()
    assert not CreditEntry.objects.exists()
    assert not ParticipationSync.objects.exists()  # the corrected batch may reuse the key
    body["rows"] = body["rows"][:1]
    assert post(system, body).status_code == 201


def test_row_errors_are_all_or_nothing(world, teachers, district_sub, system):
    other_plan = PlanFactory(holder_kind="district", district=world.district_b, level="district")
    foreign = SubProjectFactory(project=ProjectFactory(plan=other_plan), status="approved")
    city = SubProjectFactory(status="approved")  # a bureau plan: not the district's to report
    body = {
        "rows": [
            {"teacher": "TH-001", "activity": activity(), "result": "pass"},
            {"teacher": "TH-002", "subproject": foreign.pk, "result": "pass"},
            {"teacher": "TH-002", "subproject": city.pk, "result": "pass"},
            {"teacher": "TH-002", "subproject": district_sub.pk, "result": "pass", "hours": 20},
            {"teacher": "TH-001", "activity": {"code": "UNKNOWN"}, "result": "pass"},
            {"teacher": "TH-001", "activity": activity(), "result": "pass"},
        ]
    }
    response = post(system, body)
    assert response.status_code == 422
    fields = {(r["index"], r["field"]) for r in response.json()["error"]["details"]["rows"]}
    assert fields == {
        (1, "subproject"),
        (2, "subproject"),
        (3, "hours"),
        (4, "activity"),
        (5, None),
    }
    assert not SubProject.objects.filter(code="XB-2026-01").exists()
    assert not Enrollment.objects.filter(subproject=district_sub).exists()
    assert not CreditEntry.objects.exists()
    # A row of the wrong shape is named before anything is looked up.
    bad = {"teacher": "TH-001", "subproject": district_sub.pk, "result": "great", "x": 1}
    response = post(system, {"rows": [body["rows"][0], bad]})
    fields = {(r["index"], r["field"]) for r in response.json()["error"]["details"]["rows"]}
    assert fields == {(1, "x"), (1, "result")}
    assert not SubProject.objects.filter(code="XB-2026-01").exists()


def test_an_empty_teacher_code_or_name_is_required(world, teachers, district_sub, system):
    rows = [
        {"teacher": "  ", "subproject": district_sub.pk, "result": "pass"},
        {"teacher": "TH-001", "activity": activity(code=""), "result": "pass"},
        {"teacher": "TH-002", "activity": activity(name=None), "result": "pass"},
    ]
    response = post(system, {"rows": rows}, key="k-required")
    assert response.status_code == 422
    errors = {
        (r["index"], r["field"]): r["message"] for r in response.json()["error"]["details"]["rows"]
    }
    assert set(errors) == {(0, "teacher"), (1, "activity.code"), (2, "activity.name")}
    assert set(errors.values()) == {"此项必填。"}
    assert not Enrollment.objects.exists()


def test_the_route_needs_a_district_systems_token_and_a_key(
    world, teachers, district_sub, system, login
):
    row = {"teacher": "TH-001", "subproject": district_sub.pk, "result": "pass"}
    answer = post(system, {"rows": [row]}, key=None)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "idempotency_key_required"
    assert post(system, {"rows": []}).status_code == 400
    assert post(system, {"rows": [row] * 1001}).status_code == 413
    staff = login(world.user("district_a"))
    assert post(staff, {"rows": [row]}).status_code == 403
    assert not Enrollment.objects.filter(subproject=district_sub).exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_key_sent_at_once_from_many_connections_has_one_effect(
    postgres, world, teachers, district_sub, system, api_token
):
    """Eight connections post one batch under one Idempotency-Key at the same
    moment: one writes, the others wait on the key's unique index and replay
    its answer byte for byte; one enrolment, one ledger entry, one key."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    workers = 8
    raw, _token = api_token("system_a")
    body = {"rows": [{"teacher": "TH-001", "subproject": district_sub.pk, "result": "pass"}]}
    barrier = threading.Barrier(workers)

    def send(_n):
        client = Client(HTTP_AUTHORIZATION=f"Token {raw}")
        try:
            barrier.wait()
            response = post(client, body, key="same-key")
            return response.status_code, response.content, response.get("Idempotent-Replayed")
        finally:
            connection.close()

    with ThreadPoolExecutor(workers) as pool:
        answers = list(pool.map(send, range(workers)))
    assert {status for status, _c, _r in answers} == {201}, answers
    assert len({content for _s, content, _r in answers}) == 1
    assert [replayed for _s, _c, replayed in answers].count(None) == 1
    assert ParticipationSync.objects.filter(key="same-key").count() == 1
    assert Enrollment.objects.filter(subproject=district_sub).count() == 1
    assert CreditEntry.objects.filter(activity_key=district_sub.activity_key).count() == 1
