"""District systems sync schools and teachers: batch upserts keyed by the
district's own ids, scoped to the token's district, all or nothing."""

import pytest

from centers.models import School, Teacher
from core.models import AuditAction, AuditEntry
from tests.contracts import NOBODY_OUTSIDE, ApiContract, assert_constant_queries
from tests.factories import TeacherFactory, make_id_number

from .factories import CampusFactory, RoomFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _teacher_rows(world, n=3):
    return [
        {
            "external_id": f"T{i:03d}",
            "name": f"同步教师{i}",
            "id_number": make_id_number(region="440106"),
            "school": world.school_a.name,
            "subject": "数学",
            "stage": "primary",
            "title": "一级",
            "role": "teacher",
            "career_stage": "qualified",
        }
        for i in range(n)
    ]


def test_a_teacher_batch_sent_twice_leaves_one_copy(world, token_client):
    client = token_client()
    rows = _teacher_rows(world)
    before = Teacher.objects.count()
    first = client.post("/api/v1/teachers/sync/", rows, format="json")
    assert first.status_code == 200, first.json()
    assert first.json() == {"created": 3, "updated": 0, "unchanged": 0}
    second = client.post("/api/v1/teachers/sync/", {"rows": rows}, format="json")
    assert second.json() == {"created": 0, "updated": 0, "unchanged": 3}
    assert Teacher.objects.count() == before + 3
    synced = Teacher.objects.get(external_id="T000")
    assert synced.district == world.district_a
    assert synced.title == "first"
    # One audit entry per batch, not per row.
    assert AuditEntry.objects.filter(action=AuditAction.SYNC).count() == 2


def test_a_changed_row_updates_and_moves_updated_since(world, token_client):
    client = token_client()
    rows = _teacher_rows(world, 2)
    client.post("/api/v1/teachers/sync/", rows, format="json")
    stamp = Teacher.objects.get(external_id="T001").updated_at
    rows[1]["name"] = "改名教师"
    response = client.post("/api/v1/teachers/sync/", rows, format="json")
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 1}
    changed = client.get(
        "/api/v1/teachers/", {"updated_since": stamp.isoformat().replace("+00:00", "Z")}
    ).json()
    names = [t["name"] for t in changed["results"]]
    assert "改名教师" in names


def test_the_change_feed_reads_in_the_order_of_its_changes(world, token_client):
    """``?updated_since=`` without ``?ordering=`` pages by (updated_at, id): a row
    changed last comes last, whatever its id; ``?ordering=id`` still wins."""
    client = token_client()
    rows = _teacher_rows(world, 3)
    client.post("/api/v1/teachers/sync/", rows, format="json")
    synced = Teacher.objects.filter(external_id__in=["T000", "T001", "T002"])
    since = min(t.updated_at for t in synced).isoformat().replace("+00:00", "Z")
    rows[0]["name"] = "一改名"  # first by name, last by change
    client.post("/api/v1/teachers/sync/", rows, format="json")

    def ids(**extra):
        answer = client.get("/api/v1/teachers/", {"updated_since": since, **extra})
        mine = {"T000", "T001", "T002"}
        return [t["external_id"] for t in answer.json()["results"] if t["external_id"] in mine]

    assert ids() == ["T001", "T002", "T000"]
    assert ids(ordering="id") == ["T000", "T001", "T002"]


def test_a_bad_row_writes_nothing_and_is_named_by_index(world, token_client):
    client = token_client()
    rows = _teacher_rows(world, 4)
    rows[2]["id_number"] = rows[2]["id_number"][:17] + (
        "0" if rows[2]["id_number"][17] != "0" else "1"
    )
    before = Teacher.objects.count()
    response = client.post("/api/v1/teachers/sync/", rows, format="json")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid_rows"
    assert list(body["details"]["rows"]) == ["2"]
    assert "id_number" in body["details"]["rows"]["2"]
    assert Teacher.objects.count() == before
    assert not AuditEntry.objects.filter(action=AuditAction.SYNC).exists()


def test_a_row_for_another_district_is_refused(world, token_client):
    client = token_client()
    rows = _teacher_rows(world, 2)
    rows[1]["district"] = world.district_b.code
    rows[1]["school"] = world.school_b.name
    before = Teacher.objects.count()
    response = client.post("/api/v1/teachers/sync/", rows, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]["rows"]) == ["1"]
    assert Teacher.objects.count() == before


def test_an_id_number_of_another_teacher_is_refused(world, token_client):
    rows = _teacher_rows(world, 1)
    rows[0]["id_number"] = world.teacher_b.id_number
    response = token_client().post("/api/v1/teachers/sync/", rows, format="json")
    assert response.status_code == 400
    assert "id_number" in response.json()["error"]["details"]["rows"]["0"]


def test_duplicate_rows_in_one_batch_are_refused(world, token_client):
    rows = _teacher_rows(world, 2)
    rows[1]["external_id"] = rows[0]["external_id"]
    response = token_client().post("/api/v1/teachers/sync/", rows, format="json")
    assert response.status_code == 400
    assert "external_id" in response.json()["error"]["details"]["rows"]["1"]


def test_a_hand_entered_teacher_adopts_the_district_id(world, token_client):
    teacher = world.teacher_a
    rows = _teacher_rows(world, 1)
    rows[0]["id_number"] = teacher.id_number
    response = token_client().post("/api/v1/teachers/sync/", rows, format="json")
    assert response.json()["updated"] == 1
    teacher.refresh_from_db()
    assert teacher.external_id == "T000"


