"""The API shell: schema and docs served locally, one error body, capped pages."""

import re

import pytest
from django.core.management import call_command

from centers.models import School
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"(cdn|jsdelivr|unpkg|googleapis|cloudflare)", re.I)


def test_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    # --fail-on-warn turns every warning and error of drf-spectacular into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for operation in ("me", "token_issue", "token_revoke", "export_start", "export_job_retrieve"):
        assert f"operationId: {operation}\n" in text


def test_schema_and_docs_are_served(world, login):
    client = login(world.user("bureau"))
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    body = schema.json()
    assert "/api/v1/auth/token/" in body["paths"]
    assert "districtToken" in body["components"]["securitySchemes"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert src.startswith("/"), src
        if src.startswith("/static/"):
            assert client.get(src).status_code == 200, src


def test_error_body_has_one_shape(world, login, client, api_token):
    def error(response, status):
        assert response.status_code == status
        body = response.json()
        assert set(body) == {"error"}
        assert {"status", "code", "message"} <= set(body["error"])
        assert body["error"]["status"] == status
        return body["error"]

    raw, _ = api_token("system_a")
    assert error(client.get("/api/v1/schools/"), 401)["code"] == "not_authenticated"
    bad = client.get("/api/v1/schools/", HTTP_AUTHORIZATION="Token nope")
    assert error(bad, 401)["code"] == "authentication_failed"
    assert bad["WWW-Authenticate"] == "Token"
    teacher = login(world.user("teacher_a"))
    assert error(teacher.get("/api/v1/schools/"), 403)["code"] == "permission_denied"
    other = client.get(f"/api/v1/schools/{world.school_b.pk}/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert error(other, 404)["code"] == "not_found"
    invalid = client.post("/api/v1/auth/token/", {"username": ""})
    details = error(invalid, 400)["details"]
    assert set(details) == {"username", "password"}
    assert error(login(world.user("bureau")).get("/api/v1/schools/?page=99"), 404)


def test_page_size_is_capped(world, login):
    SchoolFactory.create_batch(3, district=world.district_a)
    client = login(world.user("bureau"))
    body = client.get("/api/v1/schools/", {"page_size": 2}).json()
    assert len(body["results"]) == 2 and body["count"] == School.objects.count()
    from core.api.pagination import StandardPagination

    cap = StandardPagination.max_page_size
    assert cap == 500
    paginator = StandardPagination()
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    request = Request(APIRequestFactory().get("/", {"page_size": 100000}))
    assert paginator.get_page_size(request) == cap


def test_me_describes_the_token_scope(world, client, api_token):
    raw, _ = api_token("system_a")
    body = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}").json()
    assert body["username"] == "system_a"
    assert body["roles"] == ["district_system"]
    assert body["memberships"][0]["organisation_id"] == world.district_a.pk


def test_token_revoke_endpoint(world, client, api_token):
    raw, token = api_token("system_a")
    auth = {"HTTP_AUTHORIZATION": f"Token {raw}"}
    assert client.delete("/api/v1/auth/token/revoke/", **auth).status_code == 204
    assert client.get("/api/v1/me/", **auth).status_code == 401


def test_a_change_feed_pages_by_cursor_and_counts_once(world, login):
    """``?updated_since=`` without ``?ordering=``: the first page counts the
    window, ``next`` carries a cursor, and the pages after it read from the last
    row on, with no count; every row comes once, in the order of its changes."""
    from datetime import timedelta

    from django.db.models import F
    from django.utils import timezone

    SchoolFactory.create_batch(5, district=world.district_a)
    # Ties on updated_at are broken by id; set two rows to the same instant.
    stamp = timezone.now() - timedelta(minutes=5)
    newest = list(School.objects.order_by("-pk").values_list("pk", flat=True)[:2])
    School.objects.filter(pk__in=newest).update(updated_at=stamp)
    School.objects.exclude(pk__in=newest).update(updated_at=F("updated_at"))
    since = (stamp - timedelta(days=1)).isoformat()
    expected = list(
        School.objects.filter(updated_at__gte=since)
        .order_by("updated_at", "pk")
        .values_list("pk", flat=True)
    )
    assert len(expected) > 4
    client = login(world.user("bureau"))
    first = client.get("/api/v1/schools/", {"updated_since": since, "page_size": 2}).json()
    assert first["count"] == len(expected) and first["previous"] is None
    assert "cursor=" in first["next"] and "page=" not in first["next"]
    seen = [row["id"] for row in first["results"]]
    url = first["next"]
    while url:
        body = client.get(url).json()
        assert body["count"] == len(expected)  # the first page's count, carried
        assert body["previous"] is None
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == expected


def test_a_cursor_page_does_not_count(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    SchoolFactory.create_batch(3, district=world.district_a)
    client = login(world.user("bureau"))
    params = {"updated_since": "2000-01-01T00:00:00Z", "page_size": 1}
    client.get("/api/v1/schools/", params)  # the session's and the caches' first reads
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get("/api/v1/schools/", params).json()
    with CaptureQueriesContext(connection) as next_queries:
        second = client.get(first["next"]).json()
    counts = [q["sql"] for q in first_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert not [q["sql"] for q in next_queries if "COUNT(" in q["sql"].upper()]
    assert len(next_queries) == len(first_queries) - 1
    assert second["results"] and second["results"][0]["id"] != first["results"][0]["id"]


def test_a_change_feed_still_takes_page_numbers(world, login):
    """Clients that build ``?page=N`` themselves get the numbered page, counted."""
    SchoolFactory.create_batch(3, district=world.district_a)
    client = login(world.user("bureau"))
    params = {"updated_since": "2000-01-01T00:00:00Z", "page_size": 2}
    by_cursor = client.get("/api/v1/schools/", params).json()
    second = client.get("/api/v1/schools/", {**params, "page": 2}).json()
    assert second["count"] == by_cursor["count"] == School.objects.count()
    assert "cursor=" not in (second["next"] or "") and "page=" not in second["previous"]
    ordered = list(School.objects.order_by("updated_at", "pk").values_list("pk", flat=True))
    assert [r["id"] for r in second["results"]] == ordered[2:4]
    # an explicit ordering keeps numbered pages
    by_id = client.get("/api/v1/schools/", {**params, "ordering": "id"}).json()
    assert "page=2" in by_id["next"] and "cursor=" not in by_id["next"]


@pytest.mark.parametrize("cursor", ["x", "bm90IGEgY3Vyc29y", "MjAwMHwxfDE", "-" * 10])
def test_a_cursor_not_made_here_is_404(world, login, cursor):
    client = login(world.user("bureau"))
    answer = client.get(
        "/api/v1/schools/", {"updated_since": "2000-01-01T00:00:00Z", "cursor": cursor}
    )
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert "无效游标" in str(answer.json()["error"])  # in the reader's language
