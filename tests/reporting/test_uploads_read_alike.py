"""The office import and the central-data upload read a file the same way (krs.spreadsheets.read_upload).

The cases are those where the two used to differ, and a few where they always agreed; both uploads now
read each as the case says.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from krs.imports import offices_import_preview
from tests.reporting.factories import open_world
from tests.reporting.test_central_files import csv_made, parse

pytestmark = pytest.mark.django_db
DUPLICATE = "ซ้ำกับคอลัมน์"
BEYOND = "มีข้อมูลเกินจำนวนคอลัมน์ของหัวตาราง"


@pytest.fixture
def world(district, other_district, bureau):
    return open_world(bureau=bureau)


def workbook(rows: list[list], number_format: str | None = None) -> bytes:
    """An XLSX; ``number_format`` on the last cell of the second row (the value under test)."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    if number_format:
        book.active.cell(row=2, column=len(rows[1])).number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def office_file(header: list[str], row: list, **kwargs) -> bytes:
    return workbook([header, row], **kwargs)


@pytest.mark.parametrize(("value", "number_format", "text"), [
    pytest.param(1001.0, None, "1001", id="a whole number has no .0"),
    pytest.param(0.00001, None, "0.00001", id="a small number is written out, not as 1e-05"),
    pytest.param(0.85, "0%", "85%", id="a percentage reads as the spreadsheet shows it, not 0.85"),
    pytest.param(True, None, "TRUE", id="a logical cell reads as Excel shows it"),
    pytest.param(" 12 \u2060", None, "12", id="spaces and invisible characters around text are trimmed"),
    pytest.param("\u2060\u200b", None, "", id="a cell of invisible characters only is blank"),
    pytest.param(dt.datetime(2026, 4, 30), None, "2026-04-30T00:00:00", id="a date in ISO form"),
])
def test_a_cell_reads_the_same_in_both_uploads(world, district, value, number_format, text):
    offices = offices_import_preview(content=office_file(
        ["office_code", "office_name_th", "office_kind", "office_short_name"], ["1101", "สพป.น่าน เขต 1", "สพป.", value],
        number_format=number_format))
    central = parse(world, office_file(["รหัสหน่วยงาน", "B", "A"], [district.code, 100, value],
                                       number_format=number_format))
    assert offices.rows[0].values["office_short_name"] == text
    assert central.rows[0].typed["A"] == text


@pytest.mark.parametrize("header", [
    pytest.param(" Office-Code ", id="English in any case, with spaces and punctuation"),
    pytest.param("รหัส\u2060หน่วยงาน", id="Thai with a word joiner pasted from Word"),
    pytest.param("รหัส\u200cหน่วยงาน", id="Thai with a zero-width non-joiner"),
])
def test_the_office_code_column_is_found_by_the_same_names(world, district, header):
    offices = offices_import_preview(content=csv_made([[header, "office_name_th", "office_kind"],
                                                       ["1101", "สพป.น่าน เขต 1", "สพป."]]))
    central = parse(world, csv_made([[header, "A", "B"], [district.code, "90", "100"]]))
    assert offices.is_valid, [str(e) for e in offices.errors]
    assert central.is_valid, [str(e) for e in central.errors]
    assert offices.rows[0].office_code == "1101" and central.rows[0].office_code == district.code


def test_the_office_code_column_given_twice_by_two_names_is_an_error_in_both(world, district):
    offices = offices_import_preview(content=csv_made([["รหัส", "office_code", "office_name_th", "office_kind"],
                                                       ["1101", "1102", "สพป.น่าน เขต 1", "สพป."]]))
    central = parse(world, csv_made([["รหัส", "office_code", "A", "B"], [district.code, "9999", "90", "100"]]))
    for upload in (offices, central):
        assert [(issue.row, DUPLICATE in issue.message) for issue in upload.errors] == [(1, True)]
        assert "office_code" in upload.errors[0].message and "รหัส" in upload.errors[0].message


def test_a_cell_right_of_the_last_header_is_an_error_in_both(world, district):
    """An unquoted "1,250" in a comma CSV becomes two cells and moves every later one on."""
    offices = offices_import_preview(content="office_code,office_name_th,office_kind\r\n1101,สพป.น่าน เขต 1,สพป.,x\r\n".encode())
    central = parse(world, f"รหัสหน่วยงาน,A,B\r\n{district.code},1,250,100\r\n".encode())
    for upload in (offices, central):
        assert [(issue.row, BEYOND in issue.message) for issue in upload.errors] == [(2, True)]


def test_a_column_the_upload_does_not_read_is_a_warning_in_both_however_often(world, district):
    offices = offices_import_preview(content=csv_made([["office_code", "หมายเหตุ", "หมายเหตุ", "-", "office_name_th",
                                                        "office_kind"], ["1101", "", "", "", "สพป.น่าน เขต 1", "สพป."]]))
    central = parse(world, csv_made([["รหัสหน่วยงาน", "หมายเหตุ", "หมายเหตุ", "-", "A", "B"],
                                     [district.code, "", "", "", "90", "100"]]))
    for upload in (offices, central):
        assert upload.is_valid, [str(e) for e in upload.errors]
        assert sum("“หมายเหตุ”" in warning for warning in upload.warnings) == 2
        assert sum("“-”" in warning for warning in upload.warnings) == 1
