"""Issue 10 on the credit pages: local times in the transcript's page and
workbook alike, and hours without a useless ``.0``."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from core.formats import format_datetime
from credits.models import Transcript

pytestmark = pytest.mark.django_db


def test_transcript_times_are_local_on_page_and_workbook(world, policy, award, login):
    award(world.teacher_a, 100, category="ethics", title="师德专题")
    teacher = login(world.user("teacher_a"))
    teacher.post("/credits/transcript/")
    transcript = Transcript.objects.get()
    local = format_datetime(transcript.issued_at)
    assert local != transcript.issued_at.strftime("%Y-%m-%d %H:%M")  # UTC+8, not UTC
    page = teacher.get(transcript.get_absolute_url()).content.decode()
    assert local in page
    response = teacher.get(f"/credits/transcripts/{transcript.code}/xlsx/")
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    flat = [v for row in workbook.active.iter_rows(values_only=True) for v in row if v]
    assert local in flat
    assert workbook.active.freeze_panes is None or workbook.active.column_dimensions["A"].width


def test_hours_read_without_a_trailing_zero(world, policy, award, login):
    award(world.teacher_a, 100, category="ethics", title="师德专题")
    teacher = login(world.user("teacher_a"))
    teacher.post("/credits/transcript/")
    transcript = Transcript.objects.get()
    page = teacher.get(transcript.get_absolute_url()).content.decode()
    assert "100.0" not in page and ">100<" in page
    page = teacher.get("/credits/").content.decode()
    assert "100.0" not in page
