"""One guard for every uploaded file: imports, claim evidence, and the
documents training projects and studios will take.

Every upload is hostile until checked. ``check_upload(upload, policy)``
reads at most ``policy.max_bytes`` and refuses, with a Chinese message that
names the limit, anything that is

* of a type the policy does not take, larger than its cap or empty;
* not what its name says (the first bytes are checked, so a renamed
  executable, text file or image is refused);
* for zip-based Office files (``.xlsx``, ``.docx``): an archive with too many
  entries, an entry or a total that inflates past the caps (counted as the
  bytes actually come out, not as the archive declares them), a compression
  ratio that only a zip bomb has, an archive inside the archive, or a damaged
  archive (bad CRC, truncated);
* with ``policy.scan_xml``: XML that is malformed or declares a DTD or
  entities (billion laughs, external entities/XXE). The XML is streamed
  through expat with those handlers refusing, so nothing is expanded or
  fetched and memory stays flat;
* with ``policy.max_rows``: a worksheet with a value below the row cap (by
  the row's index, not by a count of rows seen: one row at r=10⁸ is refused
  at once), a dimension outside Excel's sheet, or — unless
  ``policy.allow_formulas`` — a formula.

All of it runs in bounded time and memory before any parser (openpyxl) sees
the file, and refuses before anything is written. ``check_upload`` returns the
bytes read so the caller does not read the upload twice."""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MB = 1024 * 1024
#: Excel's own sheet size.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
_CHUNK = 64 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
#: The first bytes of each kind, so a renamed file is refused.
MAGIC = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG",),
    ".doc": (_OLE_MAGIC,),
    ".xls": (_OLE_MAGIC,),
    ".ppt": (_OLE_MAGIC,),
    ".docx": (_ZIP_MAGIC,),
    ".xlsx": (_ZIP_MAGIC,),
    ".pptx": (_ZIP_MAGIC,),
}
ARCHIVE_EXTENSIONS = (".docx", ".xlsx", ".pptx")


class UploadRefused(ValidationError):
    """The file is refused; ``message`` says why, in the user's language."""


@dataclass(frozen=True)
class UploadPolicy:
    """What one kind of upload may be. Defaults suit Office documents that are
    kept, not parsed; imports parse, so they also scan XML and rows."""

    extensions: tuple[str, ...]
    max_bytes: int
    #: zip-based files: entries, inflated size per entry and in all, ratio
    max_entries: int = 1000
    max_entry_bytes: int = 64 * MB
    max_total_bytes: int = 64 * MB
    max_ratio: int = 100
    allow_nested_archives: bool = True
    #: stream every XML entry through expat, refusing DTDs and entities
    scan_xml: bool = False
    #: workbooks: rows the first sheet may have below the header, formulas
    max_rows: int | None = None
    max_cells: int | None = None
    allow_formulas: bool = True
    #: the message for a file of the wrong type (names the accepted types)
    type_message: str = ""


def _refuse(message, code):
    raise UploadRefused(message, code=code)


def damaged():
    return _("The file cannot be read; it may be damaged. Save it again and upload it anew.")


def check_upload(upload, policy: UploadPolicy) -> bytes:
    """Check ``upload`` (a Django ``UploadedFile`` or any object with ``name``
    and ``read``) against ``policy``; return its bytes or raise
    ``UploadRefused``. The upload is left at its start."""
    name = getattr(upload, "name", "") or ""
    ext = os.path.splitext(name)[1].lower()
    if ext not in policy.extensions:
        _refuse(
            policy.type_message
            or _("Upload a file of one of these types: %(types)s.")
            % {"types": "、".join(policy.extensions)},
            "upload_type",
        )
    too_big = _("The file is larger than %(mb)s MB.") % {"mb": _mb(policy.max_bytes)}
    size = getattr(upload, "size", None)
    if size is not None and size > policy.max_bytes:
        _refuse(too_big, "upload_size")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(policy.max_bytes + 1)
    if hasattr(upload, "seek"):
        upload.seek(0)
    if len(data) > policy.max_bytes:
        _refuse(too_big, "upload_size")
    if not data:
        _refuse(_("The file is empty."), "upload_empty")
    if ext in MAGIC and not data.startswith(MAGIC[ext]):
        mismatch = _("The file's content does not match its type (%(ext)s).")
        _refuse(mismatch % {"ext": ext}, "upload_content")
    if ext in ARCHIVE_EXTENSIONS:
        check_archive(data, policy)
    return data


