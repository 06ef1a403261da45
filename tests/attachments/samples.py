"""Small sample files of every kind KRS accepts or refuses, built in code so no binary fixture is checked in.

The PDF, PNG, JPEG, DOCX, XLSX and ODF samples are real files a viewer can open. The PPTX sample has the
package structure content sniffing looks at but no slide master, so PowerPoint itself may refuse it. The
OLE2 samples are hand-built compound files (header, one FAT sector, directory, 4 KB streams) that olefile
reads; their streams hold filler, not real Word/Excel/PowerPoint records.
"""

from __future__ import annotations

import io
import struct
import uuid
import zipfile
import zlib

from attachments.demo import pdf_bytes as demo_pdf_bytes

THAI_TEXT = "ตัวชี้วัด,ค่าเป้าหมาย,ผลการดำเนินงาน\r\nร้อยละของโรงเรียนที่ผ่านเกณฑ์,80,85.5\r\n"


# --- PDF and images ------------------------------------------------------------------------------------


def pdf_bytes(text: str = "KRS evidence") -> bytes:
    """A one-page PDF showing ``text``: the demo's generator (attachments.demo.pdf_bytes)."""
    return demo_pdf_bytes([text])


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """An RGB PNG filled with white."""
    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _png_chunk(b"IDAT", zlib.compress(rows))
        + _png_chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """An 8x8 mid-grey baseline JPEG: one block whose DC difference and AC run are both empty."""
    one_code = b"\x01" + b"\x00" * 15 + b"\x00"  # one 1-bit code, for symbol 0
    return b"".join(
        [
            b"\xff\xd8",
            b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
            b"\xff\xdb\x00\x43\x00" + b"\x01" * 64,
            b"\xff\xc0\x00\x0b\x08\x00\x08\x00\x08\x01\x01\x11\x00",
            b"\xff\xc4\x00\x14\x00" + one_code,  # DC table 0
            b"\xff\xc4\x00\x14\x10" + one_code,  # AC table 0: symbol 0 is end-of-block
            b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00",
            b"\x3f",  # bits 0 (DC category 0), 0 (EOB), then 1-padding
            b"\xff\xd9",
        ]
    )


# --- ZIP-based office files ----------------------------------------------------------------------------


