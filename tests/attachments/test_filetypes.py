"""What may be attached as evidence is decided by a file's content; the name only says what it must be."""

from __future__ import annotations

import io
import random
import unicodedata

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attachments.filetypes import KINDS, Kind, Refused, clean_name, identify
from tests.attachments import samples

ALL = frozenset(KINDS)
PROGRAM = "ไฟล์นี้เป็นโปรแกรมหรือสคริปต์ ไม่อนุญาตให้แนบ"
MARKUP = "ไฟล์ HTML, SVG หรือ XML อาจมีสคริปต์ที่เป็นอันตราย"
MACRO = "เอกสารนี้มีมาโคร (macro) ไม่อนุญาตให้แนบ"
PASSWORD = "ไฟล์นี้มีรหัสผ่าน ผู้ตรวจเปิดไม่ได้"


@pytest.fixture(autouse=True)
def _thai():
    with translation.override("th"):
        yield


def accept(name: str, data: bytes, allowed=ALL) -> Kind:
    return identify(name, io.BytesIO(data), allowed=allowed)


def refusal(name: str, data: bytes, allowed=ALL) -> str:
    with pytest.raises(Refused) as caught:
        accept(name, data, allowed)
    assert caught.value.message == str(caught.value)
    return caught.value.message


def mismatch(label: str, ext: str, actual: str | None = None) -> str:
    shown = f" (เนื้อหาเป็นไฟล์ {actual})" if actual else ""
    return f"เนื้อหาของไฟล์ไม่ใช่ {label} ตามนามสกุล .{ext}{shown}: ตรวจว่าเลือกไฟล์ถูก"


# --- the catalogue -------------------------------------------------------------------------------------


def test_kinds_are_listed_in_display_order_with_their_labels_extensions_and_download_types():
    assert list(KINDS) == [
        *("pdf", "jpeg", "png", "docx", "xlsx", "pptx", "doc", "xls", "ppt"),
        *("odt", "ods", "odp", "txt", "csv"),
    ]
    assert KINDS["jpeg"] == Kind("jpeg", "JPEG", ("jpg", "jpeg"), "image/jpeg")
    assert KINDS["txt"].label == "ข้อความ (.txt)" and KINDS["txt"].mime == "text/plain"
    assert KINDS["csv"].mime == "text/csv"
    assert KINDS["docx"].mime == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    for code, kind in KINDS.items():
        assert kind.code == code
        assert all(ext == ext.lower() and not ext.startswith(".") for ext in kind.extensions)


# --- accepted ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "code"),
    [
        ("รายงาน.pdf", samples.pdf_bytes, "pdf"),
        ("photo.jpg", samples.jpeg_bytes, "jpeg"),
        ("PHOTO.JPG", samples.jpeg_bytes, "jpeg"),
        ("photo.jpeg", samples.jpeg_bytes, "jpeg"),
        ("chart.png", samples.png_bytes, "png"),
        ("report.docx", samples.docx_bytes, "docx"),
        ("scores.xlsx", samples.xlsx_bytes, "xlsx"),
        ("slides.pptx", samples.pptx_bytes, "pptx"),
        ("old.doc", samples.doc_bytes, "doc"),
        ("old.xls", samples.xls_bytes, "xls"),
        ("excel95.xls", lambda: samples.ole_bytes("Book"), "xls"),
        ("old.ppt", samples.ppt_bytes, "ppt"),
        ("report.odt", samples.odt_bytes, "odt"),
        ("scores.ods", samples.ods_bytes, "ods"),
        ("slides.odp", samples.odp_bytes, "odp"),
        ("notes.txt", samples.csv_bytes_utf8, "txt"),
        ("scores.csv", samples.csv_bytes_utf8, "csv"),
    ],
)
def test_each_kind_is_accepted_with_its_own_extension(name, make, code):
    assert accept(name, make()) is KINDS[code]


def test_a_pdf_with_a_little_junk_before_its_header_is_accepted_as_acrobat_does():
    assert accept("scan.pdf", b"\r\n\r\n" + b"x" * 1000 + samples.pdf_bytes()).code == "pdf"


def test_a_pdf_header_too_far_into_the_file_is_not_a_pdf():
    # what is left reads as (Thai) text, and the message says so
    message = refusal("scan.pdf", b"x" * 1025 + samples.pdf_bytes())
    assert mismatch("PDF", "pdf", "ข้อความ (.txt)") in message


def test_a_png_that_merely_contains_a_pdf_header_is_not_a_pdf():
    assert mismatch("PDF", "pdf", "PNG") in refusal("x.pdf", samples.png_bytes() + samples.pdf_bytes())


