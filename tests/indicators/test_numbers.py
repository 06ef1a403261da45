"""Numbers as people type them (indicators.numbers)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from indicators.models import Variable
from indicators.numbers import EITHER, POINT, fits, format_value, parse_value

K = Variable.Kind
D = Decimal


@pytest.mark.parametrize(("typed", "kind", "expected"), [
    ("๑๒๓", K.NUMBER, D(123)),
    ("๑,๒๓๔.๕", K.NUMBER, D("1234.5")),
    ("1,234,567", K.INTEGER, D(1234567)),
    (" 12 345 ", K.NUMBER, D(12345)),
    ("1\u00a0234", K.NUMBER, D(1234)),
    ("85.5%", K.PERCENT, D("85.5")),
    ("๘๕ %", K.PERCENT, D(85)),
    ("−3.5", K.NUMBER, D("-3.5")),
    (".5", K.NUMBER, D("0.5")),
    ("12.0", K.INTEGER, D(12)),
    ("1", K.YES_NO, D(1)),
    ("๐", K.YES_NO, D(0)),
    ("", K.NUMBER, None),
    ("   ", K.NUMBER, None),
    ("-0", K.NUMBER, D(0)),
    ("99999999999999.99999", K.NUMBER, D("99999999999999.99999")),
    ("0.100000", K.NUMBER, D("0.1")),
])
def test_it_understands_what_people_type(typed, kind, expected):
    assert parse_value(typed, kind=kind) == expected


@pytest.mark.parametrize(("typed", "kind", "message"), [
    ("abc", K.NUMBER, "ต้องเป็นตัวเลข เช่น 1,250.75"),
    ("12a", K.INTEGER, "ต้องเป็นจำนวนเต็ม เช่น 120 หรือ 1,250"),
    ("NaN", K.NUMBER, "NaN หรือค่าอนันต์ใช้ไม่ได้"),
    ("inf", K.NUMBER, "NaN หรือค่าอนันต์ใช้ไม่ได้"),
    ("-Infinity", K.NUMBER, "NaN หรือค่าอนันต์ใช้ไม่ได้"),
    ("1e5", K.NUMBER, "ต้องเป็นตัวเลข"),
    ("1" * 16, K.NUMBER, "ตัวเลขยาวเกินไป"),
    ("0.123456", K.NUMBER, "ตัวเลขยาวเกินไป"),
    ("1,23", K.NUMBER, "เครื่องหมายจุลภาคต้องคั่นทุก 3 หลัก"),
    ("12,34,567", K.NUMBER, "เครื่องหมายจุลภาคต้องคั่นทุก 3 หลัก"),
    ("12.5", K.INTEGER, "ต้องเป็นจำนวนเต็ม (ไม่มีทศนิยม)"),
    ("2", K.YES_NO, "กรอก 1 (ใช่/ดำเนินการแล้ว) หรือ 0"),
    ("0.5", K.YES_NO, "กรอก 1 (ใช่/ดำเนินการแล้ว) หรือ 0"),
    ("50%", K.NUMBER, "ใส่เครื่องหมาย % ได้เฉพาะค่าที่เป็นร้อยละ"),
    ("%", K.PERCENT, "ต้องเป็นตัวเลข"),
    ("1.2.3", K.NUMBER, "ต้องเป็นตัวเลข"),
    ("--1", K.NUMBER, "ต้องเป็นตัวเลข"),
])
def test_everything_else_gets_a_thai_message(typed, kind, message):
    with pytest.raises(ValidationError) as caught:
        parse_value(typed, kind=kind)
    assert message in caught.value.messages[0]


def test_bounds_are_checked_and_named_with_thousands():
    with pytest.raises(ValidationError, match="ต้องไม่น้อยกว่า 0"):
        parse_value("-1", minimum=D(0))
    with pytest.raises(ValidationError, match="ต้องไม่มากกว่า 1,000"):
        parse_value("1,000.5", maximum=D(1000))
    assert parse_value("1,000", maximum=D(1000)) == D(1000)


def test_spreadsheet_cells_arrive_as_numbers():
    assert parse_value(0.1) == D("0.1")  # the float's shortest repr, not its binary expansion
    assert parse_value(42) == D(42)
    assert parse_value(D("7.50")) == D("7.5")
    with pytest.raises(ValidationError):
        parse_value(True)


@given(st.decimals(min_value=D("-99999999999999"), max_value=D("99999999999999"), places=5, allow_nan=False))
def test_a_value_written_with_separators_or_thai_digits_reads_back_the_same(value):
    grouped = format_value(value, grouped=True)
    thai = grouped.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert parse_value(grouped) == value
    assert parse_value(thai) == value
    assert parse_value(format_value(value)) == value


# --- A file whose locale may write "," as the decimal mark (EITHER) -----------------------------------


@pytest.mark.parametrize(("typed", "expected"), [
    ("12,5", D("12.5")),            # a lone comma before 1 digit cannot group thousands: the decimal mark
    ("88,3", D("88.3")),
    ("0,250", D("0.25")),           # no thousands before it: only the decimal reading is left
    ("12.5", D("12.5")),            # a lone dot before 1 digit: the decimal mark
    ("1.000,5", D("1000.5")),       # both marks: the last, used once, is the decimal mark
    ("1,000.5", D("1000.5")),
    ("1.000.000", D(1000000)),      # a mark used twice groups thousands
    ("1,000,000", D(1000000)),
    ("1 000,5", D("1000.5")),       # a space groups too
    ("-3,25", D("-3.25")),
    ("๑๒,๕", D("12.5")),            # Thai digits as everywhere
    ("1000", D(1000)),
])
def test_a_file_of_unknown_locale_reads_every_number_that_has_one_meaning(typed, expected):
    assert parse_value(typed, separators=EITHER) == expected


@pytest.mark.parametrize(("typed", "readings", "in_the_app"), [
    ("1.000", "อ่านได้ทั้ง 1 และ 1000", D(1)),  # 1 with a decimal point, 1000 with a thousands dot
    ("1,000", "อ่านได้ทั้ง 1 และ 1000", D(1000)),  # the same with a comma
    ("2.500", "อ่านได้ทั้ง 2.5 และ 2500", D("2.5")),
    ("-12,345", "อ่านได้ทั้ง -12.345 และ -12345", D(-12345)),
])
def test_a_number_that_reads_two_ways_is_refused_with_both_readings(typed, readings, in_the_app):
    with pytest.raises(ValidationError) as caught:
        parse_value(typed, separators=EITHER)
    assert caught.value.code == "ambiguous"
    assert readings in caught.value.messages[0] and typed in caught.value.messages[0]
    # In the app (POINT: "." decimal, "," thousands) the same text has one meaning and is read.
    assert parse_value(typed, separators=POINT) == in_the_app


@pytest.mark.parametrize("typed", ["1,5.3", "1.23,4", "1234.567,8", "12,34,567"])
def test_separators_that_group_wrongly_are_refused_in_a_file_of_unknown_locale(typed):
    with pytest.raises(ValidationError) as caught:
        parse_value(typed, separators=EITHER)
    assert caught.value.code == "grouping"


@pytest.mark.parametrize(("value", "kind", "expected"), [
    (True, K.YES_NO, D(1)),
    (False, K.YES_NO, D(0)),
])
def test_a_boolean_is_a_value_of_a_yes_no_variable(value, kind, expected):
    assert parse_value(value, kind=kind) == expected


@pytest.mark.parametrize("kind", [K.INTEGER, K.NUMBER, K.PERCENT])
def test_a_boolean_for_any_other_variable_is_refused_not_stored_as_1(kind):
    with pytest.raises(ValidationError) as caught:
        parse_value(True, kind=kind)
    assert caught.value.code == "boolean" and "true/false" in caught.value.messages[0]


@pytest.mark.parametrize(("value", "expected"), [
    ("999999999999999.99999", True),   # the largest number anyone may type
    ("-999999999999999.99999", True),
    ("999999999999999.999994", True),  # rounds down to the above
    ("999999999999999.999995", False),  # rounds up to 10^15: 16 whole digits
    ("1000000000000000", False),
    ("1E+40", False),                  # more digits than quantize's context: refused before rounding
    ("NaN", False),
    ("Infinity", False),
])
def test_fits_is_the_typed_bound_after_rounding_to_five_decimals(value, expected):
    assert fits(Decimal(value)) is expected