def test_schools_sync_is_idempotent_and_scoped(world, token_client):
    client = token_client()
    rows = [
        {"external_id": "S1", "name": "天河新学校", "stage": "小学", "ownership": "公办"},
        {"external_id": "S2", "name": "天河新幼儿园", "stage": "kindergarten"},
    ]
    assert client.post("/api/v1/schools/sync/", rows, format="json").json()["created"] == 2
    assert client.post("/api/v1/schools/sync/", rows, format="json").json()["unchanged"] == 2
    assert School.objects.filter(external_id__in=["S1", "S2"]).count() == 2
    rows.append({"external_id": "S3", "name": "海珠学校", "stage": "primary", "district": "haizhu"})
    response = client.post("/api/v1/schools/sync/", rows, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]["rows"]) == ["2"]
    assert not School.objects.filter(external_id="S3").exists()


def test_sync_needs_the_right_to_change(world, login):
    client = login(world.user("center_a"))
    response = client.post("/api/v1/teachers/sync/", [], content_type="application/json")
    assert response.status_code == 403


def test_sync_refuses_a_body_that_is_not_a_list(world, token_client):
    response = token_client().post("/api/v1/teachers/sync/", {"rows": "x"}, format="json")
    assert response.status_code == 400


def test_sync_writes_with_a_constant_number_of_queries(world, token_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = token_client()

    def run(rows):
        with CaptureQueriesContext(connection) as ctx:
            response = client.post("/api/v1/teachers/sync/", rows, format="json")
        assert response.status_code == 200, response.json()
        return len(ctx.captured_queries)

    run([{**_teacher_rows(world, 1)[0], "external_id": "WARM"}])  # token use is stamped once
    few = _teacher_rows(world, 2)
    many = [{**r, "external_id": f"M{i}"} for i, r in enumerate(_teacher_rows(world, 40))]
    assert run(few) == run(many)


# --- read endpoints ----------------------------------------------------------


class TestStaffApi(ApiContract):
    permitted = "center_a"
    outside = "center_b"
    forbidden = "teacher_a"

    def url(self, world):
        return f"/api/v1/staff/{StaffFactory(center=world.center_a).pk}/"


class TestCampusApi(ApiContract):
    permitted = "center_a"
    outside = "center_b"
    forbidden = "school_a"

    def url(self, world):
        return f"/api/v1/campuses/{CampusFactory(center=world.center_a).pk}/"


class TestTeacherApi(ApiContract):
    permitted = "system_a"
    outside = "district_b"
    forbidden = "vendor"

    def url(self, world):
        return f"/api/v1/teachers/{world.teacher_a.pk}/"


class TestStandardsEvaluationApi(ApiContract):
    outside = NOBODY_OUTSIDE
    permitted = "center_a"
    forbidden = "teacher_a"

    def url(self, world):
        return "/api/v1/standards/evaluation/"


def test_evaluation_api_is_scoped(world, login, staffed):
    data = login(world.user("center_a")).get("/api/v1/standards/evaluation/").json()
    assert [e["center"] for e in data] == [world.center_a.pk]
    assert {r["rule"] for r in data[0]["results"]} >= {"part-time-ratio", "capacity"}
    data = login(world.user("bureau")).get("/api/v1/standards/evaluation/?kind=district").json()
    assert [e["center"] for e in data] == [world.district_center_a.pk]


def test_mandate_route_api(world, login):
    from centers.models import Mandate

    Mandate.objects.create(center=world.center_b, stage="kindergarten")
    Mandate.objects.create(center=world.center_a)
    client = login(world.user("bureau"))
    assert client.get("/api/v1/mandates/route/?stage=kindergarten").json()["center"] == (
        world.center_b.pk
    )
    assert client.get("/api/v1/mandates/route/?stage=primary").json()["center"] == world.center_a.pk


@pytest.mark.parametrize(
    "path,add",
    [
        ("/api/v1/teachers/", lambda w, n: [TeacherFactory(school=w.school_a) for _ in range(n)]),
        ("/api/v1/staff/", lambda w, n: [StaffFactory(center=w.center_a) for _ in range(n)]),
        (
            "/api/v1/rooms/",
            lambda w, n: [RoomFactory(campus=CampusFactory(center=w.center_a)) for _ in range(n)],
        ),
        ("/api/v1/campuses/", lambda w, n: [CampusFactory(center=w.center_a) for _ in range(n)]),
    ],
)
def test_api_lists_make_a_constant_number_of_queries(world, login, path, add):
    client = login(world.user("bureau"))
    add(world, 1)
    assert_constant_queries(client, path, lambda n: add(world, n))


def test_another_districts_id_number_is_not_named(world, token_client):
    """Minimum necessary: the answer says the number is taken, never by whom
    or in which district (the sync API is no ID-number oracle)."""
    client = token_client()
    rows = _teacher_rows(world, 1)
    rows[0]["id_number"] = world.teacher_b.id_number
    response = client.post("/api/v1/teachers/sync/", rows, format="json")
    assert response.status_code == 400
    text = response.content.decode()
    assert world.district_b.name not in text and world.teacher_b.name not in text
    assert world.school_b.name not in text
    assert "id_number" in response.json()["error"]["details"]["rows"]["0"]


@pytest.mark.parametrize("kind", ["schools", "teachers"])
def test_the_schema_describes_a_sync_body_as_a_list_of_rows(world, login, kind):
    schema = login(world.user("bureau")).get("/api/v1/schema/?format=json").json()
    body = schema["paths"][f"/api/v1/{kind}/sync/"]["post"]["requestBody"]
    rows, wrapped = body["content"]["application/json"]["schema"]["oneOf"]
    assert rows["type"] == "array" and rows["items"]["type"] == "object"
    assert {"external_id", "name"} <= set(rows["items"]["required"])
    assert wrapped["properties"]["rows"] == rows