def test_the_uploaded_name_is_cleaned_before_its_extension_is_read():
    assert accept("C:\\Users\\สมชาย\\รายงาน.PDF\u202e", samples.pdf_bytes()).code == "pdf"


def test_allowed_may_be_any_iterable_of_codes_and_unknown_codes_are_ignored():
    assert accept("a.png", samples.png_bytes(), allowed=(c for c in ["png", "gif"])).code == "png"


# --- programs and markup -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["manual.pdf", "report.docx", "readme.txt", "photo.jpg"])
def test_a_renamed_windows_executable_is_refused_as_a_program(name):
    assert PROGRAM in refusal(name, samples.exe_bytes())


def test_an_elf_binary_is_refused_as_a_program():
    assert PROGRAM in refusal("data.csv", samples.elf_bytes())


@pytest.mark.parametrize(
    "magic",
    [b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"],
)
def test_mach_o_binaries_and_java_classes_are_refused_as_programs(magic):
    assert PROGRAM in refusal("a.pdf", magic + b"\x00" * 4000)


def test_a_shebang_script_named_txt_is_refused_as_a_program():
    assert PROGRAM in refusal("notes.txt", b"#!/bin/sh\nrm -rf ~\n")


def test_a_windows_installer_named_doc_is_refused_as_a_program():
    assert PROGRAM in refusal("form.doc", samples.msi_bytes())


def test_html_is_refused_by_its_extension_and_as_markup_under_any_other_name():
    assert "ไม่รับไฟล์ชนิด .html: แนบได้เฉพาะ" in refusal("page.html", samples.html_bytes())
    assert MARKUP in refusal("page.txt", samples.html_bytes())
    assert MARKUP in refusal("page.pdf", samples.html_bytes())


def test_markup_is_found_after_a_bom_and_whitespace_in_any_case_and_in_utf16():
    assert MARKUP in refusal("a.txt", b"\xef\xbb\xbf \r\n\t<HTML><BODY>x</BODY></HTML>")
    assert MARKUP in refusal("a.txt", "\ufeff  <iframe src=x>".encode("utf-16-le"))
    assert MARKUP in refusal("a.csv", "<Object data=x>".encode("utf-16"))


def test_text_that_only_starts_with_an_angle_bracket_is_still_text():
    assert accept("a.csv", "<5 ปี,ร้อยละ\n10,20\n".encode()).code == "csv"


def test_svg_is_refused_by_its_extension_and_as_markup_when_renamed_png():
    assert "ไม่รับไฟล์ชนิด .svg" in refusal("logo.svg", samples.svg_bytes())
    assert MARKUP in refusal("logo.png", samples.svg_bytes())


# --- content that is not what the name says ------------------------------------------------------------


def test_a_png_renamed_to_pdf_is_refused_and_says_what_it_is():
    assert mismatch("PDF", "pdf", "PNG") in refusal("report.pdf", samples.png_bytes())


def test_a_png_named_jpg_is_refused_and_says_it_is_a_png():
    assert mismatch("JPEG", "jpg", "PNG") in refusal("photo.jpg", samples.png_bytes())


def test_a_plain_zip_renamed_docx_is_refused_and_says_it_is_a_zip():
    assert mismatch("Word (.docx)", "docx", "ZIP") in refusal("report.docx", samples.zip_bytes())


def test_a_real_pdf_named_docx_is_refused_rather_than_accepted_as_a_pdf():
    assert mismatch("Word (.docx)", "docx", "PDF") in refusal("report.docx", samples.pdf_bytes())


def test_a_docx_named_xlsx_is_refused_and_says_it_is_word():
    assert mismatch("Excel (.xlsx)", "xlsx", "Word (.docx)") in refusal("scores.xlsx", samples.docx_bytes())


def test_an_odt_named_ods_is_refused_and_says_what_it_is():
    message = refusal("scores.ods", samples.odt_bytes())
    assert mismatch("OpenDocument Spreadsheet (.ods)", "ods", "OpenDocument Text (.odt)") in message


def test_an_old_word_file_named_xls_is_refused_and_says_it_is_word():
    message = refusal("a.xls", samples.doc_bytes())
    assert mismatch("Excel 97-2003 (.xls)", "xls", "Word 97-2003 (.doc)") in message


def test_an_ole_file_without_a_document_stream_is_not_a_doc():
    assert mismatch("Word 97-2003 (.doc)", "doc") in refusal("a.doc", samples.ole_bytes("Contents"))


def test_a_text_file_named_pdf_is_refused_and_says_it_is_text():
    assert mismatch("PDF", "pdf", "ข้อความ (.txt)") in refusal("a.pdf", samples.csv_bytes_utf8())


def test_other_binary_content_is_named_by_its_signature():
    assert mismatch("PDF", "pdf", "GIF") in refusal("a.pdf", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.docx", samples.docx_bytes()[:200]),
        ("a.docx", b"PK\x03\x04" + b"\xff" * 3000),
        ("a.odt", samples.odt_bytes()[:-30]),
        ("a.doc", samples.doc_bytes()[:1600]),
        ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 4000),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000),
        ("a.pdf", b""),
        ("a.png", b"\x89PNG"),
    ],
)
def test_corrupt_or_truncated_files_are_refused_as_mismatches_not_crashes(name, data):
    assert "เนื้อหาของไฟล์ไม่ใช่" in refusal(name, data)


