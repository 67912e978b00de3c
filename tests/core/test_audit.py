"""The audit log records who did what, when, from where and what changed; it
is append-only, kept for the retention period, and only the bureau reads it."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from centers.models import School
from core import audit
from core.models import AuditAction, AuditEntry
from core.tasks import purge_old_audit_entries
from tests.contracts import assert_constant_queries
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def entries(action):
    return list(AuditEntry.objects.filter(action=action))


def test_login_success_failure_and_logout_are_logged_with_address(world, client):
    client.post(LOGIN, {"username": "teacher_a", "password": "wrong-1"}, REMOTE_ADDR="10.0.0.7")
    client.post(LOGIN, {"username": "teacher_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8")
    client.post("/accounts/logout/", REMOTE_ADDR="10.0.0.9")
    (failed,) = entries(AuditAction.LOGIN_FAILED)
    assert failed.object_repr == "teacher_a" and failed.actor is None
    assert failed.ip == "10.0.0.7" and failed.path == LOGIN
    (login,) = entries(AuditAction.LOGIN)
    assert login.actor == world.user("teacher_a") and login.ip == "10.0.0.8"
    (logout,) = entries(AuditAction.LOGOUT)
    assert logout.actor_name == "teacher_a" and logout.ip == "10.0.0.9"


def test_forwarded_address_is_used_only_when_trusted(world, client, settings):
    headers = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5, 10.0.0.1"}
    client.post(LOGIN, {"username": "teacher_a", "password": "x"}, **headers)
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    client.post(LOGIN, {"username": "teacher_a", "password": "x"}, **headers)
    ips = [e.ip for e in AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("id")]
    assert ips == ["10.0.0.1", "203.0.113.5"]


def test_denied_access_is_logged(world, login):
    response = login(world.user("teacher_a")).get("/audit/", REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 403
    (denied,) = entries(AuditAction.DENIED)
    assert denied.actor == world.user("teacher_a")
    assert denied.ip == "10.0.0.5" and denied.message == "GET /audit/"


def test_export_start_is_logged(world, login):
    login(world.user("bureau")).post("/exports/new/centers/")
    (entry,) = entries(AuditAction.EXPORT)
    assert entry.actor == world.user("bureau")
    assert entry.object_type == "core.exportjob" and entry.message.startswith("centers")


def test_create_change_delete_of_a_domain_record(world):
    actor = world.user("district_a")
    token = audit.set_context(actor=actor, ip="192.0.2.10", path="/centers/schools/new/")
    try:
        school = School.objects.create(district=world.district_a, name="天河新学校")
        school = School.objects.get(pk=school.pk)
        school.name = "天河新学校（改名）"
        school.save()
        pk = school.pk
        school.delete()
    finally:
        audit.reset_context(token)
    log = AuditEntry.objects.filter(object_type="centers.school", object_id=str(pk))
    created, changed, deleted = log.order_by("id")
    assert created.action == AuditAction.CREATE and created.changes["name"] == "天河新学校"
    assert created.changes["district_id"] == world.district_a.pk
    assert changed.action == AuditAction.UPDATE
    assert changed.changes == {"name": ["天河新学校", "天河新学校（改名）"]}
    assert deleted.action == AuditAction.DELETE and deleted.changes["name"] == "天河新学校（改名）"
    for entry in (created, changed, deleted):
        assert entry.actor == actor and entry.ip == "192.0.2.10"
        assert entry.path == "/centers/schools/new/"


def test_saving_without_changes_logs_nothing(world):
    school = School.objects.get(pk=world.school_a.pk)
    before = AuditEntry.objects.count()
    school.save()
    assert AuditEntry.objects.count() == before


def test_entries_cannot_be_changed_or_deleted(world):
    entry = audit.record(AuditAction.OTHER, message="x")
    entry.message = "changed"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(message="changed")
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).message == "x"


def test_database_refuses_update_and_early_delete(postgres):
    entry = audit.record(AuditAction.OTHER, message="kept")
    table = AuditEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET message = 'forged' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).message == "kept"
    # Past 180 days the retention task may delete it.
    old = AuditEntry.objects.create(
        action=AuditAction.OTHER, at=timezone.now() - timedelta(days=200)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [old.pk])
    assert not AuditEntry.objects.filter(pk=old.pk).exists()


def test_purge_removes_only_entries_past_retention(db, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    now = timezone.now()
    old = AuditEntry.objects.create(action=AuditAction.OTHER, at=now - timedelta(days=366))
    kept = [
        AuditEntry.objects.create(action=AuditAction.OTHER, at=now - timedelta(days=days))
        for days in (364, 200, 1)
    ]
    assert purge_old_audit_entries.delay().get() == 1
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert set(AuditEntry.objects.values_list("pk", flat=True)) == {e.pk for e in kept}
    assert purge_old_audit_entries() == 0


# --- The audit log page --------------------------------------------------------


@pytest.mark.parametrize("actor", ["center_a", "district_a", "school_a", "teacher_a", "outsider"])
def test_audit_page_is_bureau_only(world, login, actor):
    assert login(world.user(actor)).get("/audit/").status_code == 403


def test_audit_page_search(world, login):
    bureau = world.user("bureau")
    client = login(bureau)
    audit.record(AuditAction.OTHER, actor=world.user("district_a"), message="导入学校名单")
    audit.record(AuditAction.SYNC, actor=world.user("system_a"), message="sync teachers")
    old = AuditEntry.objects.create(
        action=AuditAction.OTHER, at=timezone.now() - timedelta(days=30), message="上个月"
    )

    def shown(**params):
        response = client.get("/audit/", params)
        assert response.status_code == 200
        return {e.message for e in response.context["entries"]}

    token = audit.set_context(ip="198.51.100.23")
    audit.record(AuditAction.OTHER, message="from outside")
    audit.reset_context(token)
    assert shown(q="导入") == {"导入学校名单"}
    assert shown(q="198.51.100") == {"from outside"}
    assert shown(action="sync") == {"sync teachers"}
    assert shown(actor="district") == {"导入学校名单"}
    day = timezone.localtime(old.at).date().isoformat()
    assert shown(since=day, until=day) == {"上个月"}
    assert "上个月" not in shown(since=timezone.localdate().isoformat())
    response = client.get("/audit/", {"since": "not-a-date"})
    assert response.status_code == 200
    assert response.context["form"].errors["since"]


def test_audit_page_paginates_with_constant_queries(world, login):
    client = login(world.user("bureau"))
    for i in range(60):
        audit.record(AuditAction.OTHER, message=f"entry {i}")
    response = client.get("/audit/")
    assert len(response.context["entries"]) == 50
    assert response.context["page_obj"].has_next()
    assert len(client.get("/audit/", {"page": 2}).context["entries"]) >= 10

    def add(n):
        for i in range(n):
            audit.record(AuditAction.OTHER, actor=world.user("teacher_a"), message=f"more {i}")

    assert_constant_queries(client, "/audit/?action=other", add)


def test_messages_are_keys_rendered_in_the_readers_language(db):
    """Issue 10: the log showed English details ("district sync: 536 created…");
    a message is now a key and its parameters, translated when read, and an
    entry written before keys still reads as written."""
    from django.utils import translation

    from core.audit import record, register_message
    from core.models import AuditAction

    key = register_message("tests.sync", gettext_lazy("%(n)s created"))
    with translation.override("en"):
        entry = record(AuditAction.SYNC, key=key, params={"n": 536})
    assert entry.message_key == "tests.sync" and entry.message_params == {"n": 536}
    with translation.override("zh-hans"):
        from core.audit import LOGIN_FAILED_MESSAGE

        failed = record(AuditAction.LOGIN_FAILED, key=LOGIN_FAILED_MESSAGE)
        assert failed.message_text == "用户名或密码错误，或账户已锁定"
    with translation.override("en"):
        assert failed.message_text.startswith("Wrong user name")
    assert entry.message_text == "536 created"
    old = record(AuditAction.OTHER, message="written before keys")
    assert old.message_text == "written before keys"
    unknown = record(AuditAction.OTHER, key="gone.key", params={})
    assert unknown.message_text


def test_audit_log_object_type_filter_is_a_choice_of_model_names(world, login):
    from django.utils import translation

    from core.audit import record
    from core.models import AuditAction

    record(AuditAction.OTHER, world.teacher_a, message="x")
    client = login(world.user("bureau"))
    with translation.override("zh-hans"):
        page = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert '<select name="object_type"' in html
    assert 'value="centers.teacher"' in html
    assert "centers.teacher<" not in html  # shown by its name, not its label
    assert client.get("/audit/?object_type=centers.teacher").context["entries"]
    assert not client.get("/audit/?object_type=alliance.booking").context["entries"]


def test_changes_name_people_not_user_ids_with_constant_queries(world, login):
    """A field pointing at a user (a record's author, who recorded it) and a
    registered people entry read as the person's name and role."""
    from core.models import User

    User.objects.filter(pk=world.user("center_a").pk).update(name="陈老师")
    User.objects.filter(pk=world.user("teacher_a").pk).update(name="林老师")
    audit.register_people_change("test_people", gettext_lazy("accounts granted"))
    audit.record(
        AuditAction.UPDATE,
        object_type="core.announcement",
        object_id="1",
        changes={
            "author_id": [world.user("center_a").pk, world.user("teacher_a").pk],
            "test_people": [world.user("center_a").pk],
        },
    )
    client = login(world.user("bureau"))
    page = client.get("/audit/").content.decode()
    assert "陈老师（中心工作人员） → 林老师（教师）" in page
    assert f"{world.user('center_a').pk} → {world.user('teacher_a').pk}" not in page

    def add(n):
        for _ in range(n):
            user = User.objects.create(username=f"u{User.objects.count()}", name="新人")
            audit.record(
                AuditAction.UPDATE,
                object_type="core.announcement",
                object_id="2",
                changes={"author_id": [user.pk, world.user("bureau").pk], "test_people": [user.pk]},
            )

    assert_constant_queries(client, "/audit/", add)


def test_a_loaded_records_snapshot_is_made_only_when_asked_and_as_its_values(world):
    """Reading rows makes no snapshot (an export reads thousands); the one a
    save or delete asks for is what the record's audited values were as loaded,
    for every audited model the test world holds, deferred fields left out."""
    from django.apps import apps

    checked = 0
    for model in apps.get_models():
        if not issubclass(model, audit.AuditedModel):
            continue
        for record in model._default_manager.all()[:3]:
            assert "_audit_snapshot_made" not in record.__dict__
            assert record._audit_snapshot == record._audit_values()
            checked += 1
    assert checked > 10
    school = School.objects.only("name").get(pk=world.school_a.pk)
    assert set(school._audit_snapshot) == {"id", "name"}
    school.name = "改名后的学校"
    school.save(update_fields=["name"])
    changed = AuditEntry.objects.filter(object_type="centers.school").latest("id")
    assert changed.changes == {"name": [world.school_a.name, "改名后的学校"]}
    assert not hasattr(School(name="新建"), "_audit_snapshot")
