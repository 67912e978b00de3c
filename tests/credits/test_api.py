import json
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from credits.models import CreditEntry, SyncRequest
from tests.contracts import ApiContract, assert_constant_queries
from tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db

BATCH_URL = "/api/v1/credits/entries/batch/"


@pytest.fixture
def synced_teachers(world):
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


def rows(n=3, teacher="TH-001", prefix="E"):
    return [
        {
            "external_id": f"{prefix}{i}",
            "teacher": teacher if i % 2 == 0 else "TH-002",
            "category": "subject",
            "hours": "2.5",
            "earned_on": "2025-09-01",
            "title": "区级教研活动",
        }
        for i in range(n)
    ]


def post(client, body, key="k-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(BATCH_URL, json.dumps(body), content_type="application/json", **headers)


def test_batch_posts_every_row(world, policy, synced_teachers, system):
    response = post(system, {"entries": rows(4)})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["batch"] == {"received": 4, "created": 4, "existing": 0, "already_counted": 0}
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3]
    assert all(r["status"] == "created" and r["id"] for r in body["results"])
    assert CreditEntry.objects.count() == 4
    entry = CreditEntry.objects.get(external_id="E0")
    assert entry.hours == Decimal("2.5") and entry.org_kind == "system"
    assert entry.registered_by == world.user("system_a")


def test_a_resend_returns_the_first_answer_and_writes_nothing(
    world, policy, synced_teachers, system
):
    first = post(system, {"entries": rows(3)})
    second = post(system, {"entries": rows(3)})
    third = post(system, {"entries": rows(3)})
    assert first.status_code == second.status_code == third.status_code == 201
    assert second.json() == first.json() == third.json()
    assert second["Idempotent-Replayed"] == "true"
    assert CreditEntry.objects.count() == 3
    # Same rows under a new key: known external ids are reported, not copied.
    again = post(system, {"entries": rows(3)}, key="k-2")
    assert again.json()["batch"]["existing"] == 3
    assert CreditEntry.objects.count() == 3


def test_same_key_with_another_body_is_refused(world, policy, synced_teachers, system):
    post(system, {"entries": rows(2)})
    response = post(system, {"entries": rows(3)})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in error["message"]
    assert CreditEntry.objects.count() == 2


def test_a_bad_row_is_reported_by_index_and_nothing_is_written(
    world, policy, synced_teachers, system
):
    batch = rows(5)
    batch[3]["hours"] = "-1"
    batch[4]["earned_on"] = "2025-13-01"
    response = post(system, {"entries": batch})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_rows"
    bad = {(r["index"], r["field"]) for r in error["details"]["rows"]}
    assert bad == {(3, "hours"), (4, "earned_on")}
    assert not CreditEntry.objects.exists()
    assert not SyncRequest.objects.exists()  # the key may be used for the fixed batch
    assert post(system, {"entries": rows(5)}).status_code == 201


def test_another_districts_teacher_is_refused(world, policy, synced_teachers, system):
    batch = rows(3)
    batch[1]["teacher"] = "HZ-001"  # a teacher of district B
    response = post(system, {"entries": batch})
    assert response.status_code == 422
    details = response.json()["error"]["details"]["rows"]
    assert details == [{"index": 1, "field": "teacher", "message": details[0]["message"]}]
    assert not CreditEntry.objects.exists()


def test_duplicate_ids_in_a_batch_and_unknown_fields(world, policy, synced_teachers, system):
    batch = rows(2)
    batch[1]["external_id"] = "E0"
    batch[0]["points"] = 3
    response = post(system, {"entries": batch})
    fields = {(r["index"], r["field"]) for r in response.json()["error"]["details"]["rows"]}
    assert fields == {(0, "points"), (1, "external_id")}


def test_activity_counts_once_across_portal_and_sync(world, policy, synced_teachers, system, award):
    portal = award(world.teacher_a, 24, activity_key="training.subproject:5").entry
    batch = rows(1)
    batch[0]["activity_key"] = "training.subproject:5"
    body = post(system, {"entries": batch}).json()
    assert body["results"][0] == {
        "index": 0,
        "external_id": "E0",
        "status": "already_counted",
        "id": portal.pk,
    }
    assert CreditEntry.objects.count() == 1


