"""Excel exports, run by workers.

An exporter is a class with an identifier, a Chinese name, an options form and
a generator of rows; ``registry`` holds them (apps register theirs in
``exporters.py``, found at start-up). ``start_export`` checks the user may run
it and queues the job after the transaction commits; ``run_export`` renders
any exporter to ``.xlsx`` in openpyxl's write-only mode, reporting progress on
the job row. Rows come from querysets narrowed by ``restrict``, so an export
never shows more than the user's pages do.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import posixpath
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from . import audit
from .files import private_file_response
from .formats import EXCEL_FORMATS, excel_value
from .formats import yes_no as _yes_no
from .models import AuditAction, ExportJob, ExportStatus, export_upload_to
from .observability import EXPORT_FAILURES, EXPORT_ROWS, count, observe
from .replica import replica_reads

PROGRESS_EVERY = 500
TRANSIENT_ERRORS = (OperationalError, ConnectionError)
logger = logging.getLogger(__name__)


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    total: int | None = None


class OptionsForm(forms.Form):
    """An exporter's options: built for the user who starts the export, so
    its choice fields offer only what ``restrict`` gives that user (an
    object outside the scope is an invalid choice, never a failed job)."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class NoOptions(OptionsForm):
    pass


class Exporter:
    """Base of every export: subclass, set the attributes, write ``rows``."""

    do_not_call_in_templates = True
    identifier: str = ""
    name = ""
    description = ""
    #: the model permission (``app.view_model``) a user needs to run it
    permission: str = ""
    options_form: type[forms.Form] = NoOptions

    def __init__(self, user, options: dict | None = None):
        self.user = user
        self.options = options or {}

    @classmethod
    def allowed(cls, user) -> bool:
        return bool(user.is_authenticated and (not cls.permission or user.has_perm(cls.permission)))

    def filename(self, at=None) -> str:
        """The name the download gets (the stored file is named by the job):
        the export's name in the job's language and the local time it finished."""
        return f"{self.name}-{timezone.localtime(at):%Y%m%d-%H%M%S}.xlsx"

    # One sheet is the common case: override headers/rows/count.
    def headers(self) -> Sequence[str]:
        raise NotImplementedError

    def rows(self) -> Iterator[Sequence]:
        raise NotImplementedError

    def count(self) -> int | None:
        return None

    def sheets(self) -> Iterable[Sheet]:
        yield Sheet(
            str(self.name)[:31], [str(h) for h in self.headers()], self.rows(), self.count()
        )


class QuerysetExporter(Exporter):
    """An export of one ``restrict``ed queryset, a row per object: write
    ``queryset()`` and ``row(obj)``; counting and streaming come from here."""

    chunk_size = 1000

    def queryset(self):
        raise NotImplementedError

    def row(self, obj) -> Sequence:
        raise NotImplementedError

    def count(self) -> int:
        return self.queryset().count()

    def rows(self) -> Iterator[Sequence]:
        for obj in self.queryset().iterator(chunk_size=self.chunk_size):
            yield self.row(obj)


def yes_no(value) -> str:
    """A boolean cell, in the language the export runs in."""
    return _yes_no(value)


class ExporterRegistry:
    def __init__(self):
        self._exporters: dict[str, type[Exporter]] = {}

    def register(self, cls: type[Exporter]) -> type[Exporter]:
        if not cls.identifier:
            raise ValueError(f"{cls.__name__} needs an identifier")
        self._exporters[cls.identifier] = cls
        return cls

    def get(self, identifier) -> type[Exporter] | None:
        return self._exporters.get(identifier)

    def all(self) -> list[type[Exporter]]:
        return sorted(self._exporters.values(), key=lambda c: c.identifier)

    def available_to(self, user) -> list[type[Exporter]]:
        return [cls for cls in self.all() if cls.allowed(user)]


registry = ExporterRegistry()


def clean_options(exporter_cls, data, user=None) -> dict:
    form = exporter_cls.options_form(data=data or {}, user=user)
    if not form.is_valid():
        raise ValidationError(form.errors.get_json_data())
    return {k: _jsonable(v) for k, v in form.cleaned_data.items()}


