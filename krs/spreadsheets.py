"""Uploaded spreadsheets, for every importer: read a CSV, XLSX or ODS table, keep a previewed file until it is confirmed.

``read_upload`` is how the uploads (offices and users, the bureaus' central data) read a file: the header
found below title rows, header names compared by ``spelling_key`` (``match_headers``), every cell through
``cell_text``. Each upload then says in its own words what is wrong with the columns and rows.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import openpyxl
from defusedxml.ElementTree import iterparse
from django.utils.translation import gettext as _

# Zero-width characters arrive with text pasted from web pages and Word; invisible in Excel.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# Spaces and invisible characters around a cell's text.
_EDGES = re.compile(rf"^[\s{INVISIBLE}]+|[\s{INVISIBLE}]+$")


_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙０１２３４５６７８９", "01234567890123456789")
_CODE_SPACE = re.compile(r"[\s\u00a0\u200b\u200c\u200d\u2060\ufeff]+")


def normalise_digits(text: str) -> str:
    """Thai (๐–๙) and full-width digits as ASCII digits; nothing else changes."""
    return text.translate(_DIGITS)


def normalise_code(text: object) -> str:
    """A code as people mean it: Thai and full-width digits as ASCII, no spaces or invisible characters.

    "๓๕๐๑" and "３５０๑" are the office 3501; every door that reads an office code reads it through this.
    """
    return _CODE_SPACE.sub("", normalise_digits("" if text is None else str(text)))


class SpreadsheetError(Exception):
    """The upload is not a workbook we can read; the message is for the user (Thai)."""


ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def _zip_kind(content: bytes, *, max_bytes: int) -> str:
    """"ods" for an OpenDocument spreadsheet (LibreOffice), else "xlsx"; SpreadsheetError when not a sound zip."""
    bad_file = _("อ่านไฟล์ XLSX ไม่ได้: ไฟล์เสียหายหรือไม่ใช่ไฟล์ Excel (.xlsx)")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
            mimetype = archive.read("mimetype").strip() if "mimetype" in names else b""
    except (zipfile.BadZipFile, KeyError, OSError, zlib.error) as exc:
        raise SpreadsheetError(bad_file) from exc
    # A few kilobytes of zip can inflate to gigabytes; a genuine sheet of 20,000 rows is a few dozen MB.
    if unpacked > 20 * max_bytes:
        raise SpreadsheetError(_("ไฟล์ XLSX มีข้อมูลมากเกินไป"))
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        if mimetype != ODS_MIMETYPE:
            raise SpreadsheetError(_("ไฟล์นี้เป็นเอกสาร OpenDocument ที่ไม่ใช่ตารางคำนวณ: "
                                     "บันทึกเป็น .xlsx หรือ .csv แล้วอัปโหลดใหม่"))
        return "ods"
    return "xlsx"


def open_xlsx(content: bytes, *, max_bytes: int):
    """An openpyxl workbook (read-only, values not formulas), or SpreadsheetError with a Thai message."""

    bad_file = _("อ่านไฟล์ XLSX ไม่ได้: ไฟล์เสียหายหรือไม่ใช่ไฟล์ Excel (.xlsx)")
    if not content.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(bad_file)
    if _zip_kind(content, max_bytes=max_bytes) == "ods":
        raise SpreadsheetError(_("ไฟล์ .ods (LibreOffice) ใช้กับการนำเข้านี้ไม่ได้: ใน LibreOffice เลือก "
                                 "“บันทึกเป็น” (Save As) ชนิด Excel 2007-365 (.xlsx) แล้วอัปโหลดใหม่"))
    try:
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign zip
        raise SpreadsheetError(bad_file) from exc


def upload_stash(session, *, key: str, content: bytes, filename: str, **extra) -> str:
    """Keep a previewed upload in the session (the server's, never the form's); return its SHA-256 digest.

    A confirm form then posts only the digest, so what gets applied is exactly the file the admin saw.
    """
    digest = hashlib.sha256(content).hexdigest()
    session[key] = {
        "digest": digest,
        "filename": filename[:200],
        "data": base64.b64encode(zlib.compress(content)).decode("ascii"),
        **extra,
    }
    return digest


def upload_unstash(session, *, key: str, digest: str) -> tuple[bytes, dict] | None:
    """The stashed bytes and their record if the digest matches, else None (expired, or another upload since)."""
    stashed = session.get(key)
    if not isinstance(stashed, dict) or stashed.get("digest") != digest:
        return None
    try:
        content = zlib.decompress(base64.b64decode(stashed["data"]))
    except (KeyError, binascii.Error, zlib.error):
        return None
    if hashlib.sha256(content).hexdigest() != digest:
        return None
    return content, stashed


# --- Reading a table ---------------------------------------------------------------------------------


@dataclass
class RowIssue:
    """One problem of an uploaded file, placed by spreadsheet row number (the header is usually row 1) and column."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.row is not None and self.column:
            return _("แถวที่ %(row)s คอลัมน์ %(column)s: %(message)s") % {
                "row": self.row, "column": self.column, "message": self.message}
        if self.row is not None:
            return _("แถวที่ %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return self.message


@dataclass
class Table:
    """The header row, then the data rows, each with its spreadsheet row number.

    ``delimiter`` is the CSV's separator ("" for a workbook); ``separators`` how its numbers' "." and ","
    read (``indicators.numbers.POINT`` or ``EITHER``): a semicolon CSV comes from a locale whose decimal
    mark is the comma, so its numbers are read either way and an ambiguous one is refused.
    ``skipped`` are the rows above the header (a title, merged across the columns).
    """

    header_row: int
    headers: list[object]
    rows: list[tuple[int, list[object]]]
    delimiter: str = ""
    separators: str = "point"
    skipped: int = 0

    @property
    def width(self) -> int:
        """The number of columns up to the last one with a header."""
        return max((index + 1 for index, header in enumerate(self.headers) if not cell_is_blank(header)), default=0)

    def beyond_header(self, cells: list[object]) -> bool:
        """Does the row hold something right of the last header? Usually an unquoted comma in a CSV cell,
        which moves every later cell one column on."""
        return any(not cell_is_blank(cell) for cell in cells[self.width:])


# How far down a header is looked for below title rows.
HEADER_SEARCH_ROWS = 10


def cell_is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not _EDGES.sub("", value))


