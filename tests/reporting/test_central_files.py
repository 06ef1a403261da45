"""Central data from files as Thai offices make them: decimal-comma CSVs, title rows, Thai digits, LibreOffice."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from indicators.models import Indicator, Variable
from reporting.central import central_parse_upload
from reporting.compute import indicator_config
from reporting.models import Value
from tests.krs.test_import_doors import xlsx
from tests.reporting.factories import open_world
from tests.reporting.test_central_data import upload_and_confirm, upload_url, values_of

pytestmark = pytest.mark.django_db
D = Decimal
FIXTURES = Path(__file__).parent.parent / "krs" / "data"


@pytest.fixture
def world(district, other_district, bureau):
    return open_world(bureau=bureau)


def csv_made(rows: list[list[str]], *, delimiter=",", encoding="utf-8-sig") -> bytes:
    """A CSV as Excel writes it: its csv module dialect, CRLF, the locale's separator and encoding."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def parse(world, content: bytes):
    indicator = indicator_config(Indicator.objects.filter(pk=world.central.pk)).get()
    return central_parse_upload(indicator=indicator, round_=world.round, file=content)


# --- Numbers whose separators read two ways ------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp874", "utf-16"])
def test_a_semicolon_csv_from_a_decimal_comma_locale_is_refused_where_a_number_reads_two_ways(
        client, world, certifier, district, encoding):
    client.force_login(certifier)
    # Excel in a decimal-comma locale writes ";": "1.000" is a thousand there, and one where "." is the decimal.
    content = csv_made([["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "A", "B"], [district.code, "สพป.กรุงเทพมหานคร", "1.000", "1.200"]],
                       delimiter=";", encoding=encoding)
    response = client.post(upload_url(world), {"file": SimpleUploadedFile("central.csv", content)})
    upload = response.context["upload"]
    assert [(issue.row, issue.column) for issue in upload.errors] == [(2, "A"), (2, "B")]
    assert "อ่านได้ทั้ง 1 และ 1000" in upload.errors[0].message
    assert "อ่านได้ทั้ง 1.2 และ 1200" in upload.errors[1].message
    html = response.content.decode()
    assert "แถวที่ 2 คอลัมน์ A" in html and 'data-testid="confirm"' not in html
    assert not Value.objects.exists()


def test_a_semicolon_csv_with_plain_numbers_and_decimal_commas_is_read_as_meant(client, world, certifier, district):
    world.central.variables.filter(code="A").update(kind=Variable.Kind.NUMBER)
    client.force_login(certifier)
    content = csv_made([["รหัสหน่วยงาน", "A", "B"], [district.code, "88,3", "1000"]], delimiter=";")
    preview, response = upload_and_confirm(client, world, SimpleUploadedFile("central.csv", content))
    html = preview.content.decode()
    # The preview says the cell "88,3" is stored as 88.3: a value read differently from how it is written is marked.
    assert 'data-testid="reread"' in html and "ในไฟล์เขียนว่า “88,3”" in html
    assert response.status_code == 302
    assert values_of(world.entry(district, world.central)) == {"A": D("88.3"), "B": D(1000)}


def test_a_comma_csv_reads_the_dot_as_the_decimal_point_and_the_preview_marks_the_reading(world, district):
    # "1.000" in a comma-separated file (a Thai or English locale) is one: shown beside the 1 it becomes.
    upload = parse(world, csv_made([["รหัสหน่วยงาน", "A", "B"], [district.code, "1.000", "๑,๒๐๐"]]))
    assert upload.is_valid, [str(e) for e in upload.errors]
    (row,) = upload.rows
    assert {c.variable.code: (c.new, c.typed) for c in row.changes} == {"A": ("1", "1.000"), "B": ("1,200", "๑,๒๐๐")}
    assert row.texts == {"A": "1", "B": "1200"}  # what confirming saves is what the preview showed


def test_a_workbook_text_cell_that_reads_two_ways_is_refused_and_its_number_cells_are_exact(world, district):
    """A number someone kept as text in an XLSX (a text-formatted column, a pasted value) has no locale:
    "1.000" is a thousand in a decimal-comma locale and one here. A number cell is exact: 1.125 is 1.125."""
    world.central.variables.update(kind=Variable.Kind.NUMBER)
    upload = parse(world, xlsx([["รหัสหน่วยงาน", "A", "B"], [district.code, "1.000", Decimal("1.125")]]))
    assert [(issue.row, issue.column) for issue in upload.errors] == [(2, "A")]
    assert "อ่านได้ทั้ง 1 และ 1000" in upload.errors[0].message
    upload = parse(world, xlsx([["รหัสหน่วยงาน", "A", "B"], [district.code, "12.5", 1000]]))
    assert upload.is_valid, [str(e) for e in upload.errors]
    assert upload.rows[0].texts == {"A": "12.5", "B": "1000"}


def test_a_value_written_as_it_is_stored_is_not_marked(world, district):
    upload = parse(world, csv_made([["รหัสหน่วยงาน", "A", "B"], [district.code, "90", "1,250"]]))
    assert [c.typed for c in upload.rows[0].changes] == ["", ""]


def test_the_ambiguous_number_message_is_in_english_in_the_english_interface(world, district):
    with translation.override("en"):
        upload = parse(world, csv_made([["รหัสหน่วยงาน", "A", "B"], [district.code, "1.000", "2"]], delimiter=";"))
    assert "reads both as 1 and as 1000" in upload.errors[0].message


def test_a_rule_warning_marks_the_row_and_the_value_in_the_preview(world, district):
    upload = parse(world, csv_made([["รหัสหน่วยงาน", "A", "B"], [district.code, "500", "50"]]))
    (row,) = upload.rows
    upload.warn(row, "A มากกว่า B", "A")  # what a validation rule that warns calls
    assert [str(w) for w in row.warnings] == ["แถวที่ 2 คอลัมน์ A: A มากกว่า B"]
    assert {c.variable.code: c.warnings for c in row.changes} == {"A": ["A มากกว่า B"], "B": []}
    assert upload.is_valid  # a warning does not block


# --- Office codes, title rows, LibreOffice -------------------------------------------------------------


def test_an_office_code_typed_in_thai_digits_is_that_office(client, world, certifier, district):
    client.force_login(certifier)
    content = csv_made([["รหัสหน่วยงาน", "A", "B"], ["๑๐๐๑", "90", "100"]])
    preview, response = upload_and_confirm(client, world, SimpleUploadedFile("central.csv", content))
    assert "รหัสในไฟล์ “๑๐๐๑” อ่านเป็น 1001" in preview.content.decode()
    assert response.status_code == 302
    assert values_of(world.entry(district, world.central)) == {"A": 90, "B": 100}


def test_a_merged_title_row_above_the_header_is_skipped(client, world, certifier, district, other_district):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ข้อมูลส่วนกลาง ตัวชี้วัด 1.2 ปีงบประมาณ พ.ศ. 2569"])
    sheet.merge_cells("A1:D1")
    sheet.append([])
    sheet.append(["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "A", "B"])
    sheet.append([district.code, "ก", 90, 100])
    sheet.append([other_district.code, "ข", "x", 100])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = parse(world, buffer.getvalue())
    # Rows keep the numbers the spreadsheet shows, so the error points at the right row.
    assert [(issue.row, issue.column) for issue in upload.errors] == [(5, "A")]
    assert [row.number for row in upload.rows] == [4, 5]


def test_a_file_with_no_header_row_in_its_first_rows_is_refused_saying_what_it_lacks(world, district):
    rows = [[f"หมายเหตุ {n}"] for n in range(12)] + [["รหัสหน่วยงาน", "A", "B"], [district.code, "1", "2"]]
    upload = parse(world, csv_made(rows))
    assert not upload.is_valid
    assert any("ไม่พบคอลัมน์ “รหัสหน่วยงาน”" in str(issue) for issue in upload.errors)


def test_a_libreoffice_ods_with_a_title_row_is_read(client, world, certifier, district, other_district):
    """tests/krs/data/central-title-row.ods was saved by LibreOffice Calc: a merged title, then the header."""
    client.force_login(certifier)
    content = (FIXTURES / "central-title-row.ods").read_bytes()
    preview, response = upload_and_confirm(client, world, SimpleUploadedFile("central.ods", content))
    assert [row.number for row in preview.context["upload"].rows] == [3, 4]
    assert response.status_code == 302
    assert values_of(world.entry(district, world.central)) == {"A": 90, "B": 1250}
    assert values_of(world.entry(other_district, world.central)) == {"A": 185, "B": 200}


def test_an_opendocument_text_file_is_refused_with_the_format_to_save_as(world):
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
    upload = parse(world, buffer.getvalue())
    assert "บันทึกเป็น .xlsx หรือ .csv" in str(upload.errors[0])