def _jsonable(value):
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def start_export(*, user, identifier, data=None) -> ExportJob:
    """Queue an export for the user. Raises LookupError for an unknown
    exporter, PermissionDenied, or ValidationError for bad options."""
    exporter_cls = registry.get(identifier)
    if exporter_cls is None:
        raise LookupError(identifier)
    if not exporter_cls.allowed(user):
        raise PermissionDenied
    options = clean_options(exporter_cls, data, user)
    job = ExportJob.objects.create(
        owner=user,
        exporter=identifier,
        options=options,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    audit.record(AuditAction.EXPORT, job, actor=user, message=f"{identifier} {options}"[:1000])
    from .tasks import run_export_job

    transaction.on_commit(lambda: run_export_job.delay(job.pk))
    return job


def check_download(user, job: ExportJob) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may take the file of ``job``
    (already found through ``ExportJob.objects.restrict``): the right to run
    the export is asked again, so one who has lost it since does not take the
    file. Pages and API share this rule."""
    exporter = registry.get(job.exporter)
    if exporter is None or not exporter.allowed(user):
        raise PermissionDenied


#: an export whose worker died this many times is failed, not run again
MAX_ATTEMPTS = 3
_LOCK_CLASS = 0x6578  # "ex": the first key of the exports' advisory locks


@contextlib.contextmanager
def _held(job_id: int):
    """Yield whether this worker holds the job. On PostgreSQL it is a session
    advisory lock, which the server frees when the holder's connection ends, so
    a worker killed mid-export frees its job and a live one keeps it. Elsewhere
    (SQLite: development, tasks in-process) every run holds it."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_CLASS, job_id])
        (held,) = cursor.fetchone()
    try:
        yield held
    finally:
        if held:
            with contextlib.suppress(Exception), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_CLASS, job_id])


def _fail(job: ExportJob, message: str) -> None:
    count(EXPORT_FAILURES, "portal_worker_export_failures", (job.exporter,))
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.FAILED, error=message[:2000], finished_at=timezone.now()
    )


def _stopped_message(job: ExportJob) -> str:
    with translation.override(job.language):
        return gettext(
            "The export stopped %(count)s times before it finished (the server running it "
            "stopped). Start it again with fewer rows, or tell the administrator."
        ) % {"count": job.attempts}


def _temp_path(job: ExportJob) -> Path:
    # One name per job and per site (beside its media, never served): a run
    # that starts again overwrites what a killed run left, and two sites or
    # test databases on one machine never share a file.
    folder = Path(settings.MEDIA_ROOT) / ".export-tmp"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"export-{job.pk}.xlsx"


class WrittenFile(File):
    """The workbook the worker has written, on its disk beside the media: a
    storage that can move a file there takes it by a rename instead of a second
    write of every byte (Django's file-system storage does so for any file with
    ``temporary_file_path``, as for a large upload); object storages read it."""

    def temporary_file_path(self) -> str:
        return self.file.name


def _remove_leftovers(job: ExportJob) -> None:
    """Delete the files a killed run of this job saved but never recorded."""
    folder = posixpath.dirname(export_upload_to(job, "x"))
    storage = job.file.storage
    with contextlib.suppress(FileNotFoundError, NotImplementedError):
        for name in storage.listdir(folder)[1]:
            storage.delete(posixpath.join(folder, name))


def run_export(job: ExportJob) -> ExportJob:
    """Render the job's exporter to .xlsx, once: a finished job is left alone,
    a job another live worker runs is skipped, and a job whose worker died is
    run again from the start (at most ``MAX_ATTEMPTS`` runs, then failed)."""
    with _held(job.pk) as held:
        if not held:
            logger.info("export %s is running in another worker", job.pk)
            return job
        # Read again under the lock, with its owner: the exporter runs as them.
        job.refresh_from_db(from_queryset=ExportJob.objects.select_related("owner"))
        if job.is_finished:
            return job
        if job.attempts >= MAX_ATTEMPTS:
            _fail(job, _stopped_message(job))
            job.refresh_from_db()
            return job
        return _run_held(job)


