"""Evidence uploads: what kinds of file, how large. The checks themselves are
the shared upload guard's (``core.uploads``)."""

from django.utils.translation import gettext_lazy as _

from core.uploads import MB, UploadPolicy, check_upload

EVIDENCE_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx")
EVIDENCE_MAX_BYTES = 10 * MB
#: Evidence is kept and downloaded, never parsed: the archive checks refuse
#: bombs and damaged Office files; embedded objects are allowed.
EVIDENCE_POLICY = UploadPolicy(
    extensions=EVIDENCE_EXTENSIONS,
    max_bytes=EVIDENCE_MAX_BYTES,
    type_message=_(
        "Upload a PDF, an image (JPG, PNG) or an Office document (DOC, DOCX, XLS, XLSX)."
    ),
)


def validate_evidence_file(upload):
    """Raises ``ValidationError`` (``core.uploads.UploadRefused``) for a file
    that is not acceptable evidence. A file already stored was checked when it
    came in."""
    if getattr(upload, "_committed", False):
        return
    check_upload(upload, EVIDENCE_POLICY)
