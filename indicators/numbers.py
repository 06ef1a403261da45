"""Numbers as people type them: Thai digits, thousands separators, spaces, a trailing % for percents.

``parse_value`` turns what was typed into a ``Decimal`` (or ``None`` for an empty box) and refuses
everything else with a Thai message that says what to type instead. It is pure: the entry page, the
live preview, the bureaus' grid and the XLSX/CSV upload all read numbers through it, so a value
accepted in one place is accepted in all. See docs/reporting.md ("Typing numbers").
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from indicators.models import VALUE_FIELD, Variable
from krs.spreadsheets import plain_number as _plain

MAX_DIGITS = VALUE_FIELD["max_digits"]
DECIMAL_PLACES = VALUE_FIELD["decimal_places"]
MAX_WHOLE_DIGITS = MAX_DIGITS - DECIMAL_PLACES
# The first number with more whole digits than anyone may type, or a formula may give (``fits``).
_TOO_LARGE = Decimal(10) ** MAX_WHOLE_DIGITS
_PLACES = Decimal(1).scaleb(-DECIMAL_PLACES)

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Minus signs people paste from Word or Excel, and the full-width forms of a Thai IME.
_SIGNS = str.maketrans({"−": "-", "–": "-", "﹣": "-", "－": "-", "＋": "+", "．": ".", "，": ",", "％": "%"})
# Every kind of space, including the no-break and thin spaces spreadsheets use between thousands.
_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f\u200b]+")
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", re.ASCII)
_NOT_NUMBERS = {"nan", "snan", "inf", "infinity", "+inf", "-inf", "+infinity", "-infinity"}
# A number written with "." and "," in either role (a file from a decimal-comma locale): the sign, the
# digits, then separators, each followed by digits.
_SEPARATED = re.compile(r"([+-]?)(\d+)((?:[.,]\d+)+)", re.ASCII)
_GROUP = re.compile(r"\d{3}", re.ASCII)

# How the separators of a number are read (see docs/reporting.md, "Numbers in files"):
# POINT — "." is the decimal point and "," groups thousands: what people type in the app, and a file
#         written with a Thai (or English) locale.
# EITHER — the file may come from a locale whose decimal mark is "," (a semicolon CSV, a number a
#         spreadsheet kept as text): a lone "." or "," before exactly three digits reads both ways and is
#         refused; otherwise the last separator is the decimal mark when it is lone, and grouping
#         separators must group by three.
POINT = "point"
EITHER = "either"


def fits(value: Decimal) -> bool:
    """Is ``value``, rounded half-up to DECIMAL_PLACES, a number ``parse_value`` would accept (at most
    MAX_WHOLE_DIGITS whole digits)? Decides whether a formula's result may be stored (reporting.compute)."""
    if not value.is_finite() or abs(value) >= _TOO_LARGE:
        return False  # compared before rounding: quantize itself fails on more digits than its context holds
    return abs(value.quantize(_PLACES, rounding=ROUND_HALF_UP)) < _TOO_LARGE


def format_value(value: Decimal | None, *, grouped: bool = False) -> str:
    """A stored value as people read it: no trailing zeros, thousands grouped when asked."""
    if value is None:
        return ""
    text = _plain(value)
    if not grouped:
        return text
    whole, dot, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}{dot}{fraction}"