def read_table(content: bytes, *, max_bytes: int, max_rows: int,
               xlsx_cell: Callable[[object], object] | None = None,
               is_header: Callable[[list[object]], bool] | None = None) -> Table:
    """A CSV (UTF-8, UTF-16 or Thai Windows cp874; "," ";" or tab), or the first sheet of an XLSX or ODS.

    Cells come as the file holds them: strings from a CSV, openpyxl values from an XLSX (or what
    ``xlsx_cell`` makes of each openpyxl cell, e.g. to read its number format; an ODS cell offers the
    same ``value`` and ``number_format``). Empty rows are skipped. The header is the first non-empty row,
    or with ``is_header`` the first of the first ``HEADER_SEARCH_ROWS`` non-empty rows it accepts (title
    rows above it are skipped; when none is accepted, the first non-empty row, for the caller to report).
    Raises SpreadsheetError with a Thai message.
    """
    if len(content) > max_bytes:
        raise SpreadsheetError(_("ไฟล์ใหญ่เกิน %(mb)s MB") % {"mb": max_bytes // (1024 * 1024)})
    delimiter = ""
    if content.startswith(b"PK\x03\x04"):
        if _zip_kind(content, max_bytes=max_bytes) == "ods":
            source = _ods_rows(content, xlsx_cell=xlsx_cell, max_rows=max_rows)
        else:
            source = _xlsx_rows(content, max_bytes=max_bytes, xlsx_cell=xlsx_cell)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(_("ไฟล์ Excel รุ่นเก่า (.xls) ยังไม่รองรับ โปรดบันทึกเป็น .xlsx หรือ CSV UTF-8"))
    else:
        text = _decode(content)
        delimiter = _delimiter(text)
        source = _csv_rows(text, delimiter)
    header: tuple[int, list[object]] | None = None
    candidates: list[tuple[int, list[object]]] = []
    rows: list[tuple[int, list[object]]] = []
    skipped = 0
    with contextlib.closing(source):
        for number, cells in source:
            if all(cell_is_blank(cell) for cell in cells):
                continue
            if header is None:
                if is_header is None or is_header(cells):
                    header, skipped = (number, cells), len(candidates)
                    continue
                candidates.append((number, cells))
                if len(candidates) < HEADER_SEARCH_ROWS:
                    continue
                # No row looks like the header: the first one is, and the caller says what it lacks.
                header, rows, candidates = candidates[0], candidates[1:], []
                continue
            if len(rows) >= max_rows:
                raise SpreadsheetError(
                    _("ไฟล์มีข้อมูลเกิน %(limit)s แถว โปรดแบ่งเป็นหลายไฟล์") % {"limit": f"{max_rows:,}"}
                )
            rows.append((number, cells))
    if header is None and candidates:
        header, rows = candidates[0], candidates[1:]
    if header is None:
        raise SpreadsheetError(_("ไฟล์ไม่มีข้อมูล"))
    # A comma CSV writes "." as the decimal point (a "," would split the cell); a semicolon or tab CSV may
    # come from a decimal-comma locale, and a workbook's text cells from anywhere: their "1.000" reads two
    # ways (a workbook's number cells are exact: the caller reads them with "." whatever this says).
    separators = "point" if delimiter == "," else "either"
    return Table(header_row=header[0], headers=header[1], rows=rows, delimiter=delimiter,
                 separators=separators, skipped=skipped)


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)  # Excel's "Unicode Text" export
    else:
        # utf-8-sig drops the BOM Excel writes with "CSV UTF-8"; cp874 is what Excel on Thai Windows
        # writes for plain "CSV".
        encodings = ("utf-8-sig", "cp874")
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("อ่านไฟล์ไม่ได้: ไฟล์ไม่ใช่ CSV (UTF-8 หรือ TIS-620) หรือ XLSX"))


