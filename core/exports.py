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
import logging
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from . import audit
from .models import AuditAction, ExportJob, ExportStatus

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

    def filename(self) -> str:
        return f"{self.identifier}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"

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
    return gettext("Yes") if value else gettext("No")


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


def run_export(job: ExportJob) -> ExportJob:
    """Render the job's exporter to .xlsx; idempotent for finished jobs."""
    if job.is_finished:
        return job
    exporter_cls = registry.get(job.exporter)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), progress=0, rows_written=0
    )
    try:
        if exporter_cls is None:
            raise LookupError(f"unknown export {job.exporter}")
        exporter = exporter_cls(job.owner, job.options)
        with (
            translation.override(job.language),
            tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp,
        ):
            written = _write_workbook(exporter, job, tmp.name)
            with open(tmp.name, "rb") as fh:
                job.file.save(exporter.filename(), File(fh), save=False)
    except TRANSIENT_ERRORS:
        raise  # the task retries with back-off
    except Exception as exc:  # the job row tells its owner what went wrong
        logger.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    job.status = ExportStatus.DONE
    job.progress = 100
    job.rows_written = written
    job.finished_at = timezone.now()
    job.expires_at = job.finished_at + timedelta(hours=settings.EXPORT_FILE_TTL_HOURS)
    job.save(
        update_fields=["status", "progress", "rows_written", "file", "finished_at", "expires_at"]
    )
    return job


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
        header_cells = []
        for header in sheet.headers:
            cell = WriteOnlyCell(ws, value=str(header))
            cell.font = bold
            header_cells.append(cell)
        ws.append(header_cells)
        for row in sheet.rows:
            ws.append([_cell_value(v) for v in row])
            written += 1
            if written % PROGRESS_EVERY == 0:
                progress = min(99, int(written * 100 / grand_total)) if grand_total else 50
                ExportJob.objects.filter(pk=job.pk).update(progress=progress, rows_written=written)
    workbook.save(path)
    return written


def _cell_value(value):
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str | int | float) or hasattr(value, "isoformat"):
        return value
    if hasattr(value, "as_tuple"):  # Decimal
        return value
    return str(value)


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