def parse_value(
    text: object,
    *,
    kind: str = Variable.Kind.NUMBER,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    separators: str = POINT,
) -> Decimal | None:
    """What was typed, as a Decimal within the variable's rules; None for an empty box.

    ``separators`` says how "." and "," are read (``POINT`` or ``EITHER``, above). A boolean (JSON
    ``true``/``false``) is a value only of a yes/no variable. Raises ``ValidationError`` with one Thai
    message naming what is wrong.
    """
    if text is None:
        return None
    if isinstance(text, Decimal):
        raw = _plain(text) if text.is_finite() else str(text)
    elif isinstance(text, bool):
        if kind == Variable.Kind.YES_NO:
            return Decimal(int(text))
        raise ValidationError(
            _("true/false ใช้ได้เฉพาะตัวแปรแบบใช่/ไม่ใช่ ตัวแปรนี้ต้องเป็นตัวเลข เช่น 120"), code="boolean")
    elif isinstance(text, int):
        raw = str(text)
    elif isinstance(text, float):
        # Spreadsheet cells arrive as float; repr is the shortest text that reads back the same float,
        # which is what the person typed into the cell.
        raw = repr(text)
    else:
        raw = str(text)
    cleaned = _SPACES.sub("", raw.translate(_THAI_DIGITS).translate(_SIGNS))
    if not cleaned:
        return None
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1]
        if kind != Variable.Kind.PERCENT:
            raise ValidationError(_("ใส่เครื่องหมาย % ได้เฉพาะค่าที่เป็นร้อยละ: พิมพ์เฉพาะตัวเลข"), code="percent")
        if not cleaned:
            raise ValidationError(_("ต้องเป็นตัวเลข เช่น 85 หรือ 85.5%"), code="invalid")
    if cleaned.lower() in _NOT_NUMBERS:
        raise ValidationError(_("ต้องเป็นตัวเลขจริง (NaN หรือค่าอนันต์ใช้ไม่ได้)"), code="not_finite")
    if separators == EITHER:
        cleaned = _either(cleaned)
    elif "," in cleaned:
        if not _GROUPED.fullmatch(cleaned):
            raise ValidationError(
                _("เครื่องหมายจุลภาคต้องคั่นทุก 3 หลัก เช่น 1,234,567.5 (ใช้จุด . เป็นจุดทศนิยม)"), code="grouping"
            )
        cleaned = cleaned.replace(",", "")
    if not _PLAIN.fullmatch(cleaned):
        raise ValidationError(_example_message(kind), code="invalid")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only valid decimals
        raise ValidationError(_example_message(kind), code="invalid") from None
    whole, _dot, fraction = cleaned.lstrip("+-").partition(".")
    whole_digits = len(whole.lstrip("0"))
    fraction_digits = len(fraction.rstrip("0"))
    if whole_digits > MAX_WHOLE_DIGITS or fraction_digits > DECIMAL_PLACES:
        raise ValidationError(
            _("ตัวเลขยาวเกินไป: ได้ไม่เกิน %(whole)s หลักหน้าจุดทศนิยม และไม่เกิน %(places)s ตำแหน่งหลังจุด")
            % {"whole": MAX_WHOLE_DIGITS, "places": DECIMAL_PLACES},
            code="max_digits",
        )
    value = value + 0  # "-0" → 0
    if kind == Variable.Kind.YES_NO and value not in (0, 1):
        raise ValidationError(_("กรอก 1 (ใช่/ดำเนินการแล้ว) หรือ 0 (ไม่ใช่/ยังไม่ดำเนินการ) เท่านั้น"), code="yes_no")
    if kind == Variable.Kind.INTEGER and value != value.to_integral_value():
        raise ValidationError(_("ต้องเป็นจำนวนเต็ม (ไม่มีทศนิยม)"), code="integer")
    if minimum is not None and value < minimum:
        raise ValidationError(_("ต้องไม่น้อยกว่า %(minimum)s") % {"minimum": format_value(minimum, grouped=True)}, code="min")
    if maximum is not None and value > maximum:
        raise ValidationError(_("ต้องไม่มากกว่า %(maximum)s") % {"maximum": format_value(maximum, grouped=True)}, code="max")
    return value


def _either(cleaned: str) -> str:
    """A number whose "." and "," may play either role, as plain digits with a decimal point; refuses a guess."""
    match = _SEPARATED.fullmatch(cleaned)
    if not match:
        return cleaned  # no separator, or not a number: the plain pattern decides
    sign, head, rest = match.groups()
    parts = re.split(r"([.,])", rest)[1:]  # [separator, digits, separator, digits, ...]
    marks, groups = parts[0::2], parts[1::2]
    last = marks[-1]
    # "0,250" has no thousands to group: only the decimal reading is left.
    if len(marks) == 1 and _GROUP.fullmatch(groups[0]) and head.lstrip("0"):
        as_decimal = Decimal(f"{sign}{head}.{groups[0]}")
        raise ValidationError(
            _("“%(text)s” อ่านได้ทั้ง %(decimal)s และ %(thousands)s: เขียนโดยไม่ใช้ตัวคั่นหลักพัน (เช่น %(plain)s) "
              "หรือใช้จุด . เป็นจุดทศนิยม")
            % {"text": cleaned, "decimal": format_value(as_decimal), "thousands": format_value(Decimal(sign + head + groups[0])),
               "plain": head + groups[0]},
            code="ambiguous",
        )
    # A mark used more than once groups thousands; a last mark used once, unlike the others, is the decimal mark.
    decimal_mark = last if marks.count(last) == 1 and (len(marks) == 1 or len(set(marks)) == 2) else None
    whole_groups = groups[:-1] if decimal_mark else groups
    grouping = marks[:-1] if decimal_mark else marks
    if len(set(grouping)) > 1 or (grouping and (len(head) > 3 or not all(_GROUP.fullmatch(g) for g in whole_groups))):
        raise ValidationError(
            _("ตัวคั่นหลักพันต้องคั่นทุก 3 หลัก และใช้จุดทศนิยมได้ครั้งเดียว เช่น 1234567.5"), code="grouping")
    digits = head + "".join(whole_groups)
    return f"{sign}{digits}.{groups[-1]}" if decimal_mark else f"{sign}{digits}"


def _example_message(kind: str) -> str:
    if kind == Variable.Kind.YES_NO:
        return _("กรอก 1 (ใช่/ดำเนินการแล้ว) หรือ 0 (ไม่ใช่/ยังไม่ดำเนินการ) เท่านั้น")
    if kind == Variable.Kind.INTEGER:
        return _("ต้องเป็นจำนวนเต็ม เช่น 120 หรือ 1,250")
    if kind == Variable.Kind.PERCENT:
        return _("ต้องเป็นตัวเลข เช่น 85 หรือ 85.5%")
    return _("ต้องเป็นตัวเลข เช่น 1,250.75")


def parse_for(variable: Variable, text: object, *, separators: str = POINT) -> Decimal | None:
    """parse_value with the variable's own kind and bounds."""
    return parse_value(text, kind=variable.kind, minimum=variable.minimum, maximum=variable.maximum,
                       separators=separators)