def _mb(n: int) -> str:
    return f"{n / MB:g}"


def check_archive(data: bytes, policy: UploadPolicy) -> None:
    """The zip-level checks (and, by policy, the XML and worksheet checks)."""
    import io

    too_many = _(
        "The file holds more than %(n)s parts; it is not a document the portal accepts."
    ) % {"n": policy.max_entries}
    # The entry count from the end record, before zipfile reads a directory
    # of possibly millions of entries (0xFFFF: a zip64 count, too many anyway).
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if end >= 0 and int.from_bytes(data[end + 10 : end + 12], "little") > policy.max_entries:
        _refuse(too_many, "upload_entries")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        _refuse(damaged(), "upload_damaged")
    if len(entries) > policy.max_entries:
        _refuse(too_many, "upload_entries")
    inflated = _("The file unpacks to more than %(mb)s MB; remove pictures or split it.")
    declared = sum(info.file_size for info in entries)
    if declared > policy.max_total_bytes or any(
        info.file_size > policy.max_entry_bytes for info in entries
    ):
        _refuse(inflated % {"mb": _mb(policy.max_total_bytes)}, "upload_inflated")
    if declared > MB and declared > policy.max_ratio * len(data):
        _refuse(
            _("The file unpacks to more than %(n)s times its size, as only a zip bomb does.")
            % {"n": policy.max_ratio},
            "upload_ratio",
        )
    sheets = _worksheets(archive) if policy.max_rows is not None else set()
    total = 0
    try:
        for info in entries:
            if info.is_dir():
                continue
            name = info.filename
            xml = policy.scan_xml and name.lower().endswith((".xml", ".rels", ".vml"))
            scanner = None
            if xml:
                scanner = (
                    _SheetScanner(policy, name) if name in sheets else _XmlScanner(policy, name)
                )
            size = 0
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    if (
                        size == 0
                        and not policy.allow_nested_archives
                        and (chunk.startswith((_ZIP_MAGIC, _OLE_MAGIC)))
                    ):
                        _refuse(
                            _(
                                "The file contains another archive or an embedded object; "
                                "copy the data into a plain workbook and upload that."
                            ),
                            "upload_nested",
                        )
                    size += len(chunk)
                    total += len(chunk)
                    if size > policy.max_entry_bytes or total > policy.max_total_bytes:
                        _refuse(inflated % {"mb": _mb(policy.max_total_bytes)}, "upload_inflated")
                    if scanner is not None:
                        scanner.feed(chunk)
            if scanner is not None:
                scanner.close()
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError):
        # bad CRC, truncated or encrypted entries, unknown compression
        _refuse(damaged(), "upload_damaged")


_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_TARGET = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb"""\b(Type|Target)\s*=\s*["']([^"']*)["']""")


def _worksheets(archive: zipfile.ZipFile) -> set[str]:
    """The entries that are worksheets: those the workbook's relationships
    name (where openpyxl looks, wherever in the archive they are) and any
    under ``xl/worksheets/``."""
    names = {info.filename for info in archive.infolist()}
    sheets = {n for n in names if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n, flags=re.I)}
    if _WORKBOOK_RELS in names:
        with archive.open(_WORKBOOK_RELS) as stream:
            rels = stream.read(MB)  # a real one is a few hundred bytes
        for tag in _TARGET.finditer(rels):
            attrs = {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag[0])}
            if attrs.get("Type", "").endswith("/worksheet") and attrs.get("Target"):
                target = attrs["Target"]
                path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                sheets.add(posixpath.normpath(path))
    return sheets


class _XmlScanner:
    """Streams one XML entry through expat: well-formed, no DTD, no entities."""

    def __init__(self, policy: UploadPolicy, name: str):
        self.policy = policy
        self.name = name
        self.parser = expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self._no_dtd
        self.parser.EntityDeclHandler = self._no_dtd
        self.parser.UnparsedEntityDeclHandler = self._no_dtd
        self.parser.ExternalEntityRefHandler = self._no_dtd
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def _no_dtd(self, *args):
        _refuse(
            _(
                "The file declares a document type or entities (DTD), which the portal refuses; "
                "save it again from Excel."
            ),
            "upload_dtd",
        )

    def feed(self, chunk: bytes) -> None:
        try:
            self.parser.Parse(chunk, False)
        except expat.ExpatError:
            _refuse(damaged(), "upload_damaged")

    def close(self) -> None:
        try:
            self.parser.Parse(b"", True)
        except expat.ExpatError:
            _refuse(damaged(), "upload_damaged")