def test_a_mixed_batch_answers_each_row_and_keeps_balances_with_the_ledger(
    world, policy, synced_teachers, system, award
):
    # One batch with every outcome (``_bulk_post`` keeps them in flat lists):
    # a row already sent, an activity the portal counted, a new activity named
    # twice, new rows for a teacher with a balance and for one without; then
    # the same request again, which answers the same bytes and writes nothing.
    from credits.models import CreditBalance

    teacher, second = synced_teachers
    portal = award(teacher, 6, activity_key="training.subproject:9").entry
    assert not CreditBalance.objects.filter(teacher=second).exists()
    assert post(system, {"entries": rows(1, prefix="OLD")}, key="k-0").status_code == 201
    old = CreditEntry.objects.get(external_id="OLD0")
    batch = rows(6)
    batch[0]["external_id"] = "OLD0"
    batch[1]["activity_key"] = batch[3]["activity_key"] = "studio.activity:3"
    batch[2]["activity_key"] = "training.subproject:9"
    first = post(system, {"entries": batch})
    assert first.status_code == 201, first.json()
    answer = first.json()
    statuses = [(r["index"], r["status"]) for r in answer["results"]]
    assert statuses == [
        (0, "existing"),
        (1, "created"),
        (2, "already_counted"),
        (3, "already_counted"),
        (4, "created"),
        (5, "created"),
    ]
    ids = [r["id"] for r in answer["results"]]
    assert ids[0] == old.pk and ids[2] == portal.pk and ids[3] == ids[1]
    assert len({ids[1], ids[4], ids[5]}) == 3
    assert answer["batch"] == {"received": 6, "created": 3, "existing": 1, "already_counted": 2}
    assert CreditEntry.objects.get(pk=ids[1]).teacher == second
    again = post(system, {"entries": batch})
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert CreditEntry.objects.count() == 5  # the portal's, OLD0 and the three new
    for t in (teacher, second):
        ledger = sum(e.hours for e in CreditEntry.objects.filter(teacher=t))
        assert CreditBalance.objects.get(teacher=t, policy=policy).hours == ledger


def test_batch_needs_key_token_and_size(world, policy, synced_teachers, system, login):
    assert post(system, {"entries": rows(1)}, key=None).json()["error"]["code"] == (
        "idempotency_key_required"
    )
    assert post(system, {"entries": []}).status_code == 400
    too_many = [dict(r, external_id=f"X{i}") for i, r in enumerate(rows(1) * 1001)]
    assert post(system, {"entries": too_many}).status_code == 413
    # District staff may add entries on pages, but batches are for systems.
    staff = login(world.user("district_a"))
    assert post(staff, {"entries": rows(1)}).status_code == 403
    assert post(login(world.user("teacher_a")), {"entries": rows(1)}).status_code == 403
    assert Client().post(BATCH_URL, "{}", content_type="application/json").status_code in (401, 403)


def test_batch_queries_do_not_grow_with_rows(world, policy, synced_teachers, system):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post(system, {"entries": rows(1, prefix="W")}, key="warm")  # token last-used stamp
    with CaptureQueriesContext(connection) as small:
        post(system, {"entries": rows(2, prefix="S")}, key="a")
    # (SQLite splits an INSERT at 999 parameters; PostgreSQL takes 1,000 rows at once.)
    with CaptureQueriesContext(connection) as large:
        post(system, {"entries": rows(40, prefix="L")}, key="b")
    assert len(large.captured_queries) == len(small.captured_queries)


def test_updated_since_reads_changes(world, policy, synced_teachers, system):
    post(system, {"entries": rows(2)})
    response = system.get("/api/v1/credits/entries/?updated_since=2000-01-01T00:00:00Z")
    assert response.json()["count"] == 2
    response = system.get("/api/v1/credits/entries/?updated_since=2999-01-01T00:00:00Z")
    assert response.json()["count"] == 0


def test_teacher_reads_own_summary_and_entries(world, policy, award, login):
    award(world.teacher_a, 40, category="ethics")
    award(world.teacher_b, 10)
    client = login(world.user("teacher_a"))
    summary = client.get("/api/v1/credits/summary/").json()
    assert summary["total_hours"] == "40.0" and summary["required_hours"] == "360.0"
    assert summary["by_category"][0]["met"] is True
    entries = client.get("/api/v1/credits/entries/").json()
    assert entries["count"] == 1
    other = client.get(f"/api/v1/credits/summary/?teacher={world.teacher_b.pk}")
    assert other.status_code == 404
    district = login(world.user("district_a"))
    assert district.get(f"/api/v1/credits/summary/?teacher={world.teacher_a.pk}").status_code == 200
    assert district.get(f"/api/v1/credits/summary/?teacher={world.teacher_b.pk}").status_code == 404
    assert login(world.user("outsider")).get("/api/v1/credits/summary/").status_code == 403