@contextlib.contextmanager
def _unflushed():
    """A transaction whose commit does not wait for its WAL to reach the disk
    (PostgreSQL's ``synchronous_commit`` off, for this transaction alone), for
    the job row's marks: started, progress every ``PROGRESS_EVERY`` rows, done.
    Others see each mark at once; what a crash of the database server (not of
    the worker) may lose is its last fraction of a second of such commits, and
    every loss leaves a state the exports already recover from: a job marked
    running or pending whose heartbeat stops, which the sweep runs again (its
    leftover file removed first). A flushed commit cost 4.0 ms on the bench
    machine, and 15 ms under load, this one 0.6 ms (docs/benchmarks.md,
    "Export: passes"). A failure is flushed, as every other commit. Inside a
    caller's transaction nothing commits here, so nothing is changed."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def _run_held(job: ExportJob) -> ExportJob:
    exporter_cls = registry.get(job.exporter)
    now = timezone.now()
    with _unflushed():
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            progress=0,
            rows_written=0,
            error="",
        )
    # the row as written (read under the lock): no read back at the end
    job.status, job.started_at, job.heartbeat_at = ExportStatus.RUNNING, now, now
    job.attempts, job.progress, job.rows_written, job.error = job.attempts + 1, 0, 0, ""
    tmp = _temp_path(job)
    try:
        if exporter_cls is None:
            raise LookupError(f"unknown export {job.exporter}")
        _remove_leftovers(job)
        exporter = exporter_cls(job.owner, job.options)
        # The rows come from the read replica if there is one; the progress the
        # export writes is its own job row, which it never reads back (no pin).
        with translation.override(job.language), replica_reads(pin=False):
            written = _write_workbook(exporter, job, str(tmp))
            with open(tmp, "rb") as fh:
                # stored under the job's id; the download carries the exporter's
                # name in the job's language (download_name)
                job.file.save(f"{job.exporter}-{job.pk}.xlsx", WrittenFile(fh), save=False)
    except TRANSIENT_ERRORS:
        # The task retries with back-off; a run cut short by the database does
        # not count as one its worker died in.
        with contextlib.suppress(*TRANSIENT_ERRORS):
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportStatus.PENDING, attempts=F("attempts") - 1
            )
        raise
    except Exception as exc:  # the job row tells its owner what went wrong
        logger.exception("export %s failed", job.pk)
        _fail(job, str(exc))
        job.refresh_from_db()
        return job
    finally:
        tmp.unlink(missing_ok=True)
    finished = timezone.now()
    done = {
        "status": ExportStatus.DONE,
        "progress": 100,
        "rows_written": written,
        "finished_at": finished,
        "expires_at": finished + timedelta(hours=settings.EXPORT_FILE_TTL_HOURS),
    }
    with _unflushed():
        recorded = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
            file=job.file.name, **done
        )
    if not recorded:  # failed by the sweep meanwhile: keep no file it does not name
        job.file.delete(save=False)
        job.refresh_from_db()
        return job
    observe(EXPORT_ROWS, "portal_worker_export_rows", (job.exporter,), written)
    for name, value in done.items():
        setattr(job, name, value)
    return job


def sweep_stalled(now=None) -> dict:
    """The beat's sweep of exports that stopped reporting progress for
    ``EXPORT_STALL_MINUTES``: a job no live worker holds is queued again, or
    failed with a message to its owner once it stopped ``MAX_ATTEMPTS`` times.
    A job a live worker holds is slow, not dead, and is left alone."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=settings.EXPORT_STALL_MINUTES)
    result = {"requeued": 0, "failed": 0}
    candidates = ExportJob.objects.filter(status=ExportStatus.RUNNING, heartbeat_at__lt=stale)
    for job in candidates.iterator():
        with _held(job.pk) as held:
            if not held:
                continue
            if job.attempts >= MAX_ATTEMPTS:
                _fail(job, _stopped_message(job))
                result["failed"] += 1
                continue
            requeued = ExportJob.objects.filter(
                pk=job.pk, status=ExportStatus.RUNNING, heartbeat_at__lt=stale
            ).update(status=ExportStatus.PENDING)
        if requeued:
            from .tasks import run_export_job

            logger.warning("export %s stopped reporting progress: queued again", job.pk)
            run_export_job.delay(job.pk)
            result["requeued"] += 1
    return result