def _delimiter(text: str) -> str:
    if "\x00" in text:
        raise SpreadsheetError(_("อ่านไฟล์ไม่ได้: ไฟล์ไม่ใช่ CSV (UTF-8 หรือ TIS-620) หรือ XLSX"))
    # Excel writes ";" in locales with a decimal comma and a tab for "Unicode Text"; the header line
    # has no quoted commas, so its most common separator is the file's. A title line above the header
    # may have none: the first line that has any decides.
    for line in text.splitlines()[:HEADER_SEARCH_ROWS]:
        if any(mark in line for mark in (",", ";", "\t")):
            return max((",", ";", "\t"), key=line.count)
    return ","


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[object]]]:
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            yield number, list(cells)
    except csv.Error as exc:
        raise SpreadsheetError(_("อ่านไฟล์ CSV ไม่ได้: %(error)s") % {"error": exc}) from exc


def _xlsx_rows(content: bytes, *, max_bytes: int,
               xlsx_cell: Callable[[object], object] | None) -> Iterator[tuple[int, list[object]]]:
    workbook = open_xlsx(content, max_bytes=max_bytes)
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(_("ไฟล์ XLSX ไม่มีแผ่นงาน"))
        sheet = workbook.worksheets[0]
        # Some programs write a wrong <dimension>; read_only mode would trust it and cut rows short.
        sheet.reset_dimensions()
        try:
            if xlsx_cell is None:
                for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                    yield number, list(values)
            else:
                for number, cells in enumerate(sheet.iter_rows(), 1):
                    yield number, [xlsx_cell(cell) for cell in cells]
        except SpreadsheetError:
            raise
        except Exception as exc:  # openpyxl raises many kinds on a damaged sheet
            raise SpreadsheetError(_("อ่านไฟล์ XLSX ไม่ได้: ไฟล์เสียหายหรือไม่ใช่ไฟล์ Excel (.xlsx)")) from exc
    finally:
        workbook.close()


# --- OpenDocument (LibreOffice .ods) -------------------------------------------------------------------

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
# LibreOffice pads a sheet with repeated empty cells and rows up to its limits; only this many columns
# are kept, far more than any importer's header.
ODS_MAX_COLUMNS = 256


