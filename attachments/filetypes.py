"""An evidence file is accepted only when its content is an allowed kind that matches its extension.

`identify()` judges by content, never by the name alone: programs and markup are refused whatever they
are called, and a file whose bytes are not the kind its extension claims is refused with a message that
says what it really is. `clean_name()` makes the uploader's file name safe to show (it is never a path).
Pure: no database, no models; every parser error becomes a `Refused`, so any bytes are safe to pass in.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import IO

import filetype
import olefile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class Kind:
    code: str
    label: str  # a gettext msgid: show it as _(kind.label) / {% translate kind.label %}
    extensions: tuple[str, ...]
    mime: str


_OOXML_MIME = "application/vnd.openxmlformats-officedocument."
_ODF_MIME = "application/vnd.oasis.opendocument."

KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind("pdf", "PDF", ("pdf",), "application/pdf"),
        Kind("jpeg", "JPEG", ("jpg", "jpeg"), "image/jpeg"),
        Kind("png", "PNG", ("png",), "image/png"),
        Kind("docx", "Word (.docx)", ("docx",), _OOXML_MIME + "wordprocessingml.document"),
        Kind("xlsx", "Excel (.xlsx)", ("xlsx",), _OOXML_MIME + "spreadsheetml.sheet"),
        Kind("pptx", "PowerPoint (.pptx)", ("pptx",), _OOXML_MIME + "presentationml.presentation"),
        Kind("doc", "Word 97-2003 (.doc)", ("doc",), "application/msword"),
        Kind("xls", "Excel 97-2003 (.xls)", ("xls",), "application/vnd.ms-excel"),
        Kind("ppt", "PowerPoint 97-2003 (.ppt)", ("ppt",), "application/vnd.ms-powerpoint"),
        Kind("odt", "OpenDocument Text (.odt)", ("odt",), _ODF_MIME + "text"),
        Kind("ods", "OpenDocument Spreadsheet (.ods)", ("ods",), _ODF_MIME + "spreadsheet"),
        Kind("odp", "OpenDocument Presentation (.odp)", ("odp",), _ODF_MIME + "presentation"),
        Kind("txt", gettext_noop("ข้อความ (.txt)"), ("txt",), "text/plain"),
        Kind("csv", "CSV (.csv)", ("csv",), "text/csv"),
    )
}


class Refused(Exception):
    """The file may not be attached; .message is a complete sentence for the user (Thai, via gettext)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


FALLBACK_NAME = "ไฟล์แนบ"
MAX_NAME = 200
_MAX_EXTENSION = 20  # a longer "extension" is just text after a dot: cut the name, do not protect it
_INVISIBLE = {"Cc", "Cf", "Cs"}  # Cs: a lone surrogate cannot even be stored as UTF-8


def clean_name(name: str) -> str:
    name = re.split(r"[/\\]", name)[-1]
    # normalise after removing: a dropped zero-width joiner can leave a decomposed pair behind
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _INVISIBLE)
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"\s+", " ", name).strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem, ext = stem.strip(" ."), ext.strip(" ")
    if len(ext) > _MAX_EXTENSION:
        stem, ext = f"{stem}.{ext}"[:MAX_NAME].strip(" ."), ""
    suffix = f".{ext}" if ext else ""
    stem = stem[: MAX_NAME - len(suffix)].rstrip(" .")
    return (stem or FALLBACK_NAME) + suffix


# --- content -------------------------------------------------------------------------------------------

_HEAD = 8192  # as much as filetype ever looks at; enough for every signature below
_CHUNK = 64 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"  # real office files start with a member: refuse zips hidden behind other data

# MZ (PE/DOS), ELF, Mach-O 32/64 in both byte orders, fat Mach-O and Java class (both CAFEBABE), shebang
_PROGRAM_MAGIC = tuple(
    bytes.fromhex(h)
    for h in ("4d5a", "7f454c46", "feedface", "cefaedfe", "feedfacf", "cffaedfe", "cafebabe", "bebafeca")
) + (b"#!",)
_PROGRAM_MIMES = "x-msdownload x-executable x-sh x-mach-binary vnd.microsoft.portable-executable x-dosexec"
_PROGRAM_MIME = {f"application/{mime}" for mime in _PROGRAM_MIMES.split()}
# Windows Installer database, patch and transform: OLE files that are programs
_MSI_CLSIDS = {f"000C108{n}-0000-0000-C000-000000000046" for n in (2, 4, 6)}
_MARKUP = ("<!doctype", "<html", "<head", "<body", "<script", "<svg", "<?xml", "<iframe", "<object")
# filetype's signatures for these are 2-3 letters ("BM", "ID3") that real text starts with ("BMI,..."),
# while real BMP and MP3 headers always hold a NUL byte, which the text scan refuses anyway
_TEXT_LOOKALIKES = {"bmp", "mp3"}

_OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_ODF_TYPES = {code: KINDS[code].mime for code in ("odt", "ods", "odp")}
_OLE_STREAMS = {"doc": {"worddocument"}, "xls": {"workbook", "book"}, "ppt": {"powerpoint document"}}
_OLE_MACROS = {"macros", "_vba_project_cur"}


class _Content:
    """One upload, each container parsed at most once; the file is back at offset 0 after every look."""

    def __init__(self, fileobj: IO[bytes]) -> None:
        self.file = fileobj
        fileobj.seek(0)
        self.head = fileobj.read(_HEAD)
        fileobj.seek(0)

    @cached_property
    def guess(self) -> filetype.Type | None:
        try:
            return filetype.guess(self.head)
        except Exception:  # a third-party matcher must not turn odd bytes into a crash
            return None

    @cached_property
    def zip(self) -> tuple[frozenset[str], bytes | None] | None:
        """Member names and the ODF "mimetype" member's start, from the central directory only."""
        if not self.head.startswith(_ZIP_MAGIC):
            return None
        try:
            with zipfile.ZipFile(self.file) as archive:
                names = frozenset(archive.namelist())
                mimetype = None
                if "mimetype" in names:
                    with archive.open("mimetype") as member:
                        mimetype = member.read(100)
                return names, mimetype
        except Exception:  # BadZipFile, encrypted or unsupported members, truncated data...
            return None
        finally:
            self.file.seek(0)

    @cached_property
    def ole(self) -> tuple[str, frozenset[str]] | None:
        """The root CLSID and the lower-cased paths of the storages and whole streams in an OLE2 file."""
        if not self.head.startswith(_OLE_MAGIC):
            return None
        try:
            self.file.seek(0, 2)
            size = self.file.tell()
            ole = olefile.OleFileIO(self.file)
            try:
                # olefile reads only the directory: a stream longer than the file means a truncated upload
                paths = ole.listdir(streams=False, storages=True)
                paths += [p for p in ole.listdir(streams=True) if ole.get_size(p) <= size]
                return (ole.root.clsid or "").upper(), frozenset("/".join(p).lower() for p in paths)
            finally:
                ole.close()  # leaves a caller's file open
        except Exception:
            return None
        finally:
            self.file.seek(0)

    @cached_property
    def is_text(self) -> bool:
        """No NUL, and all of it decodes as UTF-8, UTF-16 with a BOM, or cp874 (Thai Excel's CSV)."""
        if self.guess is not None and self.guess.extension not in _TEXT_LOOKALIKES:
            return False
        utf16 = self.head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        decoder = codecs.getincrementaldecoder("utf-16" if utf16 else "utf-8-sig")()
        decodes, thai = True, not utf16
        self.file.seek(0)
        try:
            while chunk := self.file.read(_CHUNK):
                if utf16:
                    if "\x00" in decoder.decode(chunk):
                        return False
                    continue
                if b"\x00" in chunk:
                    return False
                if decodes:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        decodes = False
                if thai:  # single-byte, so chunks decode alone; U+FFFD marks a byte cp874 leaves undefined
                    thai = chunk.decode("cp874", errors="replace").find("\ufffd") < 0
                if not (decodes or thai):
                    return False
            if decodes:
                decoder.decode(b"", final=True)
            return decodes or thai
        except UnicodeDecodeError:  # UTF-16 cut off mid-character, or UTF-8 mid-sequence at the end
            return thai
        finally:
            self.file.seek(0)

    def is_program(self) -> bool:
        if self.head.startswith(_PROGRAM_MAGIC) or (self.guess and self.guess.mime in _PROGRAM_MIME):
            return True
        return self.ole is not None and self.ole[0] in _MSI_CLSIDS

    def is_markup(self) -> bool:
        sample = self.head[:2048]
        if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = sample.decode("utf-16", errors="replace")
        else:
            text = sample.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="replace")
        text = text[:1024]
        return text.lstrip().startswith("<") and any(tag in text.lower() for tag in _MARKUP)

    def is_pdf(self) -> bool:
        at = self.head.find(b"%PDF-", 0, 1024 + len(b"%PDF-"))
        if at <= 0:
            return at == 0
        # Acrobat tolerates junk before the header, but a known type at the start is not junk
        known = self.guess is not None and self.guess.extension != "pdf"
        return not known and not self.head.startswith((_ZIP_MAGIC, _OLE_MAGIC))

    def is_kind(self, code: str) -> bool:
        if code == "pdf":
            return self.is_pdf()
        if code == "jpeg":
            return self.head.startswith(b"\xff\xd8\xff")
        if code == "png":
            return self.head.startswith(b"\x89PNG\r\n\x1a\n")
        if code in _OOXML_PARTS:
            names = self.zip[0] if self.zip else frozenset()
            return "[Content_Types].xml" in names and any(n.startswith(_OOXML_PARTS[code]) for n in names)
        if code in _ODF_TYPES:
            return self.zip is not None and self.zip[1] == _ODF_TYPES[code].encode()
        if code in _OLE_STREAMS:
            return self.ole is not None and not self.ole[1].isdisjoint(_OLE_STREAMS[code])
        return code in ("txt", "csv") and self.is_text

    def what(self) -> str | None:
        """What the content really is, for a refusal message; None when we cannot tell."""
        for kind in KINDS.values():
            if self.is_kind(kind.code):
                return _(kind.label)
        # filetype's guesses for our own kinds are looser than the checks above, which have just said no
        if self.guess is None or any(self.guess.extension in k.extensions for k in KINDS.values()):
            return None
        return self.guess.extension.upper()