# --- macros and passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report.docx", "report.xlsx", "report.pptx"])
def test_an_office_file_carrying_a_vba_project_is_refused_for_its_macro(name):
    assert MACRO in refusal(name, samples.docm_like_bytes())


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("old.doc", samples.ole_bytes("WordDocument", storages=("Macros",))),
        ("old.xls", samples.ole_bytes("Workbook", storages=("_VBA_PROJECT_CUR",))),
    ],
)
def test_an_old_office_file_with_a_macro_storage_is_refused_for_its_macro(name, data):
    assert MACRO in refusal(name, data)


@pytest.mark.parametrize("name", ["secret.docx", "secret.xlsx", "secret.pptx", "secret.doc"])
def test_a_password_protected_office_file_is_refused_because_reviewers_cannot_open_it(name):
    assert PASSWORD in refusal(name, samples.encrypted_office_bytes())


# --- what the administrator allows ---------------------------------------------------------------------


def test_a_kind_not_allowed_is_refused_even_with_correct_content_and_lists_only_allowed_labels():
    message = refusal("scores.xlsx", samples.xlsx_bytes(), allowed={"png", "pdf", "csv"})
    assert message == "ไม่รับไฟล์ชนิด .xlsx: แนบได้เฉพาะ PDF, PNG, CSV (.csv)"


def test_a_name_without_an_extension_is_refused_and_gives_an_example():
    message = refusal("รายงาน", samples.pdf_bytes(), allowed={"txt", "pdf"})
    assert message == "ไฟล์ต้องมีนามสกุล เช่น .pdf: แนบได้เฉพาะ PDF, ข้อความ (.txt)"


def test_a_jpeg_is_refused_when_only_png_is_allowed():
    assert "ไม่รับไฟล์ชนิด .jpg: แนบได้เฉพาะ PNG" in refusal("a.jpg", samples.jpeg_bytes(), allowed={"png"})


def test_messages_are_translated_with_their_placeholders_filled():
    with translation.override("en"):
        message = refusal("a.exe", b"", allowed={"pdf"})
    assert ".exe" in message and "PDF" in message and "%(" not in message


# --- text ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(samples.csv_bytes_utf8(), id="utf-8"),
        pytest.param(b"\xef\xbb\xbf" + samples.csv_bytes_utf8(), id="utf-8 with BOM"),
        pytest.param(samples.csv_bytes_cp874(), id="cp874 from Thai Excel"),
        pytest.param(samples.THAI_TEXT.encode("utf-16"), id="utf-16 with BOM"),
        pytest.param(b"\xfe\xff" + samples.THAI_TEXT.encode("utf-16-be"), id="utf-16 big-endian with BOM"),
        pytest.param("BMI,น้ำหนัก,ส่วนสูง\n22.5,60,163\n".encode(), id="starts like a BMP signature"),
        pytest.param(b"", id="empty"),
    ],
)
def test_thai_csv_in_the_encodings_thai_offices_use_is_accepted(data):
    assert accept("ผลการดำเนินงาน.csv", data).code == "csv"


def test_a_long_text_is_accepted_even_when_a_thai_character_straddles_a_read_chunk():
    data = ("ก" + "ข" * 70_000).encode()  # 3-byte characters: 64 KB chunk boundaries fall inside them
    assert accept("long.txt", data).code == "txt"


def test_a_text_with_a_nul_byte_is_refused():
    assert mismatch("ข้อความ (.txt)", "txt") in refusal("a.txt", b"hello\x00world\n")


def test_a_nul_byte_far_past_the_first_chunk_is_still_found():
    assert "เนื้อหาของไฟล์ไม่ใช่" in refusal("a.txt", b"a" * 200_000 + b"\x00" + b"b" * 10)


def test_utf16_text_holding_a_nul_character_is_refused():
    assert "เนื้อหาของไฟล์ไม่ใช่" in refusal("a.txt", "ab\x00cd".encode("utf-16"))