def _zip(members: dict[str, bytes | str], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(members.items()):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    return buffer.getvalue()


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_OOXML_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def _ooxml(main_part: str, main_type: str, parts: dict[str, str]) -> dict[str, bytes | str]:
    return {
        "[Content_Types].xml": f'{_XML}<Types xmlns="{_OOXML_TYPES}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>',
        "_rels/.rels": f'{_XML}<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_OFFICE_DOCUMENT}" Target="{main_part}"/></Relationships>',
        **parts,
    }


def _docx_members(text: str) -> dict[str, bytes | str]:
    document = (
        f'{_XML}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    main_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return _ooxml("word/document.xml", main_type, {"word/document.xml": document})


def docx_bytes(text: str = "รายงานผลการดำเนินงาน") -> bytes:
    """A Word document with one paragraph."""
    return _zip(_docx_members(text))


def docm_like_bytes() -> bytes:
    """A .docx package that carries a VBA project, as a macro-enabled document saved as .docx would."""
    return _zip({**_docx_members("มาโคร"), "word/vbaProject.bin": _OLE_MAGIC + b"\x00" * 504})


def xlsx_bytes() -> bytes:
    """A real workbook written by openpyxl."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ตัวชี้วัด", "ค่าเป้าหมาย", "ผล"])
    sheet.append(["ร้อยละของโรงเรียนที่ผ่านเกณฑ์", 80, 85.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pptx_bytes() -> bytes:
    """A presentation package (presentation part and one slide): enough for sniffing, see module docstring."""
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    presentation = (
        f'{_XML}<p:presentation xmlns:p="{p}" xmlns:r="{r}">'
        '<p:sldIdLst><p:sldId id="256" r:id="rId1"/></p:sldIdLst>'
        '<p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>'
    )
    slide = f'{_XML}<p:sld xmlns:p="{p}"><p:cSld><p:spTree/></p:cSld></p:sld>'
    slide_rel = f"{r}/slide"
    rels = (
        f'{_XML}<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{slide_rel}" Target="slides/slide1.xml"/></Relationships>'
    )
    main_type = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    parts = {
        "ppt/presentation.xml": presentation,
        "ppt/_rels/presentation.xml.rels": rels,
        "ppt/slides/slide1.xml": slide,
    }
    return _zip(_ooxml("ppt/presentation.xml", main_type, parts))


def zip_bytes() -> bytes:
    """A plain ZIP archive that is no office document."""
    return _zip({"readme.txt": "เอกสารประกอบ", "data/numbers.csv": "1,2,3\n"})


_ODF_BODIES = {
    "text": "<office:text><text:p>รายงานผล</text:p></office:text>",
    "spreadsheet": '<office:spreadsheet><table:table table:name="Sheet1"><table:table-row><table:table-cell'
    ' office:value-type="string"><text:p>ผล</text:p></table:table-cell></table:table-row></table:table>'
    "</office:spreadsheet>",
    "presentation": '<office:presentation><draw:page draw:name="page1"/></office:presentation>',
}


def _odf(kind: str) -> bytes:
    mimetype = f"application/vnd.oasis.opendocument.{kind}"
    ns = "urn:oasis:names:tc:opendocument:xmlns"
    manifest = (
        f'{_XML}<manifest:manifest xmlns:manifest="{ns}:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    content = (
        f'{_XML}<office:document-content xmlns:office="{ns}:office:1.0" xmlns:text="{ns}:text:1.0"'
        f' xmlns:table="{ns}:table:1.0" xmlns:draw="{ns}:drawing:1.0" office:version="1.2">'
        f"<office:body>{_ODF_BODIES[kind]}</office:body></office:document-content>"
    )
    # ODF requires "mimetype" to be the first member, stored uncompressed
    members = {"mimetype": mimetype, "META-INF/manifest.xml": manifest, "content.xml": content}
    return _zip(members, stored_first=True)


def odt_bytes() -> bytes:
    return _odf("text")


def ods_bytes() -> bytes:
    return _odf("spreadsheet")


def odp_bytes() -> bytes:
    return _odf("presentation")


# --- OLE2 (compound file) ------------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SECTOR = 512
_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_NONE = 0xFFFFFFFF
_STREAM_SIZE = 4096  # at the mini-stream cutoff, so streams live in ordinary sectors and need no mini FAT
MSI_CLSID = "000C1084-0000-0000-C000-000000000046"


def _dir_entry(name: str, kind: int, right: int, child: int, start: int, size: int, clsid: bytes) -> bytes:
    encoded = name.encode("utf-16-le") + b"\x00\x00"
    assert len(encoded) <= 64, name
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)  # 1 = black
        + struct.pack("<III", _NONE, right, child)
        + clsid
        + b"\x00" * 20  # state bits, creation and modification times
        + struct.pack("<IQ", start, size)
    )


def ole_bytes(
    stream_name: str = "WordDocument",
    *more_streams: str,
    storages: tuple[str, ...] = (),
    root_clsid: str | None = None,
) -> bytes:
    """A version-3 compound file whose root holds the given streams (4 KB of filler each) and empty storages."""
    streams = (stream_name, *more_streams)
    entries = [(name, 2) for name in streams] + [(name, 1) for name in storages]
    dir_sectors = (len(entries) + 1 + 3) // 4  # four 128-byte entries per sector, root entry included
    per_stream = _STREAM_SIZE // _SECTOR
    total = 1 + dir_sectors + per_stream * len(streams)
    assert total <= _SECTOR // 4, "one FAT sector maps 128 sectors"

    fat = [_FAT] + [n + 1 for n in range(1, dir_sectors)] + [_END]
    starts = []
    for _ in streams:
        first = len(fat)
        starts.append(first)
        fat += [first + n + 1 for n in range(per_stream - 1)] + [_END]
    fat += [_FREE] * (_SECTOR // 4 - len(fat))

    clsid = uuid.UUID(root_clsid).bytes_le if root_clsid else b"\x00" * 16
    directory = _dir_entry("Root Entry", 5, _NONE, 1 if entries else _NONE, _END, 0, clsid)
    # the root's children are chained through right siblings: a valid (if unbalanced) tree
    for sid, (name, kind) in enumerate(entries, start=1):
        right = sid + 1 if sid < len(entries) else _NONE
        start, size = (starts[sid - 1], _STREAM_SIZE) if kind == 2 else (_END, 0)
        directory += _dir_entry(name, kind, right, _NONE, start, size, b"\x00" * 16)
    # unused directory slots must say "no siblings, no child" rather than point at entry 0
    unused = b"\x00" * 68 + struct.pack("<III", _NONE, _NONE, _NONE) + b"\x00" * 48
    directory += unused * (dir_sectors * 4 - len(entries) - 1)

    header = (
        _OLE_MAGIC
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", _FREE) * 108
    )
    assert len(header) == _SECTOR
    filler = b"".join((name.encode() * _STREAM_SIZE)[:_STREAM_SIZE] for name in streams)
    return header + struct.pack(f"<{_SECTOR // 4}I", *fat) + directory + filler


def doc_bytes() -> bytes:
    return ole_bytes("WordDocument", "1Table")


def xls_bytes() -> bytes:
    return ole_bytes("Workbook")


def ppt_bytes() -> bytes:
    return ole_bytes("PowerPoint Document", "Current User")


def encrypted_office_bytes() -> bytes:
    """How Office stores a .docx/.xlsx/.pptx with an open password: an OLE file around the encrypted zip."""
    return ole_bytes("EncryptedPackage", "EncryptionInfo")


def msi_bytes() -> bytes:
    """A Windows Installer database: an OLE file with the MSI class id on its root."""
    return ole_bytes("Property", root_clsid=MSI_CLSID)


# --- programs and markup -------------------------------------------------------------------------------


def exe_bytes() -> bytes:
    """A DOS stub pointing at a PE header, padded like a real executable's first page."""
    dos = bytearray(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".ljust(0x80, b"\x00"))
    dos[0x3C:0x40] = struct.pack("<I", 0x80)
    pe = b"PE\x00\x00" + struct.pack("<HH", 0x8664, 1)
    return bytes(dos + pe).ljust(1024, b"\x00")


def elf_bytes() -> bytes:
    """A 64-bit little-endian ELF header."""
    return (b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + struct.pack("<HHI", 2, 0x3E, 1)).ljust(128, b"\x00")


def html_bytes() -> bytes:
    return b"<!DOCTYPE html>\n<html><head><title>x</title></head>\n<body><script>alert(1)</script></body></html>\n"


def svg_bytes() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>\n'
    )


# --- text ----------------------------------------------------------------------------------------------


def csv_bytes_utf8(text: str = THAI_TEXT) -> bytes:
    return text.encode("utf-8")


def csv_bytes_cp874(text: str = THAI_TEXT) -> bytes:
    """Thai CSV as Thai Excel on Windows saves it (TIS-620 / Windows-874); not valid UTF-8."""
    return text.encode("cp874")
