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


# --- Editing and withdrawing ----------------------------------------------------------


def _colleague_of_center_a(world):
    from core.roles import Role
    from tests.factories import UserFactory, member

    colleague = UserFactory(username="center_a_2", name="王老师")
    member(colleague, Role.CENTER_STAFF, world.center_a)
    return colleague


def test_edit_by_author_and_colleague_is_logged(world):
    from django.core.exceptions import ValidationError

    from core.models import AuditEntry
    from core.services import edit_announcement, withdraw_announcement

    item = publish_announcement(by=world.user("center_a"), title="开放日", body="周六")
    assert item.publisher_org_id == world.center_a.pk
    edit_announcement(announcement=item, by=world.user("center_a"), title="中心开放日")
    colleague = _colleague_of_center_a(world)
    edit_announcement(announcement=item, by=colleague, body="周日", until=None)
    item.refresh_from_db()
    assert (item.title, item.body) == ("中心开放日", "周日") and item.edited_at
    entries = AuditEntry.objects.filter(object_type="core.announcement", object_id=str(item.pk))
    keys = list(entries.order_by("pk").values_list("message_key", flat=True))
    assert keys == [
        "core.announcement_published",
        "core.announcement_edited",
        "core.announcement_edited",
    ]
    last = entries.order_by("-pk").first()
    assert last.actor == colleague and last.changes == {"body": ["周六", "周日"]}
    for outsider in ("center_b", "teacher_a", "bureau"):  # the bureau edits only its own
        with pytest.raises(PermissionDenied):
            edit_announcement(announcement=item, by=world.user(outsider), title="改")
    withdraw_announcement(announcement=item, by=colleague, reason="日期有误")
    with pytest.raises(ValidationError):
        edit_announcement(announcement=item, by=world.user("center_a"), title="再改")


def test_withdrawn_leaves_readers_but_not_publishers(world, login):
    from core.services import withdraw_announcement

    item = publish_announcement(by=world.user("center_a"), title="讲座通知", body="…")
    with pytest.raises(PermissionDenied):
        withdraw_announcement(announcement=item, by=world.user("center_b"))
    withdraw_announcement(announcement=item, by=world.user("center_a"), reason="取消")
    again = withdraw_announcement(announcement=item, by=world.user("center_a"))
    assert again.withdrawn_at == item.withdrawn_at  # idempotent
    for reader in ("teacher_a", "center_b", "school_a"):
        assert item not in set(current_announcements(world.user(reader)))
        assert login(world.user(reader)).get(item.get_absolute_url()).status_code == 404
    assert item not in set(current_announcements(world.user("center_a")))  # home: not shown
    page = login(world.user("center_a")).get(item.get_absolute_url()).content.decode()
    assert "已撤回" in page and "取消" in page
    assert "已撤回" in login(world.user("bureau")).get("/announcements/").content.decode()


def test_bureau_withdraws_any_but_edits_its_own(world):
    from core.services import edit_announcement, withdraw_announcement

    center_notice = publish_announcement(by=world.user("center_a"), title="甲", body="…")
    withdraw_announcement(announcement=center_notice, by=world.user("bureau"))
    assert center_notice.withdrawn_by == world.user("bureau")
    bureau_notice = publish_announcement(by=world.user("bureau"), title="乙", body="…")
    edit_announcement(announcement=bureau_notice, by=world.user("bureau"), title="丙")
    with pytest.raises(PermissionDenied):
        withdraw_announcement(announcement=bureau_notice, by=world.user("center_a"))


