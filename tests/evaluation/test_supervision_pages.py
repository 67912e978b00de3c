"""Supervision and performance pages and API: who sees what, the vendor's
reply through the page and the API, constant queries on the lists."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation import services
from evaluation.models import Finding, FindingStatus, ProjectScore, Severity, SupervisionVisit
from tests.contracts import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(world, closed):
    sub, _ = closed
    visit = services.record_visit(
        subproject=sub, by=world.user("center_a"), visited_on=timezone.localdate()
    )
    services.add_finding(
        visit=visit,
        by=world.user("center_a"),
        text="课程调换未报备",
        severity=Severity.MAJOR,
        rectification="补报调课申请",
        due_on=visit.visited_on + datetime.timedelta(days=7),
    )
    return visit


def test_visit_pages_by_role(world, visit, login):
    url = visit.get_absolute_url()
    for actor in ("center_a", "bureau", "vendor"):
        client = login(world.user(actor))
        assert client.get(reverse("evaluation:visit-list")).status_code == 200
        assert client.get(url).status_code == 200
    for actor in ("center_b", "district_a"):
        assert login(world.user(actor)).get(url).status_code in (403, 404)
    page = login(world.user("vendor")).get(url)
    assert b"data-reply-send" in page.content and b"data-report" not in page.content
    page = login(world.user("center_a")).get(url)
    assert b"data-reply-send" not in page.content and b"data-report" in page.content


def test_center_records_a_visit_through_the_form(world, closed, login):
    sub, _ = closed
    client = login(world.user("center_a"))
    assert client.get(reverse("evaluation:visit-add")).status_code == 200
    response = client.post(
        reverse("evaluation:visit-add"),
        {
            "subproject": sub.pk,
            "visited_on": timezone.localdate().isoformat(),
            "course_table": "no",
            "course_table_notes": "调课未报备",
            "summary": "",
        },
    )
    visit = SupervisionVisit.objects.get()
    assert response.status_code == 302 and visit.course_table_matches is False
    client.post(
        reverse("evaluation:visit-observe", args=[visit.pk]),
        {"lesson": "课例观摩", "rating": "4", "notes": "好"},
    )
    client.post(
        reverse("evaluation:visit-interview", args=[visit.pk]),
        {"kind": "trainee", "people": "3", "notes": "学员反映良好"},
    )
    assert visit.observations.count() == 1 and visit.interviews.count() == 1
    # The vendor may not record a visit.
    assert login(world.user("vendor")).get(reverse("evaluation:visit-add")).status_code == 403


def test_vendor_replies_on_the_page_center_resolves(world, visit, login):
    finding = visit.findings.get()
    vendor = login(world.user("vendor"))
    vendor.post(reverse("evaluation:finding-reply", args=[finding.pk]), {"text": "已补报"})
    finding.refresh_from_db()
    assert finding.status == FindingStatus.REPLIED and finding.reply == "已补报"
    assert vendor.post(reverse("evaluation:finding-resolve", args=[finding.pk])).status_code == 404
    login(world.user("center_a")).post(reverse("evaluation:finding-resolve", args=[finding.pk]))
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RESOLVED


def test_api_reply_and_refusals(world, visit, login):
    finding = visit.findings.get()
    url = f"/api/v1/evaluation/findings/{finding.pk}/reply/"
    vendor = login(world.user("vendor"))
    empty = vendor.post(url, {"text": " "}, content_type="application/json")
    assert empty.status_code == 400
    ok = vendor.post(url, {"text": "已补报调课申请"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "replied"
    center = login(world.user("center_a"))
    assert center.post(url, {"text": "x"}, content_type="application/json").status_code == 403
    other = login(world.user("center_b"))
    assert other.get(f"/api/v1/evaluation/visits/{visit.pk}/").status_code == 404
    data = vendor.get(f"/api/v1/evaluation/visits/{visit.pk}/").json()
    assert data["findings"][0]["reply"] == "已补报调课申请"


def test_lists_constant_queries(world, closed, login):
    sub, _ = closed
    center = world.user("center_a")

    def add(n):
        for _i in range(n):
            v = services.record_visit(subproject=sub, by=center, visited_on=timezone.localdate())
            Finding.objects.create(visit=v, text="问题")

    add(1)
    client = login(center)
    assert_constant_queries(client, reverse("evaluation:visit-list"), add)
    assert_constant_queries(client, "/api/v1/evaluation/visits/", add)
    assert_constant_queries(client, "/api/v1/evaluation/findings/", add)


def test_performance_page_checklist_and_score(world, closed, login):
    sub, _ = closed
    client = login(world.user("center_a"))
    url = reverse("evaluation:performance", args=[sub.pk])
    assert b"data-start-checklist" in client.get(url).content
    client.post(reverse("evaluation:performance-start", args=[sub.pk]))
    check = sub.stage_checks.order_by("order").first()
    client.post(
        reverse("evaluation:check-item", args=[check.pk]), {"done": "on", "evidence": "纪要"}
    )
    check.refresh_from_db()
    assert check.done and check.evidence == "纪要"
    services.store_project_score(sub.pk)
    page = client.get(url)
    assert b"data-score-value" in page.content
    assert login(world.user("vendor")).get(url).status_code == 200
    assert login(world.user("center_b")).get(url).status_code == 404
    assert ProjectScore.objects.filter(subproject=sub).exists()
    records = client.get(reverse("evaluation:vendor-records"))
    assert records.status_code == 200
    api = client.get("/api/v1/evaluation/project-scores/")
    assert api.status_code == 200 and api.json()["count"] == 1