@dataclass
class OdsCell:
    """An ODS cell as openpyxl offers one: its typed value and, for a percentage, a "%" number format."""

    value: object
    number_format: str = "General"


def _ods_text(node) -> str:
    """A paragraph's text with its spans, and its <text:s c="n"/> runs of spaces, tabs and line breaks."""
    parts = [node.text or ""]
    for child in node:
        if child.tag == f"{{{_TEXT}}}s":
            parts.append(" " * min(int(child.get(f"{{{_TEXT}}}c", "1") or 1), 100))
        elif child.tag == f"{{{_TEXT}}}tab":
            parts.append("\t")
        elif child.tag == f"{{{_TEXT}}}line-break":
            parts.append("\n")
        elif child.tag != f"{{{_OFFICE}}}annotation":  # a comment is not the cell's value
            parts.append(_ods_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _ods_value(element) -> OdsCell:
    kind = element.get(f"{{{_OFFICE}}}value-type")
    if kind in ("float", "percentage", "currency"):
        try:
            number = Decimal(element.get(f"{{{_OFFICE}}}value", ""))
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return OdsCell(number, "0%" if kind == "percentage" else "General")
    if kind == "boolean":
        return OdsCell(element.get(f"{{{_OFFICE}}}boolean-value") == "true")
    if kind == "date":
        text = element.get(f"{{{_OFFICE}}}date-value", "")
        with contextlib.suppress(ValueError):
            return OdsCell(dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text))
    paragraphs = [_ods_text(child) for child in element if child.tag == f"{{{_TEXT}}}p"]
    return OdsCell("\n".join(paragraphs) if paragraphs else None)


