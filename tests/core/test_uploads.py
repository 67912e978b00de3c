"""The shared upload guard (core.uploads) on its own and on claim evidence."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import MB, UploadPolicy, UploadRefused, check_upload
from credits.validators import validate_evidence_file
from tests import hostile_files

OFFICE = UploadPolicy(extensions=(".docx", ".xlsx", ".pdf"), max_bytes=2 * MB)


def _docx(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def refused(data, name, policy=OFFICE):
    with pytest.raises(UploadRefused) as info:
        check_upload(SimpleUploadedFile(name, data), policy)
    return info.value.code


def test_type_size_empty_and_content_are_checked():
    assert refused(b"%PDF-1.7", "a.exe") == "upload_type"
    assert refused(b"%PDF" + b"0" * (2 * MB), "a.pdf") == "upload_size"
    assert refused(b"", "a.pdf") == "upload_empty"
    assert refused(b"MZ\x90\x00", "a.pdf") == "upload_content"


def test_archives_are_checked_by_what_comes_out():
    assert refused(hostile_files.zip_bomb(), "bomb.docx") in (
        "upload_inflated",
        "upload_ratio",
    )
    assert refused(hostile_files.lying_sizes(), "lying.xlsx") == "upload_damaged"
    assert refused(hostile_files.truncated(), "cut.docx") == "upload_damaged"
    assert refused(hostile_files.many_entries(1500), "many.docx") == "upload_entries"
    small = UploadPolicy(
        extensions=(".docx",), max_bytes=MB, max_entry_bytes=1000, max_total_bytes=1000
    )
    assert refused(_docx({"word/document.xml": b"<w/>" * 300}), "a.docx", small) == (
        "upload_inflated"
    )


def test_the_upload_is_returned_and_left_at_its_start():
    data = _docx({"word/document.xml": b"<w/>"})
    upload = SimpleUploadedFile("a.docx", data)
    assert check_upload(upload, OFFICE) == data
    assert upload.read() == data


def test_xml_is_scanned_only_when_the_policy_says_so():
    xxe = hostile_files.xxe()
    check_upload(SimpleUploadedFile("x.xlsx", xxe), OFFICE)  # kept, never parsed
    parsed = UploadPolicy(extensions=(".xlsx",), max_bytes=MB, scan_xml=True)
    assert refused(xxe, "x.xlsx", parsed) == "upload_dtd"


def test_claim_evidence_goes_through_the_guard():
    with pytest.raises(UploadRefused):
        validate_evidence_file(SimpleUploadedFile("bomb.xlsx", hostile_files.zip_bomb()))
    validate_evidence_file(SimpleUploadedFile("ok.xlsx", hostile_files.base_workbook()))
