"""Backups that restore: ``manage.py backup`` then ``manage.py restore_drill``
on a real PostgreSQL with its client programs. Skipped on SQLite locally,
failing in CI without them (tests/conftest.py ``require``)."""

import json
import os
import shutil
import subprocess
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import dj_database_url
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from core import audit, backups
from core.models import AuditAction, AuditEntry
from credits import services
from credits.models import CreditEntry, CreditPolicy, Source
from tests.conftest import require
from tests.factories import TeacherFactory

# pg_dump reads what is committed: these tests commit (and flush after).
committed = pytest.mark.django_db(transaction=True)
PROGRAMS = ("pg_dump", "pg_restore", "createdb", "dropdb")


@pytest.fixture
def pg_tools(postgres):
    require(all(shutil.which(p) for p in PROGRAMS), "PostgreSQL client programs")


@pytest.fixture
def drill_database(pg_tools):
    """A name for the drill's database beside the one DATABASE_URL names (the
    test database's name is Django's own), one per test worker."""
    base = dj_database_url.parse(os.environ["DATABASE_URL"])["NAME"]
    name = f"{base}_drill_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    env = backups._client_env(connection.settings_dict, name)
    subprocess.run(["dropdb", "--if-exists", name], env=env, check=True, capture_output=True)
    yield name
    subprocess.run(["dropdb", "--if-exists", name], env=env, check=True, capture_output=True)


@pytest.fixture
def ledger(world, settings, tmp_path):
    """A few teachers' entries, a reversal, audit entries and media files."""
    CreditPolicy.objects.create(
        name="2022—2026", cycle_start=date(2022, 1, 1), cycle_end=date(2026, 12, 31)
    )
    teachers = [world.teacher_a] + [TeacherFactory(school=world.school_a) for _ in range(3)]
    for i, teacher in enumerate(teachers):
        for j in range(3):
            services.award_hours(
                teacher=teacher,
                hours=Decimal("1.5") * (i + j + 1),
                category="subject",
                source=Source.TRAINING,
                earned_on=date(2024, 3, j + 1),
                title=f"培训 {i}-{j}",
            )
    services.reverse_entry(
        entry=CreditEntry.objects.filter(teacher=teachers[0]).first(),
        reason="重复登记",
        by=world.user("district_a"),
    )
    audit.record(AuditAction.EXPORT, message="备份测试", object_type="test", object_id="1")
    settings.BACKUP_ROOT = tmp_path / "backups"
    media = Path(settings.MEDIA_ROOT)
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "证书.pdf").write_bytes(b"%PDF-1.4 certificate")
    (media / "exports").mkdir()
    (media / "exports" / "a.xlsx").write_bytes(b"x" * 5000)
    return teachers