def test_claim_api_approves(world, policy, login):
    from credits.models import CreditClaim

    claim = CreditClaim.objects.create(
        teacher=world.teacher_a,
        school=world.school_a,
        district=world.district_a,
        title="课程",
        category="it",
        hours=Decimal("4"),
        earned_on=date(2025, 1, 1),
        submitted_by=world.user("teacher_a"),
    )
    url = f"/api/v1/credits/claims/{claim.pk}/approve/"
    assert login(world.user("district_b")).post(url).status_code == 404
    assert login(world.user("school_a")).post(url).json()["status"] == "school_approved"
    assert login(world.user("district_a")).post(url).json()["status"] == "approved"
    assert login(world.user("district_a")).post(url).status_code == 409


class TestEntryApiContract(ApiContract):
    permitted = "district_a"
    outside = "district_b"
    forbidden = "vendor"

    def url(self, world):
        from credits import services

        entry = services.award_hours(
            teacher=world.teacher_a,
            hours=3,
            category="it",
            source="online",
            earned_on=date(2025, 1, 1),
        ).entry
        return f"/api/v1/credits/entries/{entry.pk}/"


def test_entry_api_list_has_constant_queries(world, policy, award, login):
    award(world.teacher_a, 1)

    def add(n):
        for i in range(n):
            award(world.teacher_a, 1, title=f"x{i}")

    assert_constant_queries(login(world.user("bureau")), "/api/v1/credits/entries/", add)


def _claim(world):
    from credits.models import CreditClaim

    return CreditClaim.objects.create(
        teacher=world.teacher_a,
        school=world.school_a,
        district=world.district_a,
        title="课程",
        category="it",
        hours=Decimal("4"),
        earned_on=date(2025, 1, 1),
        submitted_by=world.user("teacher_a"),
    )


class TestClaimApiContract(ApiContract):
    permitted = "school_a"
    outside = "district_b"
    forbidden = "vendor"

    def url(self, world):
        return f"/api/v1/credits/claims/{_claim(world).pk}/"


def test_claim_api_list_has_constant_queries(world, policy, login):
    _claim(world)
    assert_constant_queries(
        login(world.user("district_a")),
        "/api/v1/credits/claims/",
        lambda n: [_claim(world) for _ in range(n)],
    )


def test_summary_api_has_a_fixed_number_of_queries(world, policy, award, login):
    from tests.contracts import count_queries

    client = login(world.user("teacher_a"))
    award(world.teacher_a, 1)
    count_queries(client, "/api/v1/credits/summary/")
    before = count_queries(client, "/api/v1/credits/summary/")
    for i in range(10):
        award(world.teacher_a, 1, category=["it", "ethics", "general"][i % 3])
    assert count_queries(client, "/api/v1/credits/summary/") == before


def test_old_idempotency_keys_are_forgotten(world, policy, synced_teachers, system):
    import datetime

    from django.utils import timezone

    from credits import services

    post(system, {"entries": rows(1)})
    assert services.purge_sync_requests() == 0
    later = timezone.now() + datetime.timedelta(days=91)
    assert services.purge_sync_requests(now=later) == 1
    assert CreditEntry.objects.count() == 1


# --- Batch performance guarantees: a fixed number of statements, exact text ------------


@pytest.fixture
def many_teachers(world):
    return [TeacherFactory(school=world.school_a, external_id=f"Q{i:02d}") for i in range(20)]


def mixed_rows(n, prefix):
    """Rows for 20 teachers; every fifth names an activity, and from 40 rows
    on an activity comes twice for one teacher (it counts once)."""
    out = []
    for i in range(n):
        row = {
            "external_id": f"{prefix}{i}",
            "teacher": f"Q{i % 20:02d}",
            "category": "it",
            "hours": "1.5",
            "earned_on": "2025-03-01",
            "title": "网络研修",
        }
        if i % 5 == 0:
            row["activity_key"] = f"course:{prefix}{i % 40}"
        out.append(row)
    return out


def test_batch_query_count_does_not_grow_with_its_size(world, policy, many_teachers, system):
    """10 rows or 200 — new, already sent, activities new and already
    counted — take the same statements. On SQLite (no COPY) Django splits
    the entries' INSERT every 999 parameters; only those chunks may differ."""
    import math

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post(system, {"entries": mixed_rows(10, "P")}, key="warm")  # token stamp, policy
    counted = dict(mixed_rows(1, "P")[0], external_id="again-P0")  # its activity counts
    statements = {}
    for size in (10, 200):
        # Five rows sent before (existing), one for an activity that counts
        # already, the rest new.
        batch = mixed_rows(5, "P") + [dict(counted, external_id=f"again-{size}")]
        batch += mixed_rows(size - 6, f"N{size}-")
        with CaptureQueriesContext(connection) as captured:
            response = post(system, {"entries": batch}, key=f"size-{size}")
        assert response.status_code == 201, response.content
        counts = response.json()["batch"]
        assert counts["existing"] == 5 and counts["already_counted"] >= 1
        assert counts["created"] + counts["already_counted"] == size - 5
        sqls = [q["sql"] for q in captured.captured_queries]
        if connection.vendor == "sqlite":
            inserts = [s for s in sqls if s.startswith('INSERT INTO "credits_creditentry"')]
            per_insert = connection.features.max_query_params // len(
                [f for f in CreditEntry._meta.concrete_fields if not f.primary_key]
            )
            assert len(inserts) == math.ceil(counts["created"] / per_insert)
            sqls = [s for s in sqls if s not in inserts]
        statements[size] = sqls
    assert len(statements[200]) == len(statements[10]), (statements[10], statements[200])
    awards = CreditEntry.objects.exclude(activity_key="").values_list("teacher_id", "activity_key")
    assert len(awards) == len(set(awards))


