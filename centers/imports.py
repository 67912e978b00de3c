"""Excel imports of staff, schools and teachers: upload → every row
validated → a preview with each row's errors, kept server-side in an
``ImportBatch`` row → commit, all or nothing, through the same batch
services the district-sync API uses (so importing a file twice changes
nothing the second time)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from .models import ImportBatch, ImportStatus
from .rows import headers_for
from .services import BATCH_WRITERS, MAX_BATCH_ROWS, BatchError
from .validators import mask_id_number

MAX_FILE_BYTES = 5 * 1024 * 1024
#: Uploads (and their parsed rows) are kept this long.
KEEP_DAYS = 7
MAX_ROWS = MAX_BATCH_ROWS
EXTENSIONS = (".xlsx",)
#: The first data row of a workbook (row 1 holds the headers).
FIRST_ROW = 2


class ImportRefused(Exception):
    """The file itself is refused (size, type, shape); nothing is kept."""


def _cell(value):
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return ""
    return str(value).strip()


def read_workbook(upload, kind: str) -> tuple[list[dict], str]:
    """The rows of the uploaded workbook's first sheet as dicts keyed by
    field name (headers may be the Chinese or the English labels, or the
    field names). Raises ``ImportRefused`` with a message for the user."""
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(EXTENSIONS):
        raise ImportRefused(
            _("Upload an Excel workbook (.xlsx); “%(name)s” is not one.") % {"name": name}
        )
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise ImportRefused(
            _("The file is larger than %(mb)s MB; split it into smaller workbooks.")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    data = upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(
            _("The file is larger than %(mb)s MB; split it into smaller workbooks.")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if not data.startswith(b"PK"):
        raise ImportRefused(_("The file is not an Excel workbook (.xlsx)."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise ImportRefused(
            _("The workbook cannot be read; it may be damaged. Save it again from Excel.")
        ) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportRefused(_("The workbook has no sheet."))
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header or not any(header):
            raise ImportRefused(_("The first row must hold the column headers; use the template."))
        columns = _columns(header, kind)
        result = []
        for values in rows:
            if values is None or not any(v not in (None, "") for v in values):
                continue
            if len(result) >= MAX_ROWS:
                raise ImportRefused(
                    _("The workbook has more than %(n)s rows; split it.") % {"n": MAX_ROWS}
                )
            row = {}
            for position, field in columns.items():
                row[field] = _cell(values[position]) if position < len(values) else ""
            result.append(row)
    except ImportRefused:
        raise
    except Exception:  # a sheet openpyxl cannot walk
        raise ImportRefused(
            _("The workbook cannot be read; it may be damaged. Save it again from Excel.")
        ) from None
    finally:
        workbook.close()
    if not result:
        raise ImportRefused(_("The workbook has no rows below the headers."))
    return result, hashlib.sha256(data).hexdigest()


def _columns(header, kind) -> dict[int, str]:
    known = {}
    for field, label in headers_for(kind):
        known[field.lower()] = field
        known[label.lower()] = field
    from django.utils import translation

    with translation.override("en"):
        for field, label in headers_for(kind):
            known[label.lower()] = field
    with translation.override("zh-hans"):
        for field, label in headers_for(kind):
            known[label.lower()] = field
    columns = {}
    for position, title in enumerate(header):
        field = known.get(_cell(title).lower().rstrip("*").strip())
        if field and field not in columns.values():
            columns[position] = field
    required = {"external_id", "name"}
    missing = required - set(columns.values())
    if missing:
        labels = dict(headers_for(kind))
        raise ImportRefused(
            _("Missing columns: %(cols)s. Use the template.")
            % {"cols": "、".join(labels[f] for f in sorted(missing))}
        )
    return columns


def template_workbook(kind: str) -> bytes:
    """An empty workbook with the kind's headers (Chinese labels)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(dict(IMPORT_TITLES)[kind])[:31]
    bold = Font(bold=True)
    for position, (_field, label) in enumerate(headers_for(kind), start=1):
        cell = sheet.cell(row=1, column=position, value=label)
        cell.font = bold
        sheet.column_dimensions[cell.column_letter].width = max(12, len(label) * 2 + 2)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row_errors(errors: dict) -> dict[str, dict]:
    """Errors keyed by the Excel row number (as a string, for JSON)."""
    return {str(int(index) + FIRST_ROW): fields for index, fields in errors.items()}


def stage_import(*, user, kind: str, upload) -> ImportBatch:
    """Read and validate the workbook; keep rows and errors in a preview
    batch. Nothing is written to the records."""
    rows, digest = read_workbook(upload, kind)
    # Previews are short-lived: the user's older uploads go.
    ImportBatch.objects.filter(
        owner=user, created_at__lt=timezone.now() - timedelta(days=KEEP_DAYS)
    ).delete()
    errors = {}
    try:
        BATCH_WRITERS[kind](user=user, rows=rows, source="import", dry_run=True)
    except BatchError as exc:
        errors = _row_errors(exc.by_row()) if exc.errors else {"0": {"__all__": [exc.message]}}
    return ImportBatch.objects.create(
        kind=kind,
        owner=user,
        filename=getattr(upload, "name", "")[:200],
        sha256=digest,
        rows=rows,
        errors=errors,
    )


def commit_import(*, user, batch: ImportBatch) -> ImportBatch:
    """Write every row of a previewed batch, or none: the rows are checked
    again (records may have changed since the preview). Committing twice
    does nothing the second time."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportStatus.PREVIEW:
            return batch
        try:
            result = BATCH_WRITERS[batch.kind](user=user, rows=batch.rows, source="import")
        except BatchError as exc:
            batch.errors = (
                _row_errors(exc.by_row()) if exc.errors else {"0": {"__all__": [exc.message]}}
            )
            batch.save(update_fields=["errors"])
            return batch
        batch.status = ImportStatus.COMMITTED
        batch.summary = result.as_dict()
        # The records hold the data now; keep no whole ID numbers here.
        batch.rows = [
            {**row, "id_number": mask_id_number(row["id_number"])} if row.get("id_number") else row
            for row in batch.rows
        ]
        batch.committed_at = timezone.now()
        batch.errors = {}
        batch.save(update_fields=["status", "summary", "committed_at", "errors", "rows"])
    return batch


IMPORT_TITLES = [
    ("staff", "研训师资"),
    ("schools", "学校"),
    ("teachers", "教师"),
]
