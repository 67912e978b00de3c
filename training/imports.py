"""The Excel nomination list (提名名单): a school admin or a district's staff
uploads a workbook of nominees — the teacher's ID number or district-system
id, their name (checked against the record) and the sub-project — and gets
a preview with every row's errors; confirming nominates all of them or
none. The file passes the shared upload guard (``core.uploads``: size,
archive, zip bombs, XML entities, rows by index, formulas) before openpyxl
opens it; the rules (scope, quota, duplicates) are
``training.services.nominations``', the same the page and the API use."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from centers.models import ImportStatus
from core.batch import BatchRejected
from core.uploads import MB, UploadPolicy, UploadRefused, check_upload

from .models import NominationImport, SubProject
from .services import nominations

MAX_FILE_BYTES = 2 * MB
MAX_ROWS = nominations.MAX_ROWS
KEEP_DAYS = 7
#: Row 1 holds the headers.
FIRST_ROW = 2
MAX_COLUMNS = 16
UPLOAD_POLICY = UploadPolicy(
    extensions=(".xlsx",),
    max_bytes=MAX_FILE_BYTES,
    max_entries=100,
    max_entry_bytes=16 * MB,
    max_total_bytes=16 * MB,
    max_ratio=100,
    allow_nested_archives=False,
    scan_xml=True,
    max_rows=MAX_ROWS,
    max_cells=MAX_ROWS * MAX_COLUMNS,
    allow_formulas=False,
    type_message=gettext_lazy("Upload an Excel workbook (.xlsx)."),
)

#: field → header label (the template's); field names and the other
#: language's labels are accepted too, and a few other names of the number.
HEADERS = (
    ("teacher", gettext_lazy("Teacher number (ID number or district id)")),
    ("name", gettext_lazy("Teacher's name")),
    ("subproject", gettext_lazy("Sub-project (id or code)")),
)
ALIASES = {
    "external_id": "teacher",
    "id_number": "teacher",
    "district id": "teacher",
    "id number": "teacher",
    "身份证号": "teacher",
    "区系统编号": "teacher",
    "教师编号": "teacher",
    "姓名": "name",
    "子项目": "subproject",
    "子项目编号": "subproject",
}


class ImportRefused(Exception):
    """The file itself is refused (type, size, shape); nothing is kept."""


def _cell(value) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return ""
    return str(value).strip()


def _known_headers() -> dict[str, str]:
    known = dict(ALIASES)
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            for field, label in HEADERS:
                known[str(label).lower()] = field
    for field, label in HEADERS:
        known[field] = field
        known[str(label).lower()] = field
    return known


def _columns(header) -> dict[int, str]:
    known = _known_headers()
    columns: dict[int, str] = {}
    for position, title in enumerate(header):
        field = known.get(_cell(title).lower().rstrip("*").strip())
        if field and field not in columns.values():
            columns[position] = field
    missing = [label for field, label in HEADERS[:2] if field not in columns.values()]
    if missing:
        raise ImportRefused(
            _("Missing columns: %(cols)s. Use the template.")
            % {"cols": "、".join(str(m) for m in missing)}
        )
    return columns


def read_workbook(upload) -> tuple[list[dict], str]:
    """The rows of the first sheet (``teacher``, ``name``, ``subproject``)
    and the file's SHA-256; ``ImportRefused`` with the user's message."""
    try:
        data = check_upload(upload, UPLOAD_POLICY)
    except UploadRefused as exc:
        raise ImportRefused(exc.messages[0]) from None
    unreadable = _("The workbook cannot be read; it may be damaged. Save it again from Excel.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # anything the guard let through that openpyxl cannot open
        raise ImportRefused(unreadable) from None
    try:
        if not workbook.worksheets:
            raise ImportRefused(_("The workbook has no sheet."))
        rows = workbook.worksheets[0].iter_rows(
            max_row=FIRST_ROW + MAX_ROWS - 1, max_col=MAX_COLUMNS, values_only=True
        )
        header = next(rows, None)
        if not header or not any(header):
            raise ImportRefused(_("The first row must hold the column headers; use the template."))
        columns = _columns(header)
        result = []
        for number, values in enumerate(rows, start=FIRST_ROW):
            if values is None or not any(v not in (None, "") for v in values):
                continue
            row = {
                field: _cell(values[position]) if position < len(values) else ""
                for position, field in columns.items()
            }
            # The row's number in the workbook, for the messages.
            row["row"] = number
            result.append(row)
    except ImportRefused:
        raise
    except Exception:  # a sheet openpyxl cannot walk
        raise ImportRefused(unreadable) from None
    finally:
        workbook.close()
    if not result:
        raise ImportRefused(_("The workbook has no rows below the headers."))
    return result, hashlib.sha256(data).hexdigest()


def _errors_by_row(exc: BatchRejected, rows) -> dict[str, dict]:
    """``{"<Excel row>": {field: [messages]}}``; ``"0"`` the list as a whole."""
    out: dict[str, dict] = {}
    for index, fields in exc.by_row().items():
        out["0" if index is None else str(rows[index].get("row", index + FIRST_ROW))] = fields
    return out


def check_rows(*, user, rows, subproject=None, dry_run=True):
    """Run the nomination service on parsed rows: (result, errors by row)."""
    try:
        result = nominations.nominate_many(
            by=user, rows=rows, subproject=subproject, dry_run=dry_run
        )
    except BatchRejected as exc:
        return None, _errors_by_row(exc, rows)
    return result, {}


def stage_import(*, user, upload, subproject=None) -> NominationImport:
    """Read and check the workbook; keep its rows and errors for the
    preview. Nothing is nominated."""
    rows, digest = read_workbook(upload)
    NominationImport.objects.filter(
        owner=user, created_at__lt=timezone.now() - timedelta(days=KEEP_DAYS)
    ).delete()
    _result, errors = check_rows(user=user, rows=rows, subproject=subproject)
    return NominationImport.objects.create(
        owner=user,
        subproject=subproject,
        filename=(getattr(upload, "name", "") or "")[:200],
        sha256=digest,
        rows=rows,
        errors=errors,
    )


def commit_import(*, user, batch: NominationImport) -> NominationImport:
    """Nominate every row of a previewed list, or none (the rows are checked
    again: quotas and enrolments may have changed since the preview).
    Confirming twice does nothing the second time."""
    with transaction.atomic():
        batch = NominationImport.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportStatus.PREVIEW:
            return batch
        result, errors = check_rows(
            user=user, rows=batch.rows, subproject=batch.subproject, dry_run=False
        )
        if errors:
            batch.errors = errors
            batch.save(update_fields=["errors"])
            return batch
        batch.status = ImportStatus.COMMITTED
        batch.summary = result.as_dict()
        batch.errors = {}
        batch.committed_at = timezone.now()
        batch.save(update_fields=["status", "summary", "errors", "committed_at"])
    return batch


def template_workbook(user) -> bytes:
    """The headers, and on a second sheet the sub-projects open to ``user``
    for nomination (id, code, name) to copy from."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Nominations"))[:31]
    bold = Font(bold=True)
    for position, (_field, label) in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=1, column=position, value=str(label))
        cell.font = bold
        sheet.column_dimensions[cell.column_letter].width = max(14, len(str(label)) * 2)
    open_subs = (
        SubProject.objects.restrict(user, "view")
        .filter(status__in=nominations.OPEN_FOR_ENROLMENT)
        .order_by("starts_on", "id")
        .values_list("pk", "code", "name", "starts_on")[:500]
    )
    subs = workbook.create_sheet(str(_("Open sub-projects"))[:31])
    subs.append(
        [
            str(_("Sub-project id")),
            str(_("Sub-project code")),
            str(_("Sub-project name")),
            str(_("Starts on")),
        ]
    )
    for cell in subs[1]:
        cell.font = bold
    for pk, code, name, starts_on in open_subs:
        subs.append([pk, code, name, starts_on.isoformat()])
    subs.column_dimensions["C"].width = 40
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