AWKWARD = [
    "tab\there",
    "line\nbreak\r\n",
    "back\\slash \\N \\.",
    'quote " and {brace}, comma',
    "NULL",
    "空格 与 中文",
]


def test_batch_keeps_awkward_text_exactly(world, policy, system):
    """Titles, evidence, ids and activity keys come back exactly as sent
    (PostgreSQL writes them with COPY and reads ids through array literals)."""
    rows = []
    for i, text in enumerate(AWKWARD):
        teacher = TeacherFactory(school=world.school_a, external_id=f"T{i} {text.strip()}"[:64])
        rows.append(
            {
                "external_id": f"X{i}-{text.strip()}",
                "teacher": teacher.external_id,
                "category": "general",
                "hours": "2",
                "earned_on": "2025-01-01",
                "title": text.strip(),
                "evidence": f"{text.strip()}!",
                "activity_key": f"act:{text.strip()}",
            }
        )
    first = post(system, {"entries": rows}, key="awkward")
    assert first.status_code == 201, first.content
    assert first.json()["batch"]["created"] == len(AWKWARD)
    for row, result in zip(rows, first.json()["results"], strict=True):
        entry = CreditEntry.objects.get(pk=result["id"])
        assert entry.external_id == row["external_id"] == result["external_id"]
        assert entry.teacher.external_id == row["teacher"]
        assert (entry.title, entry.evidence, entry.activity_key) == (
            row["title"],
            row["evidence"],
            row["activity_key"],
        )
    # Known ids and activities are found again, whatever their characters.
    again = post(system, {"entries": rows}, key="awkward-2").json()["batch"]
    assert again["existing"] == len(AWKWARD) and again["created"] == 0
    fresh = [dict(r, external_id=f"{r['external_id']}-bis") for r in rows]
    third = post(system, {"entries": fresh}, key="awkward-3").json()["batch"]
    assert third["already_counted"] == len(AWKWARD) and third["created"] == 0


def test_batch_refuses_the_nul_character(world, policy, synced_teachers, system):
    batch = rows(2)
    batch[1]["title"] = "bad\x00title"
    response = post(system, {"entries": batch})
    assert response.status_code == 422
    assert [(r["index"], r["field"]) for r in response.json()["error"]["details"]["rows"]] == [
        (1, "title")
    ]
    assert not CreditEntry.objects.exists()


def test_batch_body_must_be_json(world, policy, synced_teachers, system):
    bad = system.post(
        BATCH_URL, "{not json", content_type="application/json", HTTP_IDEMPOTENCY_KEY="j"
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "parse_error"
    nan = system.post(
        BATCH_URL, '{"entries": [NaN]}', content_type="application/json", HTTP_IDEMPOTENCY_KEY="j"
    )
    assert nan.status_code == 400
    form = system.post(BATCH_URL, {"entries": "x"}, HTTP_IDEMPOTENCY_KEY="j")
    assert form.status_code == 415
    assert not SyncRequest.objects.exists() and not CreditEntry.objects.exists()


def test_the_key_fingerprints_the_request_bytes(world, policy, synced_teachers, system):
    """A resend is the same request byte for byte; the same data written
    differently under the same key is another body."""
    body = {"entries": rows(2)}
    first = system.post(
        BATCH_URL, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY="b"
    )
    replay = system.post(
        BATCH_URL, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY="b"
    )
    assert replay["Idempotent-Replayed"] == "true" and replay.content == first.content
    spaced = system.post(
        BATCH_URL,
        json.dumps(body, indent=2),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="b",
    )
    assert spaced.status_code == 422
    assert spaced.json()["error"]["code"] == "idempotency_key_reused"
    assert CreditEntry.objects.count() == 2


def test_copy_columns_cover_every_entry_column():
    from credits import bulk

    columns = {f.column for f in CreditEntry._meta.concrete_fields}
    assert set(bulk.ENTRY_COPY_COLUMNS) == columns
    assert len(bulk.ENTRY_COPY_COLUMNS) == len(columns)
