"""Issue 10 on the credit pages: local times in the transcript's page and
workbook alike, and hours without a useless ``.0``."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from core.formats import format_datetime
from credits.models import Transcript
from tests.credits.conftest import pdf_upload

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


def test_a_corrected_duplicate_is_no_line_of_the_transcript(world, policy, award, login):
    from credits import services

    award(world.teacher_a, 60, title="学科培训")
    duplicate = award(world.teacher_a, 60, title="学科培训（重复）").entry
    services.reverse_entry(entry=duplicate, reason="重复登记", by=world.user("bureau"))
    teacher = login(world.user("teacher_a"))
    teacher.post("/credits/transcript/")
    transcript = Transcript.objects.get()
    page = teacher.get(transcript.get_absolute_url()).content.decode()
    assert "学科培训（重复）" not in page and "学科培训" in page
    response = teacher.get(f"/credits/transcripts/{transcript.code}/xlsx/")
    assert "%E5%AD%A6%E6%97%B6" in response["Content-Disposition"]  # 学时…, not transcript-…
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    flat = [v for row in workbook.active.iter_rows(values_only=True) for v in row if v]
    assert "学科培训（重复）" not in flat and "学科培训" in flat


def test_claims_and_entries_are_named_not_numbered(world, policy, award, login):
    from credits import services

    claim = services.submit_claim(
        teacher=world.teacher_a,
        by=world.user("teacher_a"),
        title="区级公开课",
        category="subject",
        hours=6,
        earned_on=policy.cycle_start,
        files=[pdf_upload()],
    )
    teacher = login(world.user("teacher_a"))
    html = teacher.get(claim.get_absolute_url()).content.decode()
    assert "申报审核通过" not in html  # a pending claim is no approved one
    entry = award(world.teacher_a, 6, title="区级公开课", activity_key=claim.activity_key).entry
    html = login(world.user("bureau")).get(entry.get_absolute_url()).content.decode()
    assert "credits.claim:" not in html and f"#{entry.pk}" not in html


def test_an_approved_claims_entry_points_at_its_files_not_at_a_number(world, policy, login):
    from credits import services

    claim = services.submit_claim(
        teacher=world.teacher_a,
        by=world.user("teacher_a"),
        title="区级公开课",
        category="subject",
        hours=6,
        earned_on=policy.cycle_start,
        files=[pdf_upload()],
    )
    claim = services.approve_claim(claim=claim, by=world.user("school_a"))
    claim = services.approve_claim(claim=claim, by=world.user("district_a"))
    html = login(world.user("bureau")).get(claim.entry.get_absolute_url()).content.decode()
    assert f"申报 #{claim.pk}" not in html
    assert f'href="{claim.get_absolute_url()}" data-claim-evidence>教师申报所附材料' in html


def test_the_claim_form_chooses_nothing_for_you_and_marks_what_is_required(world, policy, login):
    teacher = login(world.user("teacher_a"))
    html = teacher.get("/credits/claims/new/").content.decode()
    assert "---------" not in html
    select = html.split('name="category"')[1].split("</select>")[0]
    assert "请选择" in select and " selected" not in select.split("</option>")[1]
    assert html.count('<span class="text-danger">*</span>') >= 4
    response = teacher.post("/credits/claims/new/", {"title": "", "hours": "2"})
    assert response.status_code == 200
    assert "请重新选择" in response.content.decode() or "再次选择" in response.content.decode()


def test_the_printed_transcript_carries_a_qr_code_of_its_link(world, policy, award, login):
    award(world.teacher_a, 10, title="师德专题")
    teacher = login(world.user("teacher_a"))
    teacher.post("/credits/transcript/")
    page = teacher.get(Transcript.objects.get().get_absolute_url()).content.decode()
    assert 'id="verify-qr"' in page and "<svg" in page.split('id="verify-qr"')[1][:300]


def test_one_claim_cannot_hold_more_than_the_whole_cycle(world, policy, login):
    from django.core.exceptions import ValidationError

    from credits import services
    from credits.models import CreditClaim

    with pytest.raises(ValidationError) as caught:
        services.submit_claim(
            teacher=world.teacher_a,
            by=world.user("teacher_a"),
            title="全年培训",
            category="subject",
            hours=1000,
            earned_on=policy.cycle_start,
            files=[pdf_upload()],
        )
    assert "360" in str(caught.value.message_dict["hours"])
    assert not CreditClaim.objects.exists()
