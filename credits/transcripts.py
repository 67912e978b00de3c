"""The transcript as an Excel file: the same frozen totals and entries as
the printable page, with the verification code and where to check it."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from core.formats import format_datetime

from .models import Category
from .services import transcript_entries


def net_entries(entries):
    """The lines a transcript prints: an entry that was reversed and its reversal
    cancel out (a duplicate corrected is not two lines); they stay in the ledger."""
    entries = list(entries)
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    return [e for e in entries if e.pk not in reversed_ids and e.reverses_id is None]


def transcript_filename(transcript) -> str:
    return f"{_('Learning-hour transcript')}-{transcript.teacher_name}-{transcript.code}.xlsx"


def transcript_workbook(transcript, verify_url) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Transcript")[:31]
    bold = Font(bold=True)
    sheet.append([_("Learning-hour transcript")])
    sheet["A1"].font = Font(bold=True, size=14)
    rows = [
        (_("Teacher"), transcript.teacher_name),
        (_("School"), transcript.school_name),
        (_("Cycle"), f"{transcript.cycle_start:%Y-%m-%d} – {transcript.cycle_end:%Y-%m-%d}"),
        (_("Required hours"), transcript.required_hours),
        (_("Hours earned"), transcript.total_hours),
        (_("Issued at"), format_datetime(transcript.issued_at)),
        (_("Verification code"), transcript.code),
        (_("Verify at"), verify_url),
    ]
    for label, value in rows:
        sheet.append([label, value])
        sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.append([])
    sheet.append([_("Category"), _("Hours")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    labels = dict(Category.choices)
    for value, hours in transcript.by_category.items():
        sheet.append([str(labels.get(value, value)), float(hours)])
    sheet.append([])
    sheet.append(
        [
            _("Earned on"),
            pgettext("credit activity", "Activity"),
            _("Category"),
            _("Source"),
            _("Hours"),
            _("Registered by"),
        ]
    )
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for entry in net_entries(transcript_entries(transcript)):
        sheet.append(
            [
                entry.earned_on,
                entry.title or entry.activity_key,
                entry.get_category_display(),
                entry.get_source_display(),
                float(entry.hours),
                entry.org_name,
            ]
        )
        sheet.cell(row=sheet.max_row, column=1).number_format = "yyyy-mm-dd"
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["C"].width = 20
    return workbook
