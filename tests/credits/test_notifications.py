"""Notifications in the portal: a claim's decision reaches the teacher, in
the reader's language, with an unread badge, a page that marks them read and
the API's "my notifications"."""

from datetime import date

import pytest
from django.utils import translation

from core import notifications
from core.models import Notification
from credits import services
from tests.contracts import assert_constant_queries

from .conftest import pdf_upload

pytestmark = pytest.mark.django_db


def submit(world, title="全国课标研讨会"):
    return services.submit_claim(
        teacher=world.teacher_a,
        by=world.user("teacher_a"),
        title=title,
        category="subject",
        hours="12",
        earned_on=date(2025, 3, 1),
        files=[pdf_upload()],
    )


def approve(world, claim):
    claim = services.approve_claim(claim=claim, by=world.user("school_a"))
    return services.approve_claim(claim=claim, by=world.user("district_a"))


def test_decisions_notify_the_teacher_in_their_language(world, policy):
    teacher = world.user("teacher_a")
    claim = approve(world, submit(world))
    rejected = services.reject_claim(
        claim=submit(world, "另一活动"), by=world.user("school_a"), reason="证明不清晰"
    )
    mine = list(notifications.mine(teacher))
    assert [n.verb for n in mine] == ["credits.claim_rejected", "credits.claim_approved"]
    assert mine[1].url == claim.get_absolute_url()
    with translation.override("zh-hans"):
        assert "已通过" in mine[1].text and "12" in mine[1].text
        assert "证明不清晰" in mine[0].text and "另一活动" in mine[0].text
    with translation.override("en"):
        assert "approved" in mine[1].text
    assert rejected.status == "rejected"
    # nobody else sees them
    assert not notifications.mine(world.user("school_a")).exists()
    assert notifications.unread_count(teacher) == 2


def test_unknown_verb_still_reads():
    assert notifications.render("gone.app_verb", {"x": 1})


def test_page_badge_and_mark_read(world, policy, login):
    claim = approve(world, submit(world))
    client = login(world.user("teacher_a"))
    html = client.get("/notifications/").content.decode()
    assert 'id="unread-count">1<' in html and claim.title in html
    note = Notification.objects.get()
    # another user cannot mark it
    login(world.user("school_a")).post("/notifications/", {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is None
    answer = client.post("/notifications/", {"id": note.pk})
    assert answer.status_code == 302 and answer["Location"] == claim.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'id="unread-count"' not in client.get("/notifications/").content.decode()


def test_page_queries_do_not_grow(world, policy, login):
    client = login(world.user("teacher_a"))
    approve(world, submit(world))

    def add_rows(n):
        for i in range(n):
            notifications.notify(
                recipient=world.user("teacher_a"),
                verb="credits.claim_rejected",
                title=f"活动{i}",
                reason="x",
            )

    assert_constant_queries(client, "/notifications/", add_rows)


def test_api_lists_mine_and_marks_read(world, policy, login):
    approve(world, submit(world))
    client = login(world.user("teacher_a"))
    body = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert len(rows) == 1 and rows[0]["verb"] == "credits.claim_approved"
    assert login(world.user("school_a")).get("/api/v1/notifications/").json() in (
        [],
        {"count": 0, "next": None, "previous": None, "results": []},
    ) or not (login(world.user("school_a")).get("/api/v1/notifications/").json().get("results"))
    answer = client.post("/api/v1/notifications/read/", {}, content_type="application/json")
    assert answer.status_code == 200 and answer.json() == {"marked": 1, "unread": 0}
    unread = client.get("/api/v1/notifications/?unread=1").json()
    assert not (unread["results"] if isinstance(unread, dict) else unread)
