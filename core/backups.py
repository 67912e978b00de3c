"""Backups that restore (docs/deploy.md, "Backups").

``make_backup`` writes one dated folder: ``database.dump`` (``pg_dump`` custom
format), ``media.tar.gz`` (every file under ``MEDIA_ROOT``) and
``manifest.json``, which holds the checksums of both files and the *figures*
of the data at the instant of the dump: the credit ledger's row count, total,
per-teacher sums and an order-independent checksum of its rows, and the audit
log's count, checksum and last entry. The figures are read in the very
snapshot ``pg_dump`` dumps (``pg_export_snapshot``), so they describe the dump
exactly however busy the portal is. The folder appears under its final name
only once complete.

``restore_drill`` proves a backup restores: it restores the dump into a fresh
database and the media into a temporary folder, reads the same figures there
and compares them with the manifest's; the fresh database is dropped
afterwards unless kept. Both need PostgreSQL and its client programs
(``pg_dump``, ``pg_restore``, ``createdb``, ``dropdb``) of the server's version.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

FORMAT = 1
FOLDER_FORMAT = "%Y-%m-%dT%H%M%S"
FOLDER_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{6}$")
DUMP = "database.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or drill that cannot go on; the message says why."""


# --- the figures ------------------------------------------------------------------


def _tables():
    from django.apps import apps

    from .models import AuditEntry

    return apps.get_model(settings.BACKUP_LEDGER_MODEL)._meta.db_table, AuditEntry._meta.db_table


def _row_checksum(alias: str) -> str:
    # Each row's text hashed to 64 bits, summed: the same whatever the order the
    # rows come in, and a duplicated or missing row changes it (a XOR would not
    # see a row doubled).
    return f"coalesce(sum(('x' || left(md5({alias}::text), 16))::bit(64)::bigint::numeric), 0)"


def read_figures(cursor) -> dict:
    """The figures a restore must reproduce, read through ``cursor`` (inside a
    transaction) on PostgreSQL. Text forms are fixed first, so a row reads the
    same on any server or session."""
    ledger, audit = _tables()
    cursor.execute("SET LOCAL TIME ZONE 'UTC'")
    cursor.execute("SET LOCAL datestyle TO ISO, YMD")
    cursor.execute("SET LOCAL intervalstyle TO postgres")
    cursor.execute("SET LOCAL extra_float_digits TO 3")
    cursor.execute(
        f"SELECT count(*), coalesce(sum(hours), 0)::text, {_row_checksum('t')}::text "
        f'FROM "{ledger}" t'
    )
    entries, hours, checksum = cursor.fetchone()
    cursor.execute(
        "SELECT count(*), coalesce(md5(string_agg(teacher_id::text || '=' || total::text, ','"
        " ORDER BY teacher_id)), '') "
        f'FROM (SELECT teacher_id, sum(hours) AS total FROM "{ledger}" GROUP BY teacher_id) s'
    )
    teachers, per_teacher = cursor.fetchone()
    cursor.execute(f'SELECT count(*), {_row_checksum("a")}::text FROM "{audit}" a')
    audit_count, audit_checksum = cursor.fetchone()
    cursor.execute(
        "SELECT id, at::text, action, object_type, object_id, actor_name, md5(a::text) "
        f'FROM "{audit}" a ORDER BY at DESC, id DESC LIMIT 1'
    )
    last = cursor.fetchone()
    cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM django_migrations")
    migrations, last_migration = cursor.fetchone()
    return {
        "ledger": {
            "entries": entries,
            "hours": hours,
            "teachers": teachers,
            "per_teacher_sums_md5": per_teacher,
            "entries_checksum": checksum,
        },
        "audit": {
            "entries": audit_count,
            "entries_checksum": audit_checksum,
            "last_entry": list(last) if last else None,
        },
        "migrations": {"applied": migrations, "last_id": last_migration},
    }


def media_figures(root: Path) -> dict:
    """Count, bytes and one checksum over every file's path and content."""
    digest = hashlib.sha256()
    files = size = 0
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(f"{path.relative_to(root).as_posix()}\0{_sha256(path)}\n".encode())
            files += 1
            size += path.stat().st_size
    return {"files": files, "bytes": size, "sha256": digest.hexdigest()}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- PostgreSQL client programs ------------------------------------------------------


def _postgres(using: str):
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise BackupError("Backups need PostgreSQL (DATABASE_URL); this database is SQLite.")
    return connection


def _client_env(settings_dict: dict, dbname: str | None = None) -> dict:
    """The environment libpq's programs read: host, port, user, password, SSL."""
    env = dict(os.environ)
    options = settings_dict.get("OPTIONS", {})
    for var, value in {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": dbname or settings_dict.get("NAME"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
    }.items():
        if value:
            env[var] = str(value)
    return env


