"""Printable pages as PDF (reports/pdf.py, templates/reports/print_base.html)."""

from __future__ import annotations

import ast
import importlib.abc
import io
import os
import re
import socket
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from reports import charts, pdf_text
from reports.pdf import (
    RefusedURL,
    content_disposition,
    pdf_response,
    static_file_for_url,
    static_files_fetcher,
)

TEMPLATES_DIR = Path(__file__).parent / "templates"
ORIGIN = "http://testserver/"
HEADING = "แบบรายงานผลการดำเนินงานตามตัวชี้วัด"
SENTENCE = "ผู้ใหญ่บ้านน้ำใจดี ตรวจสอบข้อมูลที่นี่แล้ว"


@pytest.fixture(autouse=True)
def _print_templates(settings):
    """The test templates (tests/reports/templates) next to the project's, in Thai."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES_DIR]}]
    with translation.override("th"):
        yield


@pytest.fixture
def request_(rf):
    request = rf.get("/reports/print/")
    request.user = AnonymousUser()
    return request


def sample_context(rows: int = 3) -> dict:
    return {
        "office_name": "สพป.เชียงใหม่ เขต 1",
        "rows": [
            {"name": f"ตัวชี้วัดที่ {i} ร้อยละของผู้เรียน & <ผ่านเกณฑ์>", "status": "รับรองผล", "weight": "5.00", "score": "4.12345"}
            for i in range(1, rows + 1)
        ],
        "chart": charts.histogram([Decimal("1.5"), Decimal("4.25")], label="การกระจายของคะแนน"),
    }


def bare(text: str) -> str:
    """The text without its spaces and line breaks, and nothing else: text extraction breaks lines where the
    PDF does, so only whitespace may differ; every Thai letter, vowel and tone mark must be the one printed."""
    return "".join(ch for ch in text if not ch.isspace())


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def fonts_of(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_it_makes_an_a4_pdf_with_the_thai_text_in_sarabun(request_):
    response = pdf_response(request_, "reports_test/print_sample.html", sample_context(), filename="scorecard.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    reader = read(response.content)
    text = reader.pages[0].extract_text()
    for expected in (HEADING, SENTENCE, "สพป.เชียงใหม่ เขต 1", "ร้อยละของผู้เรียน & <ผ่านเกณฑ์>", "4.12345"):
        assert bare(expected) in bare(text)
    assert "รายงานทดสอบ" == reader.metadata.title
    # A4 portrait: 595 × 842 points.
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    fonts = fonts_of(reader)
    assert fonts and all(re.fullmatch(r"/[A-Z]{6}\+Sarabun-(Thai|Latin)(-Semi-Bold|-Bold)?", name) for name in fonts)
    assert any("Sarabun-Thai" in name for name in fonts) and any("Sarabun-Latin" in name for name in fonts)


# Sara am alone, after a tone mark and after sara aa; sara aa before and after it; tone marks small, narrow and
# on a nikhahit; ญ and ฐ without their tails; ฤๅ; Thai digits. In an order where the first use of a glyph is
# the hard case (a glyph's text in a PDF is one for the whole file).
THAI = [
    "น้ำหนัก", "ความสำเร็จ", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเชียงใหม่ เขต ๑", "กำหนดการ ทำงาน",
    "ผู้ใหญ่บ้านน้ำใจดี", "คะแนนถ่วงน้ำหนัก", "ค่ำคืน ซ้ำซ้อน ล้ำหน้า กล่ำ", "ปู่ ป้า ฝ้าย ฟ้อง ปั้น ฟื้นฟู",
    "ญาติ ฐานะ กตัญญู ฤๅษี ฦๅ", "ร้อยละ ๙๕.๕ ของผู้เรียน", "ทั้งนี้ ที่นี่ นั้น น้ำ", "อำนาจ อำเภอ จำนวน คำรับรอง",
]


def test_the_text_layer_is_the_thai_that_was_printed(request_):
    """Copy, search and screen readers get the Thai letters, vowels and tone marks that were printed, in every
    weight: only the whitespace may differ."""
    response = pdf_response(request_, "reports_test/print_thai.html", {"words": THAI}, filename="x.pdf")
    lines = [line for page in read(response.content).pages for line in page.extract_text().split("\n")]
    for word in THAI:
        assert bare(word) in [bare(line) for line in lines], word
    text = bare("".join(lines))
    assert text.count(bare(" ".join(THAI))) == 3  # line by line, then in bold and in semi-bold
    assert "\u0e4d" not in text and "\x00" not in text


def test_every_glyph_of_the_thai_faces_reads_as_its_text():
    """Sarabun Thai as embedded: sara am's sara aa is a glyph of its own that reads ำ; nikhahit reads as nothing
    (it is the top of ำ); the narrow and small marks and the ligatures read as their letters."""
    for weight in (400, 600, 700):
        source = (Path(settings_static()) / f"sarabun-thai-{weight}-normal.woff2").read_bytes()
        font = TTFont(io.BytesIO(pdf_text.pdf_font(source)))
        texts = pdf_text.glyph_texts(pdf_text.pdf_font(source))
        by_name = {font.getGlyphName(gid): text for gid, text in texts.items()}
        assert by_name["uni0E32.am"] == "ำ" and by_name["uni0E32"] == "า" and by_name["uni0E4D"] == ""
        assert by_name["uni0E4D0E49"] == by_name["uni0E4D0E49.narrow"] == by_name["uni0E49.small"] == "้"
        assert by_name["yoYingthai.less"] == "ญ" and by_name["uni0E240E45"] == "ฤๅ"
        assert {name for name in font.getGlyphOrder() if name not in by_name} <= {".notdef", "NULL", "nonmarkingreturn"}
    assert pdf_text.pdf_font(b"not a font") == b"not a font"
    latin = (Path(settings_static()) / "sarabun-latin-400-normal.woff2").read_bytes()
    assert pdf_text.pdf_font(latin) is latin and pdf_text.glyph_texts(latin) == {}


def settings_static() -> str:
    return static_file_for_url(f"{ORIGIN}static/vendor/sarabun/LICENSE", origin=ORIGIN).rsplit("/", 1)[0]


# Every view that answers with pdf_response, and the test that compares its PDF's text with what it printed.
PDF_VIEWS = {
    ("reports/views.py", "scorecard_pdf"):
        "tests/reports/test_reports_views.py::TestPrint::test_the_pdf_text_is_the_thai_that_was_printed",
    ("reports/views.py", "handbook_pdf"): "tests/reports/test_handbook.py::test_the_pdf_is_the_handbook_named_by_code_and_year",
}


def test_every_pdf_the_app_makes_has_its_text_checked():
    root = Path(__file__).resolve().parents[2]
    callers = set()
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(("tests/", ".venv/", "var/")) or "/migrations/" in relative:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                isinstance(call, ast.Call) and getattr(call.func, "id", getattr(call.func, "attr", None)) == "pdf_response"
                for call in ast.walk(node)
            ):
                callers.add((relative, node.name))
    callers.discard(("reports/pdf.py", "pdf_response"))
    assert callers == set(PDF_VIEWS), "add a text-layer test for each PDF view (see PDF_VIEWS)"
    for test in PDF_VIEWS.values():
        file, *names = test.split("::")
        assert f"def {names[-1]}(" in (root / file).read_text(encoding="utf-8"), test


def test_long_tables_repeat_their_header_and_pages_are_numbered(request_):
    response = pdf_response(request_, "reports_test/print_sample.html", sample_context(rows=70), filename="x.pdf")
    reader = read(response.content)
    total = len(reader.pages)
    assert total >= 3
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert bare("ตัวชี้วัด") in bare(text) and bare("น้ำหนัก") in bare(text), f"no table header on page {number}"
        assert bare(f"หน้า {number} จาก {total}") in bare(text)
    # Every row is printed once, whole (a row split across pages would show its name twice or in halves).
    everything = bare("".join(page.extract_text() for page in reader.pages))
    for i in (1, 35, 70):
        assert everything.count(bare(f"ตัวชี้วัดที่ {i} ร้อยละ")) == 1


def test_the_download_headers(request_):
    response = pdf_response(request_, "reports_test/print_sample.html", sample_context(), filename="ผลคะแนน สพป. 2568.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"2568.pdf\"; filename*=UTF-8''"
        "%E0%B8%9C%E0%B8%A5%E0%B8%84%E0%B8%B0%E0%B9%81%E0%B8%99%E0%B8%99%20"
        "%E0%B8%AA%E0%B8%9E%E0%B8%9B.%202568.pdf"
    )


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("scorecard-2568.pdf", "attachment; filename=\"scorecard-2568.pdf\"; filename*=UTF-8''scorecard-2568.pdf"),
        ("ผลคะแนน.pdf", "attachment; filename=\"report.pdf\"; "
                       "filename*=UTF-8''%E0%B8%9C%E0%B8%A5%E0%B8%84%E0%B8%B0%E0%B9%81%E0%B8%99%E0%B8%99.pdf"),
        ('a"b\r\nSet-Cookie: x.pdf',
         "attachment; filename=\"a-b-Set-Cookie-x.pdf\"; filename*=UTF-8''a%22b-Set-Cookie%3A%20x.pdf"),
        ("../../etc/passwd", "attachment; filename=\"etc-passwd\"; filename*=UTF-8''..-..-etc-passwd"),
    ],
)
def test_content_disposition_has_an_ascii_fallback_and_the_real_name(filename, expected):
    assert content_disposition(filename) == expected


def test_static_files_are_read_from_disk():
    path = static_file_for_url(f"{ORIGIN}static/vendor/sarabun/sarabun-thai-400-normal.woff2", origin=ORIGIN)
    assert os.path.isfile(path) and path.endswith("sarabun-thai-400-normal.woff2")
    fetched = static_files_fetcher(origin=ORIGIN).fetch(f"{ORIGIN}static/css/print.css")
    assert b"@page" in fetched.read()
    assert fetched.content_type == "text/css"


def test_static_files_come_from_static_root_after_collectstatic(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "print.0123abcd.css").write_text("@page {}")
    assert static_file_for_url(f"{ORIGIN}static/css/print.0123abcd.css", origin=ORIGIN) == str(
        tmp_path / "css" / "print.0123abcd.css"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/static/css/print.css",  # another host
        "https://testserver/static/css/print.css",  # another scheme
        "file:///etc/passwd",
        "ftp://testserver/static/css/print.css",
        "http://testserver/media/evidence.pdf",  # evidence files are never read this way
        "http://testserver/static/../krs/settings.py",
        "http://testserver/static/%2e%2e/krs/settings.py",
        "http://testserver/static//etc/passwd",
        "http://testserver/static/no-such-file.css",
    ],
)
def test_every_other_url_is_refused(url):
    with pytest.raises(RefusedURL):
        static_file_for_url(url, origin=ORIGIN)
    with pytest.raises(RefusedURL):
        static_files_fetcher(origin=ORIGIN).fetch(url)


def test_making_a_pdf_never_opens_a_connection(request_, monkeypatch, settings):
    """A page that links an outside stylesheet and image still prints, without asking the network."""
    connections = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connections.append(a) or 1 / 0)
    monkeypatch.setattr(socket.socket, "connect", lambda self, *a: connections.append(a) or 1 / 0)
    response = pdf_response(request_, "reports_test/print_external.html", {}, filename="x.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert connections == []
    assert bare("ภายนอก") in bare(read(response.content).pages[0].extract_text())


class _NoPango(importlib.abc.MetaPathFinder):
    """Imports of weasyprint fail the way they do on a machine without the Pango library."""

    def find_spec(self, name, path=None, target=None):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return None


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["library missing", "package missing"])
def test_without_pango_it_answers_a_thai_page_not_a_traceback(request_, monkeypatch, caplog, how):
    for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
        monkeypatch.delitem(sys.modules, name)
    if how == "library missing":
        monkeypatch.setattr(sys, "meta_path", [_NoPango(), *sys.meta_path])
    else:
        monkeypatch.setitem(sys.modules, "weasyprint", None)
    response = pdf_response(request_, "reports_test/print_sample.html", sample_context(), filename="x.pdf")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "ยังสร้างไฟล์ PDF ไม่ได้" in page and "Ctrl+P" in page
    assert "Traceback" not in page and "libpango" not in page
    assert any("PDF unavailable" in r.getMessage() for r in caplog.records)