def _ods_rows(content: bytes, *, xlsx_cell: Callable[[object], object] | None,
              max_rows: int) -> Iterator[tuple[int, list[object]]]:
    """The first sheet of an ODS, row by row (numbered as LibreOffice shows them), expanding repeats."""

    bad_file = _("อ่านไฟล์ ODS ไม่ได้: ไฟล์เสียหาย บันทึกเป็น .xlsx หรือ .csv แล้วอัปโหลดใหม่")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            xml = archive.read("content.xml")
    except (zipfile.BadZipFile, KeyError, OSError, zlib.error) as exc:
        raise SpreadsheetError(bad_file) from exc
    number = 0
    emitted = 0
    depth = 0  # tables entered: only the first sheet is read
    try:
        for event, element in iterparse(io.BytesIO(xml), events=("start", "end")):
            if element.tag == f"{{{_TABLE}}}table":
                if event == "start":
                    depth += 1
                    continue
                return
            if event != "end" or element.tag != f"{{{_TABLE}}}table-row" or depth != 1:
                continue
            repeat = int(element.get(f"{{{_TABLE}}}number-rows-repeated", "1") or 1)
            cells: list[object] = []
            pending_blank = 0
            for cell in element:
                if cell.tag not in (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"):
                    continue
                times = int(cell.get(f"{{{_TABLE}}}number-columns-repeated", "1") or 1)
                value = _ods_value(cell)
                if value.value is None or (isinstance(value.value, str) and not value.value):
                    pending_blank += times  # kept only if a filled cell follows
                    continue
                cells.extend([None] * min(pending_blank, ODS_MAX_COLUMNS))
                pending_blank = 0
                made = xlsx_cell(value) if xlsx_cell is not None else value.value
                cells.extend([made] * min(times, ODS_MAX_COLUMNS))
                if len(cells) >= ODS_MAX_COLUMNS:
                    cells = cells[:ODS_MAX_COLUMNS]
                    break
            element.clear()
            if not cells:
                number += repeat  # blank rows, however many, only move the numbering on
                continue
            for _copy in range(repeat):
                number += 1
                emitted += 1
                if emitted > max_rows + HEADER_SEARCH_ROWS + 1:
                    raise SpreadsheetError(
                        _("ไฟล์มีข้อมูลเกิน %(limit)s แถว โปรดแบ่งเป็นหลายไฟล์") % {"limit": f"{max_rows:,}"})
                yield number, list(cells)
    except SpreadsheetError:
        raise
    except Exception as exc:  # a damaged or hostile content.xml: expat and defusedxml raise many kinds
        raise SpreadsheetError(bad_file) from exc


# --- Headers and cells, read one way by every upload ----------------------------------------------------

# The office code column, which every upload has: its header row is the first row that names it.
OFFICE_CODE_HEADERS = ("office_code", "code", "รหัสหน่วยงาน", "รหัส")

_NAME_NOISE = re.compile(rf"[\s_\-.()\[\]/:{INVISIBLE}]+")


def spelling_key(text: str) -> str:
    """A column's name (or a choice's) as compared: letter case, spaces, invisible characters and
    ``_ - . ( ) [ ] / :`` do not count, so "Office Code", "office_code" and " OFFICE-CODE " are one name."""
    return _NAME_NOISE.sub("", text).casefold()


class NumberCell(str):
    """A workbook's number cell written out plainly ("1001", "12.5", "85%"). It is exact, so it is read with
    "." as the decimal point whatever the file's text cells may mean (a text cell "1.000" of an XLSX or ODS
    reads two ways, a number cell 1.000 does not); and it was a number (a phone that lost its leading 0)."""


class DateCell(str):
    """A workbook's date or time cell, in ISO form: a date, never a number, a code or a phone."""


def plain_number(value: Decimal) -> str:
    """A Decimal written without exponent or trailing zeros: 1E+2 → "100", 2.50 → "2.5"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def cell_text(value: object, number_format: str | None = None) -> str:
    """A cell as every upload reads it: text trimmed of spaces and invisible characters, "" for nothing.

    A number is a ``NumberCell`` written plainly (1001.0 → "1001", never "1e-05"); formatted as a
    percentage it reads as the spreadsheet shows it (Excel keeps 85% as 0.85 → "85%"). TRUE and FALSE read
    as Excel shows them; a date or a time is a ``DateCell`` in ISO form. Text cells of a CSV stay text.
    """
    if value is None:
        return ""
    if isinstance(value, NumberCell | DateCell):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        # repr is the shortest text that reads back the same float: what the person typed into the cell.
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if number_format and number_format.endswith("%"):
            return NumberCell(plain_number(number * 100) + "%")
        return NumberCell(plain_number(number))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return DateCell(value.isoformat())
    return _EDGES.sub("", str(value))


@dataclass(frozen=True)
class Header:
    """A header cell and the column it names (``key``; None when it names none of the upload's columns)."""

    index: int
    text: str  # as the file writes it: problems name the column so, and a Thai header reads back in Thai
    key: str | None
    first: str | None = None  # the earlier header of the same column, when this one names it again


def match_headers(headers: list[str], columns: Mapping[str, Iterable[str]]) -> list[Header]:
    """Every non-empty header with the column it names: the key in ``columns`` one of whose names it is,
    compared by ``spelling_key``. A column named twice ("รหัส" and "office_code") is a mistake the upload
    reports: the second header has the first one's text in ``first``."""
    names = {spelling_key(name): key for key, aliases in columns.items() for name in aliases}
    found: list[Header] = []
    seen: dict[str, str] = {}
    for index, text in enumerate(headers):
        if not text:
            continue
        key = names.get(spelling_key(text))
        first = seen.get(key) if key is not None else None
        if key is not None and first is None:
            seen[key] = text
        found.append(Header(index, text, key, first))
    return found


def read_upload(content: bytes, *, max_bytes: int, max_rows: int, key_headers: Iterable[str]) -> Table:
    """An uploaded table as every upload reads it: ``read_table`` with the header the first row (below title
    rows) that names a ``key_headers`` column (``spelling_key``), and headers and cells through ``cell_text``.
    Raises SpreadsheetError with a Thai message."""
    keys = {spelling_key(name) for name in key_headers}
    table = read_table(content, max_bytes=max_bytes, max_rows=max_rows,
                       xlsx_cell=lambda cell: cell_text(cell.value, getattr(cell, "number_format", None)),
                       is_header=lambda cells: any(spelling_key(cell_text(cell)) in keys for cell in cells))
    table.headers = [cell_text(cell) for cell in table.headers]
    table.rows = [(number, [cell_text(cell) for cell in cells]) for number, cells in table.rows]
    return table