def test_random_bytes_named_csv_are_refused():
    noise = random.Random(2569).randbytes(4096)
    assert mismatch("CSV (.csv)", "csv") in refusal("a.csv", noise)


def test_bytes_that_are_neither_utf8_nor_thai_are_refused_even_without_nul():
    assert "เนื้อหาของไฟล์ไม่ใช่ CSV (.csv)" in refusal("a.csv", bytes(range(1, 256)))


def test_a_truncated_utf16_text_is_refused():
    assert "เนื้อหาของไฟล์ไม่ใช่" in refusal("a.txt", "ตัวชี้วัด".encode("utf-16")[:-1])


# --- the file object -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.pdf", samples.pdf_bytes()),
        ("a.docx", samples.docx_bytes()),
        ("a.doc", samples.doc_bytes()),
        ("a.csv", samples.csv_bytes_cp874()),
        ("a.pdf", samples.png_bytes()),
        ("a.docx", samples.docm_like_bytes()),
        ("a.txt", samples.exe_bytes()),
        ("a.txt", b"x" * 100_000 + b"\x00"),
        ("a.exe", samples.exe_bytes()),
    ],
)
def test_the_file_is_read_from_the_start_and_left_at_position_zero(name, data):
    fileobj = io.BytesIO(data)
    fileobj.seek(len(data) // 2)
    try:
        identify(name, fileobj, allowed=ALL)
    except Refused:
        pass
    assert fileobj.tell() == 0
    assert not fileobj.closed


# --- clean_name ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\สมชาย\\Desktop\\รายงาน.pdf", "รายงาน.pdf"),
        ("../../etc/passwd", "passwd"),
        ("รายงานผล ไตรมาส ๒.pdf", "รายงานผล ไตรมาส ๒.pdf"),
        ("report\u202efdp.exe", "reportfdp.exe"),
        ("a\x00b\nc\td\u200be.pdf", "abcde.pdf"),
        ("  ผล   การ\u00a0 ดำเนินงาน  .pdf  ", "ผล การ ดำเนินงาน.pdf"),
        ("...", "ไฟล์แนบ"),
        ("..", "ไฟล์แนบ"),
        ("", "ไฟล์แนบ"),
        ("\u202e\u200b", "ไฟล์แนบ"),
        (".pdf", "ไฟล์แนบ.pdf"),
        ("report.pdf...", "report.pdf"),
        ("archive.tar.gz", "archive.tar.gz"),
    ],
)
def test_clean_name_keeps_a_safe_readable_last_component(raw, clean):
    assert clean_name(raw) == clean


def test_clean_name_composes_decomposed_thai_and_latin_from_macos():
    decomposed = unicodedata.normalize("NFD", "รายงานคำรับรอง Café.pdf")
    assert decomposed != "รายงานคำรับรอง Café.pdf"
    assert clean_name(decomposed) == "รายงานคำรับรอง Café.pdf"


def test_clean_name_truncates_a_long_stem_to_200_characters_and_keeps_the_extension():
    cleaned = clean_name("ก" * 300 + ".pdf")
    assert len(cleaned) == 200
    assert cleaned == "ก" * 196 + ".pdf"


def test_clean_name_cuts_an_overlong_name_without_a_real_extension_to_200_characters():
    assert clean_name("x" * 300) == "x" * 200
    assert len(clean_name("a." + "b" * 300)) == 200


# --- any bytes at all ----------------------------------------------------------------------------------

KNOWN_EXTENSIONS = sorted({ext for kind in KINDS.values() for ext in kind.extensions})
SAMPLES = [
    samples.pdf_bytes(),
    samples.png_bytes(),
    samples.jpeg_bytes(),
    samples.docx_bytes(),
    samples.odt_bytes(),
    samples.doc_bytes(),
    samples.encrypted_office_bytes(),
    samples.csv_bytes_cp874(),
    samples.THAI_TEXT.encode("utf-16"),
]


@st.composite
def contents(draw: st.DrawFn) -> bytes:
    """Arbitrary bytes, or a real sample truncated and with a few bytes overwritten, to reach every parser."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=2048))
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    data = data[: draw(st.integers(0, len(data)))]
    for _ in range(draw(st.integers(0, 4))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=contents(), ext=st.sampled_from([*KNOWN_EXTENSIONS, "exe", "html", "svg", "zip", ""]))
def test_any_bytes_under_any_extension_give_a_matching_kind_or_a_refusal(data, ext):
    name = f"ไฟล์.{ext}" if ext else "ไฟล์"
    fileobj = io.BytesIO(data)
    try:
        kind = identify(name, fileobj, allowed=ALL)
    except Refused as refused:
        assert refused.message
    else:
        assert ext in kind.extensions
    assert fileobj.tell() == 0