def _run(argv: list[str], env: dict):
    program = shutil.which(argv[0])
    if program is None:
        raise BackupError(f"{argv[0]} is not installed (PostgreSQL's client programs).")
    result = subprocess.run([program, *argv[1:]], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{argv[0]} failed: {result.stderr.strip()[-2000:]}")
    return result


# --- backup ---------------------------------------------------------------------------


@dataclass
class Backup:
    folder: Path
    manifest: dict
    removed: list[Path] = field(default_factory=list)


def make_backup(
    root: Path | str | None = None,
    *,
    keep_days: int | None = None,
    using: str = DEFAULT_DB_ALIAS,
    now: datetime | None = None,
) -> Backup:
    """Write a dated backup folder under ``root`` (``BACKUP_ROOT``); then, if
    ``keep_days`` is given, delete the dated folders older than that (never the
    newest one)."""
    connection = _postgres(using)
    if connection.in_atomic_block:
        raise BackupError("A backup reads its own snapshot: call it outside a transaction.")
    root = Path(root or settings.BACKUP_ROOT)
    now = now or timezone.now()
    name = timezone.localtime(now).strftime(FOLDER_FORMAT)
    folder = root / name
    if folder.exists():
        raise BackupError(f"{folder} exists already.")
    partial = root / f".{name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            figures = read_figures(cursor)
            # pg_dump reads the snapshot this transaction holds open.
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={partial / DUMP}",
                ],
                _client_env(connection.settings_dict),
            )
        media_root = Path(settings.MEDIA_ROOT)
        with tarfile.open(partial / MEDIA, "w:gz") as tar:
            if media_root.is_dir():
                tar.add(media_root, arcname="media")
        version = _run(["pg_dump", "--version"], os.environ.copy()).stdout.strip()
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "database": connection.settings_dict["NAME"],
            "pg_dump": version,
            "files": {
                DUMP: {"bytes": (partial / DUMP).stat().st_size, "sha256": _sha256(partial / DUMP)},
                MEDIA: {
                    "bytes": (partial / MEDIA).stat().st_size,
                    "sha256": _sha256(partial / MEDIA),
                },
            },
            "figures": figures,
            "media": media_figures(media_root),
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    removed = prune(root, keep_days, now=now) if keep_days is not None else []
    return Backup(folder, manifest, removed)


def backups_in(root: Path) -> list[Path]:
    """The complete backup folders under root, oldest first."""
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and FOLDER_NAME.match(p.name) and (p / MANIFEST).is_file()
    )


def prune(root: Path, keep_days: int, *, now: datetime | None = None) -> list[Path]:
    """Delete the backup folders older than ``keep_days``; the newest stays
    whatever its age, so a stopped schedule never leaves nothing."""
    if keep_days < 1:
        raise BackupError("Keep backups at least one day.")
    cutoff = timezone.localtime(now or timezone.now()) - timedelta(days=keep_days)
    folders = backups_in(Path(root))
    removed = []
    for folder in folders[:-1]:
        made = datetime.strptime(folder.name, FOLDER_FORMAT).replace(tzinfo=cutoff.tzinfo)
        if made < cutoff:
            shutil.rmtree(folder)
            removed.append(folder)
    return removed


# --- restore drill ------------------------------------------------------------------


@dataclass
class Check:
    what: str
    expected: object
    restored: object

    @property
    def ok(self) -> bool:
        return self.expected == self.restored


@dataclass
class Drill:
    folder: Path
    database: str
    checks: list[Check]
    kept: bool

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def _flatten(prefix: str, value) -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [item for k, v in value.items() for item in _flatten(f"{prefix}{k}.", v)]
    return [(prefix.rstrip("."), value)]


def restore_drill(
    folder: Path | str, *, into: str, keep: bool = False, using: str = DEFAULT_DB_ALIAS
) -> Drill:
    """Restore the backup in ``folder`` into the new database ``into`` (on the
    portal's server) and the media into a temporary folder, and compare what
    they hold with the manifest. ``into`` must not exist yet; it is dropped at
    the end unless ``keep``."""
    connection = _postgres(using)
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} holds no readable {MANIFEST}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    if into in (connection.settings_dict["NAME"], manifest.get("database")):
        raise BackupError("A drill restores into a new database, never the portal's own.")
    checks = []
    for name, expected in manifest["files"].items():
        path = folder / name
        checks.append(Check(f"{name} sha256", expected["sha256"], path.exists() and _sha256(path)))
    if not all(check.ok for check in checks):
        return Drill(folder, into, checks, kept=False)

    env = _client_env(connection.settings_dict, into)
    _run(["createdb", "--template=template0", "--encoding=UTF8", into], env)
    try:
        _run(
            ["pg_restore", "--exit-on-error", "--no-owner", f"--dbname={into}", str(folder / DUMP)],
            env,
        )
        restored = connection.__class__({**connection.settings_dict, "NAME": into}, alias=into)
        try:
            restored.set_autocommit(False)  # read_figures sets its text forms locally
            with restored.cursor() as cursor:
                figures = read_figures(cursor)
            restored.rollback()
        finally:
            restored.close()
        with tempfile.TemporaryDirectory(prefix="restore-drill-") as tmp:
            with tarfile.open(folder / MEDIA, "r:gz") as tar:
                tar.extractall(tmp, filter="data")
            media = media_figures(Path(tmp) / "media")
    finally:
        if not keep:
            _run(["dropdb", "--if-exists", into], env)
    expected = dict(_flatten("", manifest["figures"]) + _flatten("media.", manifest["media"]))
    found = dict(_flatten("", json.loads(json.dumps(figures))) + _flatten("media.", media))
    checks += [Check(what, expected[what], found.get(what)) for what in expected]
    return Drill(folder, into, checks, kept=keep)