@committed
def test_backup_then_drill_restores_the_same_ledger_audit_and_media(
    ledger, drill_database, settings
):
    out = StringIO()
    call_command("backup", stdout=out)
    (folder,) = backups.backups_in(settings.BACKUP_ROOT)
    assert str(folder) in out.getvalue()
    assert {p.name for p in folder.iterdir()} == {"database.dump", "media.tar.gz", "manifest.json"}
    manifest = json.loads((folder / "manifest.json").read_text())
    figures = manifest["figures"]
    assert figures["ledger"]["entries"] == 13 == CreditEntry.objects.count()
    assert figures["ledger"]["teachers"] == 4
    assert Decimal(figures["ledger"]["hours"]) == sum(e.hours for e in CreditEntry.objects.all())
    assert figures["audit"]["entries"] == AuditEntry.objects.count()
    last = AuditEntry.objects.order_by("-at", "-id").first()
    assert figures["audit"]["last_entry"][0] == last.pk
    assert manifest["media"]["files"] == 2

    out = StringIO()
    call_command("restore_drill", str(folder), into=drill_database, stdout=out)
    report = out.getvalue()
    assert "DIFF" not in report
    for what in (
        "ledger.entries",
        "ledger.per_teacher_sums_md5",
        "ledger.entries_checksum",
        "audit.entries",
        "audit.last_entry",
        "media.sha256",
    ):
        assert f"ok   {what}" in report
    assert "restores." in report
    # The drill's database is dropped afterwards.
    databases = subprocess.run(
        ["psql", "-tAc", "SELECT datname FROM pg_database"],
        env=backups._client_env(connection.settings_dict),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert drill_database not in databases


@committed
def test_the_drill_sees_a_backup_that_lost_a_ledger_row(ledger, drill_database, settings):
    backup = backups.make_backup()
    # The dump changes after the fact: the figures of the manifest tell.
    manifest = json.loads((backup.folder / "manifest.json").read_text())
    manifest["figures"]["ledger"]["entries"] += 1
    manifest["figures"]["ledger"]["entries_checksum"] = "0"
    (backup.folder / "manifest.json").write_text(json.dumps(manifest))
    out = StringIO()
    with pytest.raises(CommandError, match="differs"):
        call_command("restore_drill", into=drill_database, stdout=out)
    report = out.getvalue()
    assert "DIFF ledger.entries " in report and "DIFF ledger.entries_checksum" in report
    assert "ok   audit.entries" in report


@committed
def test_a_damaged_dump_is_reported_before_any_restore(ledger, drill_database):
    backup = backups.make_backup()
    with open(backup.folder / "database.dump", "r+b") as fh:
        fh.seek(100)
        fh.write(b"\0\0\0\0")
    drill = backups.restore_drill(backup.folder, into=drill_database)
    assert not drill.ok
    assert [c.what for c in drill.checks if not c.ok] == ["database.dump sha256"]


@committed
def test_the_drill_never_restores_into_the_portal_database(ledger, pg_tools):
    backup = backups.make_backup()
    with pytest.raises(backups.BackupError, match="new database"):
        backups.restore_drill(backup.folder, into=connection.settings_dict["NAME"])


@committed
def test_the_checksum_ignores_order_but_sees_a_changed_row(ledger, pg_tools):
    with connection.cursor() as cursor:
        before = backups.read_figures(cursor)
    # Same rows, inserted in another order into a copy, give the same checksum.
    table = CreditEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TEMP TABLE copy AS SELECT * FROM "{table}" ORDER BY id DESC')
        cursor.execute(
            f"SELECT {backups._row_checksum('t')}::text FROM copy t",
        )
        (reordered,) = cursor.fetchone()
        cursor.execute("UPDATE copy SET title = title || '!' WHERE id = (SELECT min(id) FROM copy)")
        cursor.execute(f"SELECT {backups._row_checksum('t')}::text FROM copy t")
        (changed,) = cursor.fetchone()
        cursor.execute("DROP TABLE copy")
    assert reordered == before["ledger"]["entries_checksum"]
    assert changed != reordered


def test_retention_keeps_the_days_asked_and_always_the_newest(tmp_path):
    now = timezone.localtime()
    for days in (40, 31, 29, 1):
        made = now - timedelta(days=days)
        folder = tmp_path / made.strftime(backups.FOLDER_FORMAT)
        folder.mkdir()
        (folder / "manifest.json").write_text("{}")
    (tmp_path / "notes").mkdir()  # not a backup: left alone
    removed = backups.prune(tmp_path, 30, now=now)
    assert len(removed) == 2
    assert len(backups.backups_in(tmp_path)) == 2
    assert (tmp_path / "notes").exists()
    # A schedule stopped long ago: the last backup stays.
    removed = backups.prune(tmp_path, 30, now=now + timedelta(days=400))
    assert len(backups.backups_in(tmp_path)) == 1


def test_backup_refuses_sqlite_with_a_clear_message(db):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite refusal")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("backup")


def test_folder_names_sort_by_time():
    a = datetime(2026, 1, 2, 3, 4, 5).strftime(backups.FOLDER_FORMAT)
    b = datetime(2026, 11, 2, 3, 4, 5).strftime(backups.FOLDER_FORMAT)
    assert backups.FOLDER_NAME.match(a) and a < b
