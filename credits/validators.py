"""Evidence uploads: what kinds of file, how large."""

import os

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EVIDENCE_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx")
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# The first bytes of each kind, so a renamed executable is refused too.
_MAGIC = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}


def validate_evidence_file(upload):
    name = getattr(upload, "name", "") or ""
    ext = os.path.splitext(name)[1].lower()
    if ext not in EVIDENCE_EXTENSIONS:
        raise ValidationError(
            _("Upload a PDF, an image (JPG, PNG) or an Office document (DOC, DOCX, XLS, XLSX)."),
            code="evidence_type",
        )
    size = getattr(upload, "size", 0) or 0
    if size > EVIDENCE_MAX_BYTES:
        raise ValidationError(_("An evidence file may be at most 10 MB."), code="evidence_size")
    if size == 0:
        raise ValidationError(_("The file is empty."), code="evidence_empty")
    head = b""
    if hasattr(upload, "open") and not getattr(upload, "_committed", False):
        pos = upload.tell() if hasattr(upload, "tell") else 0
        upload.seek(0)
        head = upload.read(8)
        upload.seek(pos)
    if head and not head.startswith(_MAGIC[ext]):
        raise ValidationError(
            _("The file's content does not match its type."), code="evidence_content"
        )