def test_edit_and_withdraw_pages(world, login):
    item = publish_announcement(by=world.user("center_a"), title="培训通知", body="内容")
    author = login(world.user("center_a"))
    detail = author.get(item.get_absolute_url()).content.decode()
    assert f"/announcements/{item.pk}/edit/" in detail and "撤回" in detail
    edit_url = f"/announcements/{item.pk}/edit/"
    form = author.get(edit_url)
    assert form.status_code == 200 and "培训通知" in form.content.decode()
    answer = author.post(edit_url, {"title": "培训通知（更正）", "body": "内容", "audience": ""})
    assert answer.status_code == 302
    item.refresh_from_db()
    assert item.title == "培训通知（更正）"
    # Another center's staff reads it but may neither edit nor withdraw it.
    other = login(world.user("center_b"))
    assert other.get(item.get_absolute_url()).status_code == 200
    assert "/edit/" not in other.get(item.get_absolute_url()).content.decode()
    assert other.get(edit_url).status_code == 404
    assert other.post(edit_url, {"title": "x", "body": "y"}).status_code == 404
    assert other.post(f"/announcements/{item.pk}/withdraw/").status_code == 404
    assert login(world.user("teacher_a")).get(edit_url).status_code == 403
    item.refresh_from_db()
    assert item.title == "培训通知（更正）" and not item.withdrawn
    assert author.post(f"/announcements/{item.pk}/withdraw/", {"reason": "重复"}).status_code == 302
    item.refresh_from_db()
    assert item.withdrawn and item.withdraw_reason == "重复"
    assert author.get(edit_url).status_code == 200  # the form shows; saving is refused
    refused = author.post(edit_url, {"title": "再改", "body": "y", "audience": ""})
    assert refused.status_code == 200 and "已撤回的通知公告不能再编辑" in refused.content.decode()


def test_api(world, login):
    from core.models import Announcement

    center_a = login(world.user("center_a"))
    created = center_a.post(
        "/api/v1/announcements/",
        {"title": "接口通知", "body": "内容", "audience": "teacher"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    item = Announcement.objects.get(pk=pk)
    assert item.author == world.user("center_a") and item.publisher_org_id == world.center_a.pk
    teacher = login(world.user("teacher_a"))
    listed = teacher.get("/api/v1/announcements/").json()
    assert [row["id"] for row in listed["results"]] == [pk]
    assert teacher.get(f"/api/v1/announcements/{pk}/").json()["audience_label"] == "教师"
    assert login(world.user("school_a")).get(f"/api/v1/announcements/{pk}/").status_code == 404
    denied = teacher.post(
        "/api/v1/announcements/", {"title": "x", "body": "y"}, content_type="application/json"
    )
    assert denied.status_code == 403
    other = login(world.user("center_b"))
    patch = other.patch(
        f"/api/v1/announcements/{pk}/", {"title": "改"}, content_type="application/json"
    )
    assert patch.status_code == 404
    assert other.post(f"/api/v1/announcements/{pk}/withdraw/").status_code == 404
    edited = center_a.patch(
        f"/api/v1/announcements/{pk}/",
        {"title": "接口通知（更正）"},
        content_type="application/json",
    )
    assert edited.status_code == 200 and edited.json()["edited_at"]
    withdrawn = center_a.post(
        f"/api/v1/announcements/{pk}/withdraw/", {"reason": "重发"}, content_type="application/json"
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn"] is True
    assert teacher.get("/api/v1/announcements/").json()["results"] == []
    again = center_a.patch(
        f"/api/v1/announcements/{pk}/", {"title": "x"}, content_type="application/json"
    )
    assert again.status_code == 400


def test_api_list_queries_do_not_grow(world, login):
    client = login(world.user("teacher_a"))
    publish_announcement(by=world.user("bureau"), title="第一条", body="…")

    def add_rows(n):
        for i in range(n):
            publish_announcement(by=world.user("bureau"), title=f"通知{i}", body="…")

    assert_constant_queries(client, "/api/v1/announcements/", add_rows)


def test_announcement_pages_have_no_english_word(world, login):
    from core.services import withdraw_announcement
    from tests.core.test_chinese_pages import english_words

    item = publish_announcement(by=world.user("center_a"), title="开放日", body="欢迎")
    client = login(world.user("center_a"))
    urls = [item.get_absolute_url(), f"/announcements/{item.pk}/edit/", "/announcements/"]
    for url in urls:
        assert english_words(client.get(url).content.decode()) == [], url
    withdraw_announcement(announcement=item, by=world.user("center_a"), reason="取消")
    for url in (item.get_absolute_url(), "/announcements/"):
        assert english_words(client.get(url).content.decode()) == [], url
