"""Uploaded spreadsheets, for every importer: read a CSV or XLSX table, keep a previewed file until it is confirmed."""

from __future__ import annotations

import base64
import binascii
import contextlib
import csv
import hashlib
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Zero-width characters arrive with text pasted from web pages and Word; invisible in Excel.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


class SpreadsheetError(Exception):
    """The upload is not a workbook we can read; the message is for the user (Thai)."""


def open_xlsx(content: bytes, *, max_bytes: int):
    """An openpyxl workbook (read-only, values not formulas), or SpreadsheetError with a Thai message."""
    import openpyxl

    bad_file = _("อ่านไฟล์ XLSX ไม่ได้: ไฟล์เสียหายหรือไม่ใช่ไฟล์ Excel (.xlsx)")
    if not content.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(bad_file)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError(bad_file) from exc
    # A few kilobytes of zip can inflate to gigabytes; a genuine sheet of 20,000 rows is a few dozen MB.
    if unpacked > 20 * max_bytes:
        raise SpreadsheetError(_("ไฟล์ XLSX มีข้อมูลมากเกินไป"))
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
    """The first non-empty row as headers, then the data rows, each with its spreadsheet row number."""

    header_row: int
    headers: list[object]
    rows: list[tuple[int, list[object]]]


def cell_is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip().strip(INVISIBLE).strip())


def read_table(content: bytes, *, max_bytes: int, max_rows: int,
               xlsx_cell: Callable[[object], object] | None = None) -> Table:
    """A CSV (UTF-8, UTF-16 or Thai Windows cp874; "," ";" or tab) or the first sheet of an XLSX.

    Cells come as the file holds them: strings from a CSV, openpyxl values from an XLSX (or what
    ``xlsx_cell`` makes of each openpyxl cell, e.g. to read its number format). Empty rows are skipped.
    Raises SpreadsheetError with a Thai message.
    """
    if len(content) > max_bytes:
        raise SpreadsheetError(_("ไฟล์ใหญ่เกิน %(mb)s MB") % {"mb": max_bytes // (1024 * 1024)})
    if content.startswith(b"PK\x03\x04"):
        source = _xlsx_rows(content, max_bytes=max_bytes, xlsx_cell=xlsx_cell)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(_("ไฟล์ Excel รุ่นเก่า (.xls) ยังไม่รองรับ โปรดบันทึกเป็น .xlsx หรือ CSV UTF-8"))
    else:
        source = _csv_rows(content)
    header: tuple[int, list[object]] | None = None
    rows: list[tuple[int, list[object]]] = []
    with contextlib.closing(source):
        for number, cells in source:
            if all(cell_is_blank(cell) for cell in cells):
                continue
            if header is None:
                header = (number, cells)
                continue
            if len(rows) >= max_rows:
                raise SpreadsheetError(
                    _("ไฟล์มีข้อมูลเกิน %(limit)s แถว โปรดแบ่งเป็นหลายไฟล์") % {"limit": f"{max_rows:,}"}
                )
            rows.append((number, cells))
    if header is None:
        raise SpreadsheetError(_("ไฟล์ไม่มีข้อมูล"))
    return Table(header_row=header[0], headers=header[1], rows=rows)


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


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[object]]]:
    text = _decode(content)
    if "\x00" in text:
        raise SpreadsheetError(_("อ่านไฟล์ไม่ได้: ไฟล์ไม่ใช่ CSV (UTF-8 หรือ TIS-620) หรือ XLSX"))
    first_line = text.split("\n", 1)[0]
    # Excel writes ";" in locales with a decimal comma and a tab for "Unicode Text"; the header line
    # has no quoted commas, so its most common separator is the file's.
    delimiter = max((",", ";", "\t"), key=first_line.count) if first_line else ","
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