def _refuse_macros_and_passwords(code: str, content: _Content) -> None:
    macro = _("เอกสารนี้มีมาโคร (macro) ไม่อนุญาตให้แนบ: บันทึกเป็นไฟล์ที่ไม่มีมาโครแล้วแนบใหม่")
    if code in _OOXML_PARTS or code in _ODF_TYPES:
        if content.zip and any(n.lower().endswith("vbaproject.bin") for n in content.zip[0]):
            raise Refused(macro)
    if (code in _OOXML_PARTS or code in _OLE_STREAMS) and content.ole:
        paths = content.ole[1]
        # Office saves a password-protected OOXML file as an OLE container holding the encrypted zip
        if "encryptedpackage" in paths:
            raise Refused(_("ไฟล์นี้มีรหัสผ่าน ผู้ตรวจเปิดไม่ได้: เอาการตั้งรหัสผ่านออกแล้วแนบใหม่"))
        if code in _OLE_STREAMS and any(part in _OLE_MACROS for path in paths for part in path.split("/")):
            raise Refused(macro)


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.strip().lower() if dot else ""


def identify(name: str, fileobj: IO[bytes], *, allowed: Iterable[str]) -> Kind:
    """The kind of an upload whose content matches its allowed extension; otherwise raises Refused."""
    codes = set(allowed)
    permitted = [kind for kind in KINDS.values() if kind.code in codes]
    ext = _extension(clean_name(name))
    kind = next((k for k in permitted if ext in k.extensions), None)
    if kind is None:
        fileobj.seek(0)
        kinds = ", ".join(_(k.label) for k in permitted)
        if not ext:
            raise Refused(_("ไฟล์ต้องมีนามสกุล เช่น .pdf: แนบได้เฉพาะ %(kinds)s") % {"kinds": kinds})
        shown = ext if len(ext) <= _MAX_EXTENSION else ext[:_MAX_EXTENSION] + "…"
        raise Refused(_("ไม่รับไฟล์ชนิด .%(ext)s: แนบได้เฉพาะ %(kinds)s") % {"ext": shown, "kinds": kinds})

    content = _Content(fileobj)
    try:
        if content.is_program():
            raise Refused(_("ไฟล์นี้เป็นโปรแกรมหรือสคริปต์ ไม่อนุญาตให้แนบ แม้จะเปลี่ยนชื่อหรือนามสกุลไฟล์"))
        if content.is_markup():
            raise Refused(_("ไฟล์ HTML, SVG หรือ XML อาจมีสคริปต์ที่เป็นอันตราย ไม่อนุญาตให้แนบ: บันทึกเป็น PDF แล้วแนบใหม่"))
        _refuse_macros_and_passwords(kind.code, content)
        if content.is_kind(kind.code):
            return kind
        what = content.what()
        actual = _(" (เนื้อหาเป็นไฟล์ %(what)s)") % {"what": what} if what else ""
        raise Refused(
            _(
                "เนื้อหาของไฟล์ไม่ใช่ %(label)s ตามนามสกุล .%(ext)s%(actual)s: "
                "ตรวจว่าเลือกไฟล์ถูก หรือบันทึกใหม่เป็นชนิดที่ถูกต้อง"
            )
            % {"label": _(kind.label), "ext": ext, "actual": actual}
        )
    finally:
        fileobj.seek(0)