_NAME = rb"<(?:[A-Za-z_][\w.-]*:)?"
_ROW_TAG = re.compile(_NAME + rb"row(?=[\s/>])([^>]*)>")
_ROW_INDEX = re.compile(rb"\sr\s*=\s*[\"'](\d+)[\"']")
_CELL_TAG = re.compile(_NAME + rb"c(?=[\s/>])")
_FORMULA_TAG = re.compile(_NAME + rb"f(?=[\s/>])")
_VALUE_TAG = re.compile(_NAME + rb"(?:v|is|f)(?=[\s/>])")
_DIMENSION = re.compile(
    _NAME + rb"dimension\s[^>]*ref\s*=\s*[\"'][A-Z]*[0-9]*:?([A-Z]+)([0-9]+)[\"']"
)
_CARRY = 64 * 1024


class _SheetScanner(_XmlScanner):
    """A worksheet: besides the XML checks, rows by index, cells, the
    dimension and formulas. Rows and cells are found by regular expressions
    over the bytes (expat checks the XML in C, with no Python call per
    element), so a sheet of millions of elements costs milliseconds. Past the
    row cap expat stops and the rest is only searched for a value: any value
    there refuses the file (openpyxl would drop it silently)."""

    def __init__(self, policy, name):
        super().__init__(policy, name)
        #: the last row allowed: the header plus ``max_rows``
        self.last_row = policy.max_rows + 1
        self.row = 0
        self.cells = 0
        self.past = False
        self.first = True
        self.carry = b""

    def too_many_rows(self):
        _refuse(
            _("The workbook has more than %(n)s rows; split it.") % {"n": self.policy.max_rows},
            "upload_rows",
        )

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        if not self.past and chunk:
            super().feed(chunk)
        text = self.carry + chunk
        cut = text.rfind(b"<")
        if final or cut <= 0 or len(text) - cut > _CARRY:
            cut = len(text)
        text, self.carry = text[:cut], text[cut:]
        if self.past:
            if _VALUE_TAG.search(text):
                self.too_many_rows()
            return
        if self.first:
            self.first = False
            self._dimension(text)
        end = len(text)
        for match in _ROW_TAG.finditer(text):
            index = _ROW_INDEX.search(match[1])
            # Rows only go down; an index that does not is not trusted.
            self.row = max(self.row + 1, int(index[1]) if index else 0)
            if self.row > self.last_row:
                self.past = True
                end = match.start()
                if _VALUE_TAG.search(text, end):
                    self.too_many_rows()
                break
        self._cells(text[:end])

    def _cells(self, text: bytes) -> None:
        policy = self.policy
        if not policy.allow_formulas and _FORMULA_TAG.search(text):
            _refuse(
                _(
                    "The workbook contains formulas; copy the cells and paste them as values "
                    "only (Paste Special → Values), then upload it again."
                ),
                "upload_formula",
            )
        if policy.max_cells is not None:
            self.cells += len(_CELL_TAG.findall(text))
            if self.cells > policy.max_cells:
                _refuse(
                    _(
                        "The workbook has more than %(n)s cells; delete the empty columns and "
                        "rows or split it."
                    )
                    % {"n": f"{policy.max_cells:,}"},
                    "upload_cells",
                )

    def _dimension(self, text: bytes) -> None:
        match = _DIMENSION.search(text)
        if match:
            if int(match[2]) > EXCEL_MAX_ROWS:
                self.too_many_rows()
            if _column(match[1].decode()) > EXCEL_MAX_COLUMNS:
                _refuse(damaged(), "upload_damaged")

    def close(self) -> None:
        if self.carry:
            self.feed(b"", final=True)
        if not self.past:
            super().close()


def _column(letters: str) -> int:
    n = 0
    for letter in letters:
        n = n * 26 + ord(letter) - 64
    return n