def download(job: ExportJob) -> HttpResponse:
    """The finished job's file, named as its exporter names it (page and API)."""
    return private_file_response(job.file, download_name(job))


def download_name(job: ExportJob) -> str:
    exporter_cls = registry.get(job.exporter)
    if exporter_cls is None:
        return job.file.name.rsplit("/", 1)[-1]
    with translation.override(job.language):
        return exporter_cls(job.owner, job.options).filename(at=job.finished_at)


def _write_workbook(exporter: Exporter, job: ExportJob, path: str) -> int:
    workbook = Workbook(write_only=True)
    try:
        return _fill_workbook(workbook, exporter, job, path)
    except Exception:
        for ws in workbook.worksheets:  # release the half-written sheets' temp files
            with contextlib.suppress(Exception):
                ws.close()
        raise


def _fill_workbook(workbook, exporter: Exporter, job: ExportJob, path: str) -> int:
    bold = Font(bold=True)
    sheets = list(exporter.sheets())
    grand_total = sum(s.total or 0 for s in sheets) or None
    written = 0
    for sheet in sheets:
        ws = workbook.create_sheet(title=sheet.title[:31] or "Sheet")
        rows = iter(sheet.rows)
        batch = [[excel_value(v) for v in row] for row in itertools.islice(rows, READ_AHEAD)]
        # write-only sheets take their layout before the first row
        widths = _column_widths(sheet.headers, batch[:WIDTH_SAMPLE])
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        header_cells = []
        for header in sheet.headers:
            cell = _text_cell(ws, str(header))
            cell.font = bold
            header_cells.append(cell)
        ws.append(header_cells)
        while batch:
            for values in batch:
                ws.append(_cells(ws, values))
                written += 1
                if written % PROGRESS_EVERY == 0:
                    _progress(job, written, grand_total)
            # Read a batch, then write it: reading (the rows' models, their
            # values) and writing (openpyxl's XML) each run in a loop of their
            # own; row by row, interleaved, the same export took 1.2-1.3x the
            # CPU (docs/benchmarks.md, "Export: passes"). A batch ends where a
            # progress mark falls due, so the marks come as often as before.
            batch = [[excel_value(v) for v in row] for row in itertools.islice(rows, READ_AHEAD)]
    workbook.save(path)
    return written


def _progress(job: ExportJob, written: int, grand_total: int | None) -> None:
    progress = min(99, int(written * 100 / grand_total)) if grand_total else 50
    job.progress, job.rows_written, job.heartbeat_at = progress, written, timezone.now()
    with _unflushed():
        ExportJob.objects.filter(pk=job.pk).update(
            progress=progress, rows_written=written, heartbeat_at=job.heartbeat_at
        )


#: Text starting with one of these is a formula to Excel or to a program that
#: reads the sheet as CSV (formula/DDE injection such as ``=cmd|' /C calc'!A0``):
#: every exporter's text is written as text, never as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(ws, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
    return cell


WIDTH_SAMPLE = 200  # rows read ahead to size the columns
READ_AHEAD = PROGRESS_EVERY  # rows read before they are written (under a MB)


def text_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: Chinese characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_widths(headers, rows) -> list[int]:
    widths = [text_width(str(h)) for h in headers]
    for row in rows:
        for index, value in enumerate(row[: len(widths)]):
            shown = 16 if hasattr(value, "year") else text_width(str(value))
            widths[index] = max(widths[index], shown)
    return [min(max(w + 2, 8), 60) for w in widths]


def _cells(ws, values) -> list:
    """A row's cells from its ``excel_value``s, in one pass (it runs for every
    cell of every export): dates and money with their number format, text that
    Excel would take for a formula as text; the rest as they are."""
    cells = []
    for value in values:
        number_format = EXCEL_FORMATS.get(type(value))
        if number_format is not None:
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = number_format
            value = cell
        elif isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
            value = _text_cell(ws, value)
        cells.append(value)
    return cells


def delete_expired(now=None) -> int:
    """Delete the files and rows of exports past their expiry."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(expires_at__lt=now).iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count
