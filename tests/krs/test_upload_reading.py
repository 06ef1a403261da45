"""How every upload reads a header and a cell (krs.spreadsheets): names, cells, columns, rows past the header."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from krs.spreadsheets import (
    OFFICE_CODE_HEADERS,
    DateCell,
    Header,
    NumberCell,
    Table,
    cell_text,
    match_headers,
    read_upload,
    spelling_key,
)


@pytest.mark.parametrize(("written", "key"), [
    ("office_code", "officecode"),
    (" Office Code ", "officecode"),         # case and spaces
    ("OFFICE-CODE", "officecode"),            # punctuation
    ("ชื่อหน่วยงาน (ไทย)", "ชื่อหน่วยงานไทย"),  # brackets
    ("รหัส\u200bหน่วย\u2060งาน", "รหัสหน่วยงาน"),  # invisible characters pasted from the web or Word
    ("STRASSE", "strasse"),
    ("-", ""),                                # nothing left: a name no column has
])
def test_a_name_is_compared_without_case_spaces_punctuation_or_invisible_characters(written, key):
    assert spelling_key(written) == key


@pytest.mark.parametrize(("value", "number_format", "text", "kind"), [
    (None, None, "", str),
    ("  สพป.น่าน \u200b", None, "สพป.น่าน", str),
    ("\ufeff\u2060 ", None, "", str),
    (1001, None, "1001", NumberCell),
    (1001.0, None, "1001", NumberCell),          # XLSX keeps every number as a float
    (12.5, None, "12.5", NumberCell),
    (1e-05, None, "0.00001", NumberCell),
    (1e16, None, "10000000000000000", NumberCell),
    (Decimal("1.50"), None, "1.5", NumberCell),  # an ODS number cell
    (0.855, "0.0%", "85.5%", NumberCell),        # as Excel shows it
    (False, None, "FALSE", str),
    (dt.date(2026, 4, 30), None, "2026-04-30", DateCell),
    (dt.time(8, 30), None, "08:30:00", DateCell),
])
def test_a_cell_reads_as_the_spreadsheet_shows_it(value, number_format, text, kind):
    read = cell_text(value, number_format)
    assert read == text and type(read) is kind
    assert cell_text(read) == text and type(cell_text(read)) is kind  # reading it again changes nothing


def test_headers_name_their_columns_and_a_column_named_twice_says_which_came_first():
    columns = {"code": ("office_code", "รหัส"), "name": ("ชื่อหน่วยงาน",)}
    found = match_headers(["รหัส", "", "ลำดับ", "Office Code", "ชื่อ หน่วยงาน", "ลำดับ"], columns)
    assert found == [
        Header(0, "รหัส", "code"),
        Header(2, "ลำดับ", None),
        Header(3, "Office Code", "code", first="รหัส"),
        Header(4, "ชื่อ หน่วยงาน", "name"),
        Header(5, "ลำดับ", None),  # a column no upload reads is only ever unknown
    ]


def test_a_row_past_the_last_header_is_told_apart_from_blank_cells_there():
    table = Table(header_row=1, headers=["รหัส", "", "A", "", ""], rows=[])
    assert table.width == 3
    assert not table.beyond_header(["1001", "x", "1", "", " \u200b"])
    assert table.beyond_header(["1001", "", "1", "", "250"])


def test_the_header_is_the_first_row_naming_the_key_column_below_title_rows():
    content = "รายงาน ปี 2569\r\n\r\n ลำดับ ,Office-Code,A\r\n1,๑๐๐๑,\u200b12\u200b\r\n".encode()
    table = read_upload(content, max_bytes=10**6, max_rows=10, key_headers=OFFICE_CODE_HEADERS)
    assert (table.header_row, table.headers, table.skipped) == (3, ["ลำดับ", "Office-Code", "A"], 1)
    assert table.rows == [(4, ["1", "๑๐๐๑", "12"])]
