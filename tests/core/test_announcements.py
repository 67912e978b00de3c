"""Announcements (通知公告): the bureau and centers' staff publish to a role
or to everyone; each person's home page shows what is addressed to them."""

import pytest
from django.core.exceptions import PermissionDenied

from core.models import Announcement
from core.services import current_announcements, publish_announcement
from tests.contracts import assert_constant_queries

pytestmark = pytest.mark.django_db


def test_audience_and_publishers(world, login):
    to_teachers = publish_announcement(
        by=world.user("bureau"),
        title="关于2026年继续教育学时登记的通知",
        body="……",
        audience="teacher",
    )
    to_all = publish_announcement(by=world.user("center_a"), title="中心开放日", body="欢迎")
    assert to_all.author_org  # signed with the center's name
    with pytest.raises(PermissionDenied):
        publish_announcement(by=world.user("teacher_a"), title="x", body="y")
    teacher = set(current_announcements(world.user("teacher_a")))
    assert teacher == {to_teachers, to_all}
    assert set(current_announcements(world.user("school_a"))) == {to_all}
    assert to_teachers in set(current_announcements(world.user("bureau")))
    home = login(world.user("teacher_a")).get("/").content.decode()
    assert 'data-panel="core-announcements"' in home and "中心开放日" in home
    detail = login(world.user("school_a")).get(to_teachers.get_absolute_url())
    assert detail.status_code == 404


def test_publish_page(world, login):
    client = login(world.user("center_a"))
    assert client.get("/announcements/new/").status_code == 200
    answer = client.post(
        "/announcements/new/", {"title": "培训通知", "body": "内容", "audience": ""}
    )
    item = Announcement.objects.get()
    assert answer.status_code == 302 and answer["Location"] == item.get_absolute_url()
    assert login(world.user("teacher_a")).get("/announcements/new/").status_code == 403
    page = login(world.user("teacher_a")).get("/announcements/").content.decode()
    assert "培训通知" in page


def test_list_queries_do_not_grow(world, login):
    client = login(world.user("teacher_a"))
    publish_announcement(by=world.user("bureau"), title="第一条", body="…")

    def add_rows(n):
        for i in range(n):
            publish_announcement(by=world.user("bureau"), title=f"通知{i}", body="…")

    assert_constant_queries(client, "/announcements/", add_rows)
    assert_constant_queries(client, "/", add_rows)
