"""The framework workbook never reads a number the administrator did not mean (text cells, .ods)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from indicators.workbook import framework_import_preview
from tests.indicators.factories import fiscal_year_2569
from tests.indicators.test_workbook import indicator_row, valid_sheets, workbook

pytestmark = pytest.mark.django_db
D = Decimal


def preview_with(*, weight=100, target=None, threshold=60):
    sheets = valid_sheets()
    sheets["indicators"] = [indicator_row("1.1", group_code="1", rounds="6,12", weight=weight, target=target)]
    sheets["thresholds"] = [["1.1", threshold, 70, 80, 90, 100]]
    return framework_import_preview(content=workbook(sheets), fiscal_year=fiscal_year_2569())


def messages(plan) -> dict[tuple[str, str], str]:
    return {(e.sheet, e.column): e.message for e in plan.errors}


@pytest.mark.parametrize(("column", "typed", "readings"), [
    ("weight", "12,5", "อ่านได้ทั้ง 12.5 และ 125"),   # was read as 125
    ("target", "80,5", "อ่านได้ทั้ง 80.5 และ 805"),   # was read as 805
    ("target", "1.000", "อ่านได้ทั้ง 1 และ 1000"),    # a thousands dot, or a decimal point
    ("target", "1,000", "อ่านได้ทั้ง 1.000 และ 1000"),  # a thousands comma, or a decimal comma
])
def test_a_text_cell_whose_separator_reads_two_ways_is_refused_with_both_readings(column, typed, readings):
    plan = preview_with(**{column: typed})
    assert not plan.is_valid
    assert readings in messages(plan)[("indicators", column)]
    assert [e.row for e in plan.errors if e.column == column] == [2]


@pytest.mark.parametrize(("typed", "read"), [
    (12.5, D("12.5")),          # a number cell is exact
    ("12.5", D("12.5")),        # text with a decimal point
    ("๑๒.๕", D("12.5")),        # Thai digits
    ("1.000,5", D("1000.5")),   # both marks: one meaning
    ("1,000,000", D(1000000)),  # a mark used twice groups thousands
])
def test_a_number_with_one_meaning_is_read(typed, read):
    plan = preview_with(target=typed)
    assert plan.is_valid, [str(e) for e in plan.errors]
    assert plan.indicators[0]["target"] == read


def test_a_text_threshold_with_a_decimal_comma_is_refused_too():
    plan = preview_with(threshold="60,5")
    assert "อ่านได้ทั้ง 60.5 และ 605" in messages(plan)[("thresholds", "level_1")]


def test_a_libreoffice_ods_is_refused_with_the_format_to_save_as():
    content = (Path(__file__).parent.parent / "krs" / "data" / "central-title-row.ods").read_bytes()
    plan = framework_import_preview(content=content, fiscal_year=fiscal_year_2569())
    assert len(plan.errors) == 1
    assert ".ods" in plan.errors[0].message and "Excel 2007-365 (.xlsx)" in plan.errors[0].message
