"""The office import reads what people mean: Thai-digit codes, title rows, .ods; refuses dates in the phone column."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from krs.imports import offices_import_preview
from krs.models import Office
from krs.spreadsheets import normalise_code

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("typed", "code"), [
    ("๓๕๐๑", "3501"),      # Thai digits
    ("３５０１", "3501"),    # a full-width IME
    (" 35 01\u200b", "3501"),  # spaces and an invisible character pasted from the web
    ("B-LAW", "B-LAW"),     # letters stay as they are
])
def test_an_office_code_is_read_as_the_person_means_it(typed, code):
    assert normalise_code(typed) == code


def test_an_office_code_in_thai_digits_updates_that_office_instead_of_creating_one():
    Office.objects.create(code="3501", name_th="สพป.เดิม", kind=Office.Kind.PRIMARY)
    content = "\r\n".join(["office_code,office_name_th,office_kind", "๓๕๐๑,สพป.ใหม่ เขต 1,สพป."]).encode("utf-8")
    preview = offices_import_preview(content=content)
    assert preview.is_valid, [str(e) for e in preview.errors]
    assert (preview.offices_new, preview.offices_updated) == (0, 1)
    assert preview.rows[0].office_code == "3501"


def test_a_date_cell_in_the_phone_column_is_refused_with_row_and_column():
    # Excel turns 02-12-2567 typed into a General cell into a date; it must never be stored as a phone.
    content = xlsx([["office_code", "office_name_th", "office_kind", "username", "email", "role", "phone"],
                    ["1101", "สพป.น่าน เขต 1", "สพป.", "nan1", "nan1@obec.go.th", "ผู้รายงานผล", dt.datetime(2567, 12, 2)],
                    ["1101", "", "", "nan2", "nan2@obec.go.th", "ผู้รายงานผล", "081-234-5678 ต่อ 12"]])
    preview = offices_import_preview(content=content)
    assert [(e.row, e.column) for e in preview.errors] == [(2, "phone")]
    assert "เป็นวันที่ ไม่ใช่เบอร์โทรศัพท์" in preview.errors[0].message
    assert preview.rows[1].values["phone"] == "081-234-5678 ต่อ 12"


@pytest.mark.parametrize(("phone", "accepted"), [
    ("02-288-5511", True),
    ("๐๘๑-๒๓๔-๕๖๗๘", True),          # Thai digits are read as digits
    ("+66 81 234 5678", True),
    ("054-000001, 081-234-5678", True),  # two numbers
    ("02-288-5511 ext. 9", True),
    ("2/12/2567", False),             # a date Excel wrote as text into a CSV
    ("2567-12-02", False),            # an ISO date: too few digits for a Thai number
    ("สอบถามที่เขต", False),
])
def test_a_phone_cell_must_be_a_phone_number(phone, accepted):
    content = "\r\n".join(["office_code,office_name_th,office_kind,username,email,role,phone",
                           f'1101,สพป.น่าน เขต 1,สพป.,nan1,nan1@obec.go.th,ผู้รายงานผล,"{phone}"']).encode("utf-8")
    preview = offices_import_preview(content=content)
    assert preview.is_valid is accepted, [str(e) for e in preview.errors]
    if not accepted:
        assert [(e.row, e.column) for e in preview.errors] == [(2, "phone")]


def test_a_title_row_above_the_header_is_skipped():
    content = xlsx([["รายชื่อหน่วยงานและผู้ใช้ ปีงบประมาณ 2569"], [],
                    ["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "ประเภทหน่วยงาน"], ["1101", "สพป.น่าน เขต 1", "สพป."]])
    preview = offices_import_preview(content=content)
    assert preview.is_valid, [str(e) for e in preview.errors]
    assert [row.number for row in preview.rows] == [4]


def test_a_libreoffice_ods_is_read():
    # The central-data fixture saved by LibreOffice: its office code column is the same header.
    preview = offices_import_preview(content=(DATA / "central-title-row.ods").read_bytes())
    assert not any("ไฟล์เสียหาย" in str(e) for e in preview.errors)
    assert [row.office_code for row in preview.rows] == ["1001", "2001"]


# --- The ODS reader on hostile or padded files ----------------------------------------------------------

ODS_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>{doctype}<office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
            '<table:table table:name="a">')
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def ods(rows: str, doctype: str = "") -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", ODS_HEAD.format(doctype=doctype) + rows + ODS_TAIL)
    return buffer.getvalue()


def cell(text: str, repeat: int = 1) -> str:
    return f'<table:table-cell table:number-columns-repeated="{repeat}"><text:p>{text}</text:p></table:table-cell>'


def test_an_ods_with_entities_is_refused_as_damaged_not_expanded():
    from krs.spreadsheets import SpreadsheetError, read_table

    bomb = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    with pytest.raises(SpreadsheetError, match="ODS"):
        read_table(ods(f"<table:table-row>{cell('&b;')}</table:table-row>", bomb), max_bytes=10**6, max_rows=10)


def test_an_ods_padded_to_the_sheets_limits_reads_only_its_cells():
    from krs.spreadsheets import read_table

    rows = (f"<table:table-row>{cell('office_code')}{cell('office_name_th')}<table:table-cell "
            'table:number-columns-repeated="16382"/></table:table-row>'
            f"<table:table-row>{cell('1101')}{cell('สพป.น่าน')}</table:table-row>"
            '<table:table-row table:number-rows-repeated="1048574"><table:table-cell '
            'table:number-columns-repeated="16384"/></table:table-row>')
    table = read_table(ods(rows), max_bytes=10**6, max_rows=10)
    assert table.headers == ["office_code", "office_name_th"] and table.rows == [(2, ["1101", "สพป.น่าน"])]


def test_an_ods_row_repeated_past_the_row_limit_is_refused():
    from krs.spreadsheets import SpreadsheetError, read_table

    rows = f'<table:table-row table:number-rows-repeated="1000000">{cell("x")}</table:table-row>'
    with pytest.raises(SpreadsheetError, match="เกิน"):
        read_table(ods(rows), max_bytes=10**6, max_rows=100)
