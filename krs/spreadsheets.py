"""Uploaded spreadsheets, for every importer: open an XLSX safely, keep a previewed file until it is confirmed."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import zipfile
import zlib

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
