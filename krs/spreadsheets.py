"""Opening an uploaded XLSX workbook safely, for every importer in the project."""

from __future__ import annotations

import io
import zipfile

from django.utils.translation import gettext as _


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
