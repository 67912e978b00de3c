"""A corpus of hostile and damaged uploads, made here (nothing downloaded).

Each maker returns the bytes of one file; ``CORPUS`` names them with the file
name they are uploaded under. The tests build them in memory; to look at them,
write them out with ``python -m tests.hostile_files DIR``.

The workbooks start from a real one openpyxl writes (the teachers' template
headers and one row) and swap or add archive entries, so each file fails for
exactly one reason."""

from __future__ import annotations

import functools
import io
import sys
import zipfile
from pathlib import Path

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: field names are accepted as headers in every language
HEADERS = ("external_id", "name")


def base_workbook(rows=(("T1", "张老师"),)) -> bytes:
    """A small valid workbook: the two required headers and ``rows``."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(HEADERS))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_STRINGS_REL = (
    '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml" Id="rId9" /></Relationships>'
)
_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>'
)


def _rewrite(replace: dict[str, bytes], *, extra: dict[str, bytes] | None = None) -> bytes:
    """The base workbook with entries replaced or added; a shared-strings
    entry is wired into the workbook so that openpyxl reads it."""
    source = zipfile.ZipFile(io.BytesIO(base_workbook()))
    extra = dict(extra or {})
    replace = dict(replace)
    if STRINGS in replace:
        extra[STRINGS] = replace.pop(STRINGS)
        rels = "xl/_rels/workbook.xml.rels"
        replace[rels] = source.read(rels).replace(b"</Relationships>", _STRINGS_REL.encode())
        types = "[Content_Types].xml"
        replace[types] = source.read(types).replace(b"</Types>", _STRINGS_TYPE.encode())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, data in extra.items():
            target.writestr(name, data)
    return out.getvalue()


def _sheet(rows_xml: str, *, dimension: str = "A1:B2", prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f'<worksheet xmlns="{MAIN_NS}"><dimension ref="{dimension}"/>'
        f"<sheetData>{rows_xml}</sheetData></worksheet>"
    ).encode()


def _header_row() -> str:
    return _text_row(1, *HEADERS)


def _text_row(r: int, a: str, b: str) -> str:
    return (
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{a}</t></is></c>'
        f'<c r="B{r}" t="inlineStr"><is><t>{b}</t></is></c></row>'
    )


@functools.cache
def zip_bomb(decompressed: int = 100 * 1024 * 1024) -> bytes:
    """A sheet whose one entry inflates to ``decompressed`` bytes of blanks
    (whitespace between elements is valid XML, so only the size is wrong)."""
    rows = _header_row() + _text_row(2, "T1", "张老师")
    head = _sheet(rows, dimension="A1:B1000").replace(b"</sheetData></worksheet>", b"")
    out = io.BytesIO()
    base = zipfile.ZipFile(io.BytesIO(base_workbook()))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in base.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, base.read(info))
        with target.open(SHEET, "w", force_zip64=True) as fh:
            fh.write(head)
            chunk = b" " * (1024 * 1024)
            for _ in range(decompressed // len(chunk)):
                fh.write(chunk)
            fh.write(b"</sheetData></worksheet>")
    return out.getvalue()


def lying_sizes() -> bytes:
    """A 40 MB sheet whose headers (local and central) declare 4 KB: the
    guard must not trust the declared size."""
    sheet = _sheet(_header_row() + " " * (40 * 1024 * 1024))
    data = _rewrite({SHEET: sheet})
    real = len(sheet).to_bytes(4, "little")
    assert data.count(real) == 2  # the two headers, nothing in the compressed data
    return data.replace(real, (4096).to_bytes(4, "little"))


def nested_zip() -> bytes:
    """A workbook carrying another archive (a zip bomb) inside it."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb.bin", b"\0" * (8 * 1024 * 1024))
    return _rewrite({}, extra={"xl/embeddings/oleObject1.bin": inner.getvalue()})


def many_entries(count: int = 5000) -> bytes:
    base = zipfile.ZipFile(io.BytesIO(base_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for info in base.infolist():
            target.writestr(info.filename, base.read(info))
        for i in range(count):
            target.writestr(f"xl/media/x{i}.xml", b"")
    return out.getvalue()


_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def _strings_sheet() -> bytes:
    """A sheet whose B2 is shared string 0."""
    return _sheet(
        _header_row() + '<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="s"><v>0</v></c></row>'
    )


def billion_laughs_strings() -> bytes:
    strings = (
        f'<?xml version="1.0"?>{_LAUGHS}<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1">'
        "<si><t>&lol9;</t></si></sst>"
    ).encode()
    return _rewrite({STRINGS: strings, SHEET: _strings_sheet()})


def billion_laughs_sheet() -> bytes:
    rows = _header_row() + _text_row(2, "T1", "&lol9;")
    return _rewrite({SHEET: _sheet(rows, prolog=_LAUGHS)})


def xxe() -> bytes:
    prolog = '<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    rows = _header_row() + _text_row(2, "T1", "&secret;")
    return _rewrite({SHEET: _sheet(rows, prolog=prolog)})


def malformed_strings() -> bytes:
    strings = f'<?xml version="1.0"?><sst xmlns="{MAIN_NS}"><si><t>unclosed</si></sst>'
    return _rewrite({STRINGS: strings.encode(), SHEET: _strings_sheet()})


def far_row(index: int = 100_000_000) -> bytes:
    """4 KB: one row far down the sheet (openpyxl alone walks every row above it)."""
    rows = _header_row() + _text_row(index, "T1", "张老师")
    return _rewrite({SHEET: _sheet(rows, dimension=f"A1:B{index}")})


def row_past_cap() -> bytes:
    """One value at row 1,000,000: inside Excel's sheet, past the import's cap."""
    return far_row(1_000_000)


def hidden_row() -> bytes:
    """A row past the cap that the dimension hides (openpyxl alone would
    silently drop it)."""
    rows = _header_row() + _text_row(2, "T1", "张老师") + _text_row(9000, "T2", "李老师")
    return _rewrite({SHEET: _sheet(rows)})


def moved_sheet() -> bytes:
    """The hidden row again, in a sheet stored outside ``xl/worksheets/``
    (the workbook's relationships say where; openpyxl follows them)."""
    source = zipfile.ZipFile(io.BytesIO(hidden_row()))
    moved = "xl/hidden/data.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info).replace(b"/xl/worksheets/sheet1.xml", f"/{moved}".encode())
            target.writestr(moved if info.filename == SHEET else info.filename, data)
    return out.getvalue()


def huge_dimension() -> bytes:
    """A dimension larger than any Excel sheet."""
    return _rewrite({SHEET: _sheet(_header_row(), dimension="A1:B50000000")})


def far_column() -> bytes:
    """One cell in the last column: every row would be 16,384 cells wide."""
    rows = _header_row() + '<row r="2"><c r="XFD2"><v>1</v></c></row>'
    return _rewrite({SHEET: _sheet(rows, dimension="A1:XFD2")})


def million_rows(count: int = 1_000_000) -> bytes:
    """10⁶ real rows of distinct numbers (rows need no ``r``: they count)."""
    body = "".join(f"<row><c><v>{r}</v></c></row>" for r in range(2, count + 2))
    return _rewrite({SHEET: _sheet(_header_row() + body, dimension=f"A1:B{count + 1}")})


def formula() -> bytes:
    """The classic DDE payload as a formula cell (a cached value is present)."""
    rows = (
        _header_row() + '<row r="2"><c r="A2" t="inlineStr"><is><t>T1</t></is></c>'
        '<c r="B2" t="str"><f>cmd|\' /C calc\'!A0</f><v>0</v></c></row>'
    )
    return _rewrite({SHEET: _sheet(rows)})


def text_renamed() -> bytes:
    return "外部编号,姓名\nT1,张老师\n".encode()


def png_renamed() -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89"
        + b"\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa75\x81\x84"
        + b"\0\0\0\0IEND\xaeB`\x82"
    )


def truncated() -> bytes:
    data = base_workbook()
    return data[: len(data) // 2]


def pk_but_not_zip() -> bytes:
    return b"PK\x03\x04" + b"\0" * 200


#: name → (maker, upload file name)
CORPUS = {
    "zip-bomb": (zip_bomb, "zip-bomb.xlsx"),
    "lying-sizes": (lying_sizes, "lying-sizes.xlsx"),
    "nested-zip": (nested_zip, "nested.xlsx"),
    "many-entries": (many_entries, "entries.xlsx"),
    "billion-laughs-strings": (billion_laughs_strings, "laughs-strings.xlsx"),
    "billion-laughs-sheet": (billion_laughs_sheet, "laughs-sheet.xlsx"),
    "xxe": (xxe, "xxe.xlsx"),
    "malformed-strings": (malformed_strings, "malformed.xlsx"),
    "far-row": (far_row, "far-row.xlsx"),
    "row-past-cap": (row_past_cap, "row-past-cap.xlsx"),
    "hidden-row": (hidden_row, "hidden-row.xlsx"),
    "moved-sheet": (moved_sheet, "moved-sheet.xlsx"),
    "huge-dimension": (huge_dimension, "dimension.xlsx"),
    "far-column": (far_column, "far-column.xlsx"),
    "million-rows": (million_rows, "million.xlsx"),
    "formula": (formula, "formula.xlsx"),
    "text-renamed": (text_renamed, "text.xlsx"),
    "png-renamed": (png_renamed, "image.xlsx"),
    "truncated": (truncated, "truncated.xlsx"),
    "pk-but-not-zip": (pk_but_not_zip, "pk.xlsx"),
}


def main(argv):
    target = Path(argv[1] if len(argv) > 1 else "hostile-corpus")
    target.mkdir(parents=True, exist_ok=True)
    for _key, (maker, name) in CORPUS.items():
        data = maker()
        (target / name).write_bytes(data)
        print(f"{name}\t{len(data)} bytes")


if __name__ == "__main__":
    main(sys.argv)
