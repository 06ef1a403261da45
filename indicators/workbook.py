"""A framework as one Excel workbook: export it, check a workbook (preview), import it as a new draft framework.

The workbook has one sheet per kind of row (``framework``, ``groups``, ``indicators``, ``variables``,
``thresholds``, ``steps``, ``levels``, ``components``); rows refer to each other by code, never by id,
so a workbook exported from one fiscal year imports into another. Rounds are written by their months
("6,12") and matched to the target year's rounds of the same months.

``framework_import_preview`` writes nothing and lists every error by sheet, row and column;
``framework_import_apply`` checks again and creates everything in one transaction, or nothing.
The format is described for administrators in ``docs/framework-workbook.md``.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db import transaction
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from indicators.formula import FormulaError, parse_formula
from indicators.models import (
    FACTOR_FIELD,
    SCORE_FIELD,
    VALUE_FIELD,
    WEIGHT_FIELD,
    DerivedComponent,
    FiscalYear,
    Framework,
    Group,
    Indicator,
    MilestoneStep,
    RubricLevel,
    Threshold,
    ValidationRule,
    Variable,
    rule_expression,
    rule_names,
)
from indicators.numbers import EITHER, parse_value
from krs.imports import max_file_bytes, max_rows
from krs.models import Office
from krs.spreadsheets import SpreadsheetError, open_xlsx, upload_stash, upload_unstash

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "krs_framework_workbook"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --------------------------------------------------------------------------------------------------
# The format
# --------------------------------------------------------------------------------------------------

TEMPLATE_FIELDS = (
    "definition", "formula_text", "criteria_text", "conditions", "baseline", "data_source",
    "supervisor_name", "supervisor_phone", "collector_name", "collector_phone",
)
LEVELS = (1, 2, 3, 4, 5)

SHEETS: dict[str, tuple[str, ...]] = {
    "framework": ("fiscal_year", "code", "name", "kind", "description"),
    "groups": ("code", "parent_code", "level_name", "name", "weight", "order"),
    "indicators": (
        "code", "parent_code", "group_code", "name", "description", "unit", "target", "weight", "owner_code",
        "method", "formula", "frequency", "applies_to_primary", "applies_to_secondary", "rounds",
        "pass_score", "fail_score", "order", *TEMPLATE_FIELDS, "response",
    ),
    "variables": ("indicator_code", "code", "name", "unit", "kind", "source", "minimum", "maximum", "rounds", "order",
                  "change_factor", "peer_factor"),
    "thresholds": ("indicator_code", *(f"level_{n}" for n in LEVELS)),
    "steps": ("indicator_code", "number", "description", "sub_items"),
    "levels": ("indicator_code", "code", "name", "score", "criteria"),
    "components": ("indicator_code", "source_code", "weight"),
    "rules": ("indicator_code", "left", "operator", "right", "severity", "message", "message_en", "order"),
}
# Without these the file is not a framework; every other sheet may be left out (no rows).
REQUIRED_SHEETS = ("framework", "indicators")
# Columns a sheet must have; the others may be left out and take their defaults.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "framework": ("code", "name"),
    "groups": ("code", "name", "weight"),
    "indicators": ("code", "name", "weight"),
    "variables": ("indicator_code", "code", "name"),
    "thresholds": ("indicator_code",),
    "steps": ("indicator_code", "number", "description"),
    "levels": ("indicator_code", "code", "name", "score"),
    "components": ("indicator_code", "source_code", "weight"),
    "rules": ("indicator_code", "left", "operator", "right"),
}
# Sheet titles shown to people (the sheet names themselves stay English so files stay readable by the importer).
SHEET_LABELS = {
    "framework": "กรอบการประเมิน",
    "groups": "มิติ/หมวด",
    "indicators": "ตัวชี้วัด",
    "variables": "ตัวแปร",
    "thresholds": "เกณฑ์ 5 ระดับ",
    "steps": "ขั้นตอน (Milestone)",
    "levels": "ระดับตามเกณฑ์",
    "components": "ที่มาของคะแนน",
    "rules": "กฎตรวจสอบค่า",
}
WIDE_COLUMNS = {"name", "description", "criteria", "formula", "message", "message_en", *TEMPLATE_FIELDS}


def _max_length(model, name: str) -> int | None:
    return model._meta.get_field(name).max_length


# --------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------


def _number(value: Decimal | None) -> int | float | str | None:
    """A Decimal as an Excel number: an int when integral, else a float when that reads back exactly."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) == value:
        return as_float
    return format(value.normalize(), "f")  # more digits than a float holds: text keeps them all


def _months(rounds) -> str:
    return ",".join(str(months) for months in sorted({r.months for r in rounds}))


def export_indicators(framework: Framework):
    """Every indicator with everything the workbook holds, prefetched (10 queries)."""
    return (
        Indicator.objects.filter(framework=framework)
        .select_related("owner", "group", "parent")
        .prefetch_related(
            "rounds",
            Prefetch("variables", queryset=Variable.objects.prefetch_related("rounds").order_by("order", "code")),
            "thresholds", "steps", "levels", Prefetch("rules", queryset=ValidationRule.objects.order_by("order", "pk")),
            Prefetch("components", queryset=DerivedComponent.objects.select_related("source").order_by("source__code")),
        )
        .order_by("order", "code")
    )


def framework_rows(framework: Framework) -> dict[str, list[list[Any]]]:
    """The data rows of every sheet, in the column order of ``SHEETS``."""
    year = framework.fiscal_year.year  # a query unless the caller select_related it
    rows: dict[str, list[list[Any]]] = {name: [] for name in SHEETS}
    rows["framework"].append([year, framework.code, framework.name, framework.kind, framework.description])
    groups = list(Group.objects.filter(framework=framework).order_by("order", "code"))
    group_codes = {group.pk: group.code for group in groups}
    for group in groups:
        rows["groups"].append([
            group.code, group_codes.get(group.parent_id, ""), group.level_name, group.name, _number(group.weight), group.order,
        ])
    for indicator in _tree_order(groups, list(export_indicators(framework))):
        code = indicator.code
        rows["indicators"].append([
            code, indicator.parent.code if indicator.parent else "", indicator.group.code if indicator.group else "",
            indicator.name, indicator.description, indicator.unit, _number(indicator.target), _number(indicator.weight),
            indicator.owner.code if indicator.owner else "", indicator.method, indicator.formula, indicator.frequency,
            indicator.applies_to_primary, indicator.applies_to_secondary, _months(indicator.rounds.all()),
            _number(indicator.pass_score), _number(indicator.fail_score), indicator.order,
            *(getattr(indicator, name) for name in TEMPLATE_FIELDS), indicator.response,
        ])
        for variable in indicator.variables.all():
            rows["variables"].append([
                code, variable.code, variable.name, variable.unit, variable.kind, variable.source,
                _number(variable.minimum), _number(variable.maximum), _months(variable.rounds.all()), variable.order,
                _number(variable.change_factor), _number(variable.peer_factor),
            ])
        for rule in indicator.rules.all():
            rows["rules"].append([code, rule.left, rule.operator, rule.right, rule.severity, rule.message,
                                  rule.message_en, rule.order])
        thresholds = {t.level: t.value for t in indicator.thresholds.all()}
        if thresholds:
            rows["thresholds"].append([code, *(_number(thresholds.get(level)) for level in LEVELS)])
        for step in sorted(indicator.steps.all(), key=lambda s: s.number):
            rows["steps"].append([code, step.number, step.description, step.sub_items])
        for level in sorted(indicator.levels.all(), key=lambda lv: (lv.score, lv.code)):
            rows["levels"].append([code, level.code, level.name, _number(level.score), level.criteria])
        for component in indicator.components.all():
            rows["components"].append([code, component.source.code, _number(component.weight)])
    return rows


def _tree_order(groups: list[Group], indicators: list[Indicator]) -> list[Indicator]:
    """Indicators as the tree page lists them: group by group, each main indicator followed by its sub-indicators."""
    subgroups: dict[int | None, list[Group]] = {}
    for group in groups:
        subgroups.setdefault(group.parent_id, []).append(group)
    by_group: dict[int | None, list[Indicator]] = {}
    children: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        if indicator.parent_id:
            children.setdefault(indicator.parent_id, []).append(indicator)
        else:
            by_group.setdefault(indicator.group_id, []).append(indicator)
    ordered: list[Indicator] = []

    def add_indicator(indicator: Indicator) -> None:
        ordered.append(indicator)
        for child in children.get(indicator.pk, ()):
            add_indicator(child)

    def add_group(group: Group) -> None:
        for sub in subgroups.get(group.pk, ()):
            add_group(sub)
        for indicator in by_group.get(group.pk, ()):
            add_indicator(indicator)

    for group in subgroups.get(None, ()):
        add_group(group)
    for indicator in by_group.get(None, ()):
        add_indicator(indicator)
    seen = {indicator.pk for indicator in ordered}
    return ordered + [indicator for indicator in indicators if indicator.pk not in seen]  # a cycle, should one exist


def framework_export_xlsx(*, framework: Framework) -> bytes:
    """The framework as an XLSX workbook that ``framework_import_apply`` reads back (see docs/framework-workbook.md)."""

    rows = framework_rows(framework)
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for name, columns in SHEETS.items():
        sheet = workbook.create_sheet(title=name)
        sheet.append(list(columns))
        for cell in sheet[1]:
            cell.font = bold
        for row in rows[name]:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            if column in WIDE_COLUMNS:
                width = 40
            else:
                longest = max((len(str(row[index - 1] or "")) for row in rows[name]), default=0)
                width = min(max(len(column) + 2, longest + 2, 8), 30)
            sheet.column_dimensions[letter].width = width
            if column in WIDE_COLUMNS:
                for cell in sheet[letter][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(framework: Framework) -> str:
    return f"framework-{framework.code}-{framework.fiscal_year.year}.xlsx"


# --------------------------------------------------------------------------------------------------
# What the preview reports
# --------------------------------------------------------------------------------------------------


@dataclass
class WorkbookIssue:
    """One problem, placed by sheet, spreadsheet row number (the header is row 1) and column name."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    @property
    def sheet_label(self) -> str:
        return SHEET_LABELS.get(self.sheet, self.sheet)

    def __str__(self) -> str:
        where = [_("แผ่นงาน %(sheet)s") % {"sheet": self.sheet}]
        if self.row is not None:
            where.append(_("แถวที่ %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("คอลัมน์ %(column)s") % {"column": self.column})
        return f"{' '.join(where)}: {self.message}"


@dataclass
class _Row:
    sheet: str
    number: int
    cells: dict[str, Any]


@dataclass
class WorkbookPlan:
    """What the import would create, or why it cannot; built by ``framework_import_preview``."""

    fiscal_year: FiscalYear
    errors: list[WorkbookIssue] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)
    framework: dict[str, Any] = field(default_factory=dict)
    groups: list[dict[str, Any]] = field(default_factory=list)  # parents before children
    indicators: list[dict[str, Any]] = field(default_factory=list)  # parents before children
    variables: list[dict[str, Any]] = field(default_factory=list)
    thresholds: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    levels: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.framework)

    @property
    def summary_rows(self) -> list[tuple[str, str, int]]:
        return [(name, SHEET_LABELS[name], self.summary.get(name, 0)) for name in SHEETS]

    def error(self, row: _Row | str, column: str | None, message: str) -> None:
        if isinstance(row, _Row):
            self.errors.append(WorkbookIssue(row.sheet, row.number, column, message))
        else:
            self.errors.append(WorkbookIssue(row, None, column, message))


class WorkbookRejected(Exception):
    """The workbook has errors (found again when applying); nothing was written."""

    def __init__(self, plan: WorkbookPlan) -> None:
        super().__init__(f"{len(plan.errors)} error(s)")
        self.plan = plan
        self.errors = plan.errors


# --------------------------------------------------------------------------------------------------
# Reading cells
# --------------------------------------------------------------------------------------------------

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_MISSING = object()


class _Bad(Exception):
    """A cell that cannot be read; the message says why, in Thai."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip().strip(_INVISIBLE).strip()


def _decimal(value: Any, spec: dict[str, int]) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _Bad(_("ต้องเป็นตัวเลข"))
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the shortest text that is this float: 0.1 stays 0.1
    elif isinstance(value, Decimal):
        number = value
    else:
        number = _text_number(_text(value))
    if not number.is_finite():
        raise _Bad(_("“%(value)s” ไม่ใช่ตัวเลข") % {"value": _text(value)})
    try:
        DecimalValidator(spec["max_digits"], spec["decimal_places"])(number.normalize())
    except ValidationError:
        raise _Bad(_("ตัวเลขต้องมีทศนิยมไม่เกิน %(places)s ตำแหน่ง และไม่เกิน %(digits)s หลัก")
                   % {"places": spec["decimal_places"], "digits": spec["max_digits"]}) from None
    return number


_LONE_COMMA = re.compile(r"[+-]?\d+,\d+")


def _text_number(text: str) -> Decimal:
    """A number the spreadsheet kept as text: its locale is unknown, so a separator that reads two ways is refused.

    "12,5" is 12.5 with a decimal comma and 125 with the comma dropped; "1.000" is 1 or 1000. Either is
    refused with both readings (``indicators.numbers`` EITHER, and a lone comma always). A number cell is
    exact and never comes here.
    """

    squeezed = re.sub(r"\s+", "", text)
    if _LONE_COMMA.fullmatch(squeezed):
        whole, fraction = squeezed.split(",")
        raise _Bad(_("“%(value)s” อ่านได้ทั้ง %(decimal)s และ %(joined)s: ใส่เป็นตัวเลขในเซลล์แบบตัวเลข "
                     "หรือใช้จุด . เป็นจุดทศนิยม (เช่น %(decimal)s)")
                   % {"value": text, "decimal": f"{whole}.{fraction}", "joined": whole + fraction})
    try:
        number = parse_value(text, separators=EITHER)
    except ValidationError as exc:
        if exc.code not in ("invalid", "percent"):
            raise _Bad(exc.messages[0]) from None
        raise _Bad(_("“%(value)s” ไม่ใช่ตัวเลข") % {"value": text}) from None
    if number is None:
        raise _Bad(_("“%(value)s” ไม่ใช่ตัวเลข") % {"value": text})
    return number


def _integer(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = _decimal(value, {"max_digits": 12, "decimal_places": 6})
    except _Bad:
        raise _Bad(_("ต้องเป็นจำนวนเต็ม")) from None
    if number is None or number != number.to_integral_value():
        raise _Bad(_("ต้องเป็นจำนวนเต็ม"))
    return int(number)


_TRUE = {"true", "1", "yes", "y", "ใช่", "ใช้", "จริง", "x", "✓"}
_FALSE = {"false", "0", "no", "n", "ไม่ใช่", "ไม่ใช้", "เท็จ", "-"}


def _boolean(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Bad(_("ต้องเป็น TRUE หรือ FALSE (ใช่/ไม่ใช่)"))


def _month_list(value: Any) -> list[int]:
    text = _text(value)
    if not text:
        return []
    months = []
    for part in re.split(r"[,\s;]+", text):
        if not part:
            continue
        if not part.isdigit():
            raise _Bad(_("รอบต้องเป็นจำนวนเดือนคั่นด้วยจุลภาค เช่น 6,12 (พบ “%(value)s”)") % {"value": part})
        months.append(int(part))
    return sorted(set(months))


@functools.cache
def _choice_table(enum) -> dict[str, str]:
    """Codes and (Thai and English) labels of a TextChoices, lower-cased, to the code."""
    choices = enum.choices
    table = {}
    for code, _label in choices:
        table[code.lower()] = code
    for language in ("th", "en"):
        with translation.override(language):
            for code, label in choices:
                table.setdefault(str(label).strip().lower(), code)
    return table


# --------------------------------------------------------------------------------------------------
# Reading the workbook
# --------------------------------------------------------------------------------------------------


class _FileProblem(Exception):
    pass


def _read_sheets(content: bytes, plan: WorkbookPlan) -> dict[str, list[_Row]]:
    """Every known sheet's data rows as dicts by column name; header problems go to ``plan``."""
    bad_file = _("อ่านไฟล์ไม่ได้: ไฟล์เสียหายหรือไม่ใช่ไฟล์ Excel (.xlsx)")
    if len(content) > max_file_bytes():
        raise _FileProblem(_("ไฟล์ใหญ่เกิน %(mb)s MB") % {"mb": max_file_bytes() // (1024 * 1024)})
    try:
        workbook = open_xlsx(content, max_bytes=max_file_bytes())
    except SpreadsheetError as exc:
        raise _FileProblem(str(exc)) from exc
    sheets: dict[str, list[_Row]] = {}
    total = 0
    try:
        titles = {sheet.title.strip().lower(): sheet for sheet in workbook.worksheets}
        for name, columns in SHEETS.items():
            sheet = titles.get(name)
            sheets[name] = []
            if sheet is None:
                if name in REQUIRED_SHEETS:
                    plan.error(name, None, _("ไม่พบแผ่นงาน “%(sheet)s” ในไฟล์") % {"sheet": name})
                continue
            sheet.reset_dimensions()  # some programs write a wrong <dimension>; read_only would trust it
            try:
                iterator = sheet.iter_rows(values_only=True)
                header = next(iterator, None)
                positions: dict[str, int] = {}
                for index, title in enumerate(header or ()):
                    key = _text(title).lower().replace(" ", "_")
                    if key in columns and key not in positions:
                        positions[key] = index
                missing = [c for c in REQUIRED_COLUMNS[name] if c not in positions]
                for column in missing:
                    plan.error(_Row(name, 1, {}), column, _("ไม่พบคอลัมน์ “%(column)s” ในแถวหัวตาราง") % {"column": column})
                if missing:
                    continue
                for number, cells in enumerate(iterator, start=2):
                    values = {
                        column: (cells[index] if index < len(cells) else None)
                        for column, index in positions.items()
                    }
                    values = {k: (v.strip().strip(_INVISIBLE).strip() if isinstance(v, str) else v) for k, v in values.items()}
                    if all(v is None or v == "" for v in values.values()):
                        continue
                    total += 1
                    if total > max_rows():
                        raise _FileProblem(_("ไฟล์มีข้อมูลเกิน %(rows)s แถว") % {"rows": max_rows()})
                    sheets[name].append(_Row(name, number, values))
            except _FileProblem:
                raise
            except Exception as exc:
                raise _FileProblem(bad_file) from exc
    finally:
        workbook.close()
    return sheets


class _Checker:
    """Reads one row's cells into typed values, reporting each bad cell to the plan."""

    def __init__(self, plan: WorkbookPlan, row: _Row) -> None:
        self.plan, self.row = plan, row

    def raw(self, column: str) -> Any:
        return self.row.cells.get(column)

    def text(self, column: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = _text(self.raw(column))
        if required and not value:
            self.plan.error(self.row, column, _("ต้องระบุ"))
        if max_length and len(value) > max_length:
            self.plan.error(self.row, column,
                            _("ยาวเกิน %(max)s ตัวอักษร (มี %(length)s)") % {"max": max_length, "length": len(value)})
            value = value[:max_length]
        return value

    def decimal(self, column: str, spec: dict[str, int], *, required: bool = False, minimum: Decimal | None = None,
                maximum: Decimal | None = None, default: Decimal | None = None) -> Decimal | None:
        try:
            value = _decimal(self.raw(column), spec)
        except _Bad as exc:
            self.plan.error(self.row, column, str(exc))
            return default
        if value is None:
            if required:
                self.plan.error(self.row, column, _("ต้องระบุ"))
            return default
        if minimum is not None and value < minimum or maximum is not None and value > maximum:
            if maximum is None:
                self.plan.error(self.row, column, _("ต้องไม่น้อยกว่า %(min)s") % {"min": minimum})
            else:
                self.plan.error(self.row, column, _("ต้องอยู่ระหว่าง %(min)s ถึง %(max)s") % {"min": minimum, "max": maximum})
        return value

    def integer(self, column: str, *, required: bool = False, default: int | None = 0, minimum: int = 0,
                maximum: int | None = None) -> int | None:
        try:
            value = _integer(self.raw(column))
        except _Bad as exc:
            self.plan.error(self.row, column, str(exc))
            return default
        if value is None:
            if required:
                self.plan.error(self.row, column, _("ต้องระบุ"))
            return default
        if value < minimum or (maximum is not None and value > maximum):
            if maximum is None:
                self.plan.error(self.row, column, _("ต้องไม่น้อยกว่า %(min)s") % {"min": minimum})
            else:
                self.plan.error(self.row, column, _("ต้องอยู่ระหว่าง %(min)s ถึง %(max)s") % {"min": minimum, "max": maximum})
            return default
        return value

    def boolean(self, column: str, default: bool) -> bool:
        try:
            return _boolean(self.raw(column), default)
        except _Bad as exc:
            self.plan.error(self.row, column, str(exc))
            return default

    def choice(self, column: str, enum, default: str) -> str:
        text = _text(self.raw(column))
        if not text:
            return default
        code = _choice_table(enum).get(text.lower())
        if code is None:
            allowed = ", ".join(enum.values)
            self.plan.error(self.row, column,
                            _("“%(value)s” ใช้ไม่ได้ ต้องเป็นหนึ่งใน: %(allowed)s") % {"value": text, "allowed": allowed})
            return default
        return code

    def rounds(self, column: str, available: dict[int, Any]) -> list[int]:
        try:
            months = _month_list(self.raw(column))
        except _Bad as exc:
            self.plan.error(self.row, column, str(exc))
            return []
        missing = [m for m in months if m not in available]
        if missing:
            self.plan.error(self.row, column, _(
                "ปีงบประมาณ %(year)s ไม่มีรอบ %(months)s เดือน (มีรอบ: %(available)s)"
            ) % {"year": self.plan.fiscal_year.year, "months": ", ".join(map(str, missing)),
                 "available": ", ".join(map(str, sorted(available))) or "-"})
        return [m for m in months if m in available]


# --------------------------------------------------------------------------------------------------
# Preview
# --------------------------------------------------------------------------------------------------


def framework_import_preview(*, content: bytes, fiscal_year: FiscalYear) -> WorkbookPlan:
    """Read and check a workbook against ``fiscal_year``; writes nothing, reports every error it finds."""
    plan = WorkbookPlan(fiscal_year=fiscal_year)
    try:
        sheets = _read_sheets(content, plan)
    except _FileProblem as exc:
        plan.error("framework", None, str(exc))
        return plan
    plan.summary = {name: len(rows) for name, rows in sheets.items()}
    rounds = {r.months: r for r in fiscal_year.rounds.all()}

    _check_framework(plan, sheets["framework"])
    group_rows = _check_groups(plan, sheets["groups"])
    indicator_rows = _check_indicators(plan, sheets["indicators"], group_rows, rounds)
    variable_codes = _check_variables(plan, sheets["variables"], indicator_rows, rounds)
    _check_thresholds(plan, sheets["thresholds"], indicator_rows)
    _check_steps(plan, sheets["steps"], indicator_rows)
    _check_levels(plan, sheets["levels"], indicator_rows)
    _check_components(plan, sheets["components"], indicator_rows)
    _check_formulas(plan, indicator_rows, variable_codes)
    _check_rules(plan, sheets["rules"], indicator_rows, variable_codes)
    plan.errors.sort(key=lambda issue: (list(SHEETS).index(issue.sheet) if issue.sheet in SHEETS else 99,
                                        issue.row or 0, _column_index(issue)))
    return plan


def _column_index(issue: WorkbookIssue) -> int:
    columns = SHEETS.get(issue.sheet, ())
    return columns.index(issue.column) if issue.column in columns else len(columns)


def _check_framework(plan: WorkbookPlan, rows: list[_Row]) -> None:
    if not rows:
        if not any(issue.sheet == "framework" for issue in plan.errors):
            plan.error("framework", 2, _("แผ่นงาน framework ต้องมีข้อมูลกรอบการประเมิน 1 แถว"))
        return
    for extra in rows[1:]:
        plan.error(extra, None, _("แผ่นงาน framework มีได้เพียง 1 แถว"))
    row = rows[0]
    check = _Checker(plan, row)
    code = check.text("code", required=True, max_length=_max_length(Framework, "code"))
    data = {
        "code": code,
        "name": check.text("name", required=True, max_length=_max_length(Framework, "name")),
        "kind": check.choice("kind", Framework.Kind, Framework.Kind.AGREEMENT),
        "description": check.text("description"),
    }
    if code and Framework.objects.filter(fiscal_year=plan.fiscal_year, code=code).exists():
        plan.error(row, "code", _(
            "ปีงบประมาณ %(year)s มีกรอบการประเมินรหัส %(code)s อยู่แล้ว การนำเข้าสร้างกรอบการประเมินใหม่เสมอ"
            " (ไม่แก้ไขกรอบเดิม) โปรดเปลี่ยนรหัสในไฟล์ หรือเลือกปีงบประมาณอื่น"
        ) % {"year": plan.fiscal_year.year, "code": code})
    plan.framework = data


def _unique(plan: WorkbookPlan, row: _Row, column: str, key, seen: dict, message: str) -> bool:
    """Remember ``key`` for ``row``; report a duplicate of an earlier row and answer False."""
    first = seen.setdefault(key, row)
    if first is not row:
        plan.error(row, column, message % {"row": first.number})
        return False
    return True


def _order_parents_first(items: dict[str, dict[str, Any]], parent_key: str) -> tuple[list[dict[str, Any]], set[str]]:
    """Items with parents before children, and the codes caught in a cycle."""
    ordered: list[dict[str, Any]] = []
    placed: set[str] = set()
    pending = list(items.values())
    while pending:
        remaining = [item for item in pending if item[parent_key] and item[parent_key] not in placed]
        ready = [item for item in pending if not (item[parent_key] and item[parent_key] not in placed)]
        if not ready:
            return ordered, {item["code"] for item in remaining}
        ordered.extend(ready)
        placed.update(item["code"] for item in ready)
        pending = remaining
    return ordered, set()


def _check_groups(plan: WorkbookPlan, rows: list[_Row]) -> dict[str, dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    seen: dict = {}
    for row in rows:
        check = _Checker(plan, row)
        code = check.text("code", required=True, max_length=_max_length(Group, "code"))
        item = {
            "row": row, "code": code,
            "parent_code": check.text("parent_code"),
            "level_name": check.text("level_name", max_length=_max_length(Group, "level_name")),
            "name": check.text("name", required=True, max_length=_max_length(Group, "name")),
            "weight": check.decimal("weight", WEIGHT_FIELD, required=True, minimum=Decimal(0)),
            "order": check.integer("order"),
        }
        if code and _unique(plan, row, "code", code, seen, _("รหัสมิติ/หมวดซ้ำกับแถวที่ %(row)s")):
            groups[code] = item
    for item in groups.values():
        parent = item["parent_code"]
        if parent and parent not in groups:
            plan.error(item["row"], "parent_code", _("ไม่พบมิติ/หมวดรหัส “%(code)s” ในแผ่นงาน groups") % {"code": parent})
            item["parent_code"] = ""
        elif parent and parent == item["code"]:
            plan.error(item["row"], "parent_code", _("มิติ/หมวดเป็นกลุ่มแม่ของตัวเองไม่ได้"))
            item["parent_code"] = ""
    ordered, cycle = _order_parents_first(groups, "parent_code")
    for code in sorted(cycle):
        plan.error(groups[code]["row"], "parent_code", _("โครงสร้างมิติ/หมวดวนกลับหากัน"))
    plan.groups = ordered
    return groups


def _check_indicators(plan: WorkbookPlan, rows: list[_Row], groups: dict, rounds: dict) -> dict[str, dict[str, Any]]:
    indicators: dict[str, dict[str, Any]] = {}
    seen: dict = {}
    owner_codes = {_text(row.cells.get("owner_code")) for row in rows} - {""}
    offices = {office.code: office for office in Office.objects.filter(code__in=owner_codes)}
    for row in rows:
        check = _Checker(plan, row)
        code = check.text("code", required=True, max_length=_max_length(Indicator, "code"))
        item: dict[str, Any] = {
            "row": row, "code": code,
            "parent_code": check.text("parent_code"),
            "group_code": check.text("group_code"),
            "name": check.text("name", required=True),
            "description": check.text("description"),
            "unit": check.text("unit", max_length=_max_length(Indicator, "unit")),
            "target": check.decimal("target", VALUE_FIELD),
            "weight": check.decimal("weight", WEIGHT_FIELD, required=True, minimum=Decimal(0)),
            "owner_code": check.text("owner_code"),
            "method": check.choice("method", Indicator.Method, Indicator.Method.QUANTITATIVE),
            "formula": check.text("formula", max_length=_max_length(Indicator, "formula")),
            "frequency": check.choice("frequency", Indicator.Frequency, Indicator.Frequency.HALF_YEARLY),
            "applies_to_primary": check.boolean("applies_to_primary", True),
            "applies_to_secondary": check.boolean("applies_to_secondary", True),
            "rounds": check.rounds("rounds", rounds),
            "pass_score": check.decimal("pass_score", SCORE_FIELD, minimum=Decimal(1), maximum=Decimal(5), default=Decimal(5)),
            "fail_score": check.decimal("fail_score", SCORE_FIELD, minimum=Decimal(1), maximum=Decimal(5), default=Decimal(1)),
            "order": check.integer("order"),
            "response": check.choice("response", Indicator.Response, Indicator.Response.NONE),
        }
        for name in TEMPLATE_FIELDS:
            item[name] = check.text(name, max_length=_max_length(Indicator, name))
        if item["parent_code"] and item["group_code"]:
            plan.error(row, "group_code", _("ตัวชี้วัดย่อยอยู่ใต้ตัวชี้วัดหลัก ไม่ต้องระบุ group_code"))
        if item["group_code"] and item["group_code"] not in groups:
            plan.error(row, "group_code", _("ไม่พบมิติ/หมวดรหัส “%(code)s” ในแผ่นงาน groups") % {"code": item["group_code"]})
        owner = item["owner_code"]
        if owner:
            office = offices.get(owner)
            if office is None:
                plan.error(row, "owner_code", _("ไม่พบหน่วยงานรหัส “%(code)s” ในระบบ") % {"code": owner})
            elif office.kind != Office.Kind.BUREAU:
                plan.error(row, "owner_code", _("หน่วยงาน “%(code)s” ไม่ใช่สำนักส่วนกลาง") % {"code": owner})
            item["owner"] = office
        if not (item["applies_to_primary"] or item["applies_to_secondary"]):
            plan.error(row, "applies_to_secondary", _("ต้องใช้กับ สพป. หรือ สพม. อย่างน้อยหนึ่งประเภท"))
        if item["method"] == Indicator.Method.QUANTITATIVE and not item["formula"]:
            plan.error(row, "formula", _("ตัวชี้วัดเชิงปริมาณต้องมีสูตรคำนวณ"))
        if code and _unique(plan, row, "code", code, seen, _("รหัสตัวชี้วัดซ้ำกับแถวที่ %(row)s")):
            indicators[code] = item
    for item in indicators.values():
        parent = item["parent_code"]
        if parent == item["code"]:
            plan.error(item["row"], "parent_code", _("ตัวชี้วัดเป็นตัวชี้วัดหลักของตัวเองไม่ได้"))
            item["parent_code"] = ""
        elif parent and parent not in indicators:
            plan.error(item["row"], "parent_code", _("ไม่พบตัวชี้วัดรหัส “%(code)s” ในแผ่นงาน indicators") % {"code": parent})
            item["parent_code"] = ""
    ordered, cycle = _order_parents_first(indicators, "parent_code")
    for code in sorted(cycle):
        plan.error(indicators[code]["row"], "parent_code", _("ตัวชี้วัดหลัก/ย่อยวนกลับหากัน"))
    plan.indicators = ordered
    return indicators


def _indicator_ref(plan: WorkbookPlan, check: _Checker, indicators: dict) -> str:
    """The row's indicator_code if it names an indicator of the indicators sheet, else ""."""
    code = check.text("indicator_code", required=True)
    if code and code not in indicators:
        plan.error(check.row, "indicator_code", _("ไม่พบตัวชี้วัดรหัส “%(code)s” ในแผ่นงาน indicators") % {"code": code})
        return ""
    return code


def _check_variables(plan: WorkbookPlan, rows: list[_Row], indicators: dict, rounds: dict) -> dict[str, set[str]]:
    codes: dict[str, set[str]] = {code: set() for code in indicators}
    seen: dict = {}
    for row in rows:
        check = _Checker(plan, row)
        indicator = _indicator_ref(plan, check, indicators)
        code = check.text("code", required=True, max_length=_max_length(Variable, "code"))
        if code and not code.isidentifier():
            plan.error(row, "code", _("รหัสตัวแปรต้องขึ้นต้นด้วยตัวอักษร และมีแต่ตัวอักษรหรือตัวเลข เช่น A, B, C1"))
        item = {
            "row": row, "indicator_code": indicator, "code": code,
            "name": check.text("name", required=True),
            "unit": check.text("unit", max_length=_max_length(Variable, "unit")),
            "kind": check.choice("kind", Variable.Kind, Variable.Kind.NUMBER),
            "source": check.choice("source", Variable.Source, Variable.Source.DISTRICT),
            "minimum": check.decimal("minimum", VALUE_FIELD),
            "maximum": check.decimal("maximum", VALUE_FIELD),
            "rounds": check.rounds("rounds", rounds),
            "order": check.integer("order"),
            "change_factor": check.decimal("change_factor", FACTOR_FIELD, minimum=Decimal(1)),
            "peer_factor": check.decimal("peer_factor", FACTOR_FIELD, minimum=Decimal(1)),
        }
        if item["minimum"] is not None and item["maximum"] is not None and item["minimum"] > item["maximum"]:
            plan.error(row, "maximum", _("ค่าสูงสุดต้องไม่น้อยกว่าค่าต่ำสุด"))
        if indicator and code and _unique(plan, row, "code", (indicator, code), seen,
                                          _("รหัสตัวแปรซ้ำกับแถวที่ %(row)s ของตัวชี้วัดเดียวกัน")):
            codes[indicator].add(code)
            plan.variables.append(item)
    return codes


def _strictly_monotonic(values: list[Decimal]) -> bool:
    pairs = list(zip(values, values[1:], strict=False))
    return all(a < b for a, b in pairs) or all(a > b for a, b in pairs)


def _check_thresholds(plan: WorkbookPlan, rows: list[_Row], indicators: dict) -> None:
    seen: dict = {}
    for row in rows:
        check = _Checker(plan, row)
        indicator = _indicator_ref(plan, check, indicators)
        values = {level: check.decimal(f"level_{level}", VALUE_FIELD) for level in LEVELS}
        present = {level: value for level, value in values.items() if value is not None}
        if not indicator or not _unique(plan, row, "indicator_code", indicator, seen,
                                        _("ตัวชี้วัดนี้มีเกณฑ์แล้วในแถวที่ %(row)s (ใช้ 1 แถวต่อ 1 ตัวชี้วัด)")):
            continue
        quantitative = indicators[indicator]["method"] == Indicator.Method.QUANTITATIVE
        if quantitative:
            for level in LEVELS:
                if level not in present and _text(row.cells.get(f"level_{level}")) == "":
                    plan.error(row, f"level_{level}", _("ตัวชี้วัดเชิงปริมาณต้องมีเกณฑ์ครบ 5 ระดับ"))
        ordered = [present[level] for level in sorted(present)]
        if len(ordered) > 1 and not _strictly_monotonic(ordered):
            plan.error(row, "level_1", _("เกณฑ์ระดับ 1–5 ต้องเพิ่มขึ้นหรือลดลงทุกระดับ (ห้ามเท่ากันหรือสลับทิศ)"))
        plan.thresholds.extend({"indicator_code": indicator, "level": level, "value": value} for level, value in present.items())
    for code, item in indicators.items():
        if item["method"] == Indicator.Method.QUANTITATIVE and code not in seen:
            plan.error(item["row"], "method", _("ตัวชี้วัดเชิงปริมาณต้องมีเกณฑ์ครบ 5 ระดับในแผ่นงาน thresholds"))


def _check_steps(plan: WorkbookPlan, rows: list[_Row], indicators: dict) -> None:
    seen: dict = {}
    for row in rows:
        check = _Checker(plan, row)
        indicator = _indicator_ref(plan, check, indicators)
        number = check.integer("number", required=True, default=None, minimum=1, maximum=5)
        item = {
            "indicator_code": indicator, "number": number,
            "description": check.text("description", required=True),
            "sub_items": check.integer("sub_items", default=1, minimum=1, maximum=32767),
        }
        if indicator and number is not None and _unique(plan, row, "number", (indicator, number), seen,
                                                        _("ขั้นที่นี้ซ้ำกับแถวที่ %(row)s ของตัวชี้วัดเดียวกัน")):
            plan.steps.append(item)


def _check_levels(plan: WorkbookPlan, rows: list[_Row], indicators: dict) -> None:
    seen: dict = {}
    for row in rows:
        check = _Checker(plan, row)
        indicator = _indicator_ref(plan, check, indicators)
        code = check.text("code", required=True, max_length=_max_length(RubricLevel, "code"))
        item = {
            "indicator_code": indicator, "code": code,
            "name": check.text("name", required=True, max_length=_max_length(RubricLevel, "name")),
            "score": check.decimal("score", SCORE_FIELD, required=True, minimum=Decimal(1), maximum=Decimal(5)),
            "criteria": check.text("criteria"),
        }
        if indicator and code and _unique(plan, row, "code", (indicator, code), seen,
                                          _("รหัสระดับซ้ำกับแถวที่ %(row)s ของตัวชี้วัดเดียวกัน")):
            plan.levels.append(item)


def _check_components(plan: WorkbookPlan, rows: list[_Row], indicators: dict) -> None:
    seen: dict = {}
    for row in rows:
        check = _Checker(plan, row)
        indicator = _indicator_ref(plan, check, indicators)
        source = check.text("source_code", required=True)
        weight = check.decimal("weight", WEIGHT_FIELD, required=True, minimum=Decimal(0))
        if source and source not in indicators:
            plan.error(row, "source_code", _("ไม่พบตัวชี้วัดรหัส “%(code)s” ในแผ่นงาน indicators") % {"code": source})
            continue
        if source and source == indicator:
            plan.error(row, "source_code", _("ตัวชี้วัดใช้คะแนนของตัวเองไม่ได้"))
            continue
        if indicator and source and _unique(plan, row, "source_code", (indicator, source), seen,
                                            _("ที่มาของคะแนนนี้ซ้ำกับแถวที่ %(row)s")):
            plan.components.append({"indicator_code": indicator, "source_code": source, "weight": weight})


def _check_formulas(plan: WorkbookPlan, indicators: dict, variable_codes: dict[str, set[str]]) -> None:
    for code, item in indicators.items():
        if not item["formula"]:
            continue
        try:
            parse_formula(item["formula"], variables=variable_codes.get(code, set()))
        except FormulaError as exc:
            plan.error(item["row"], "formula", str(exc))


def _check_rules(plan: WorkbookPlan, rows: list[_Row], indicators: dict, variable_codes: dict[str, set[str]]) -> None:
    """The rules sheet: each side an expression over the indicator's variable codes (and ``result``)."""

    for row in rows:
        check = _Checker(plan, row)
        indicator = _indicator_ref(plan, check, indicators)
        item = {
            "indicator_code": indicator,
            "left": check.text("left", required=True, max_length=_max_length(ValidationRule, "left")),
            "operator": _operator(plan, row, check.raw("operator")),
            "right": check.text("right", required=True, max_length=_max_length(ValidationRule, "right")),
            "severity": check.choice("severity", ValidationRule.Severity, ValidationRule.Severity.ERROR),
            "message": check.text("message"),
            "message_en": check.text("message_en"),
            "order": check.integer("order"),
        }
        if not indicator:
            continue
        names = rule_names(Indicator(formula=indicators[indicator]["formula"]), variable_codes.get(indicator, set()))
        for side in ("left", "right"):
            if item[side]:
                try:
                    rule_expression(item[side], names)
                except FormulaError as exc:
                    plan.error(row, side, str(exc))
        plan.rules.append(item)


# The operators as people write them in a spreadsheet, typographic signs included.
_OPERATOR_ALIASES = {"≤": "<=", "=<": "<=", "≥": ">=", "=>": ">=", "=": "==", "≠": "!=", "<>": "!="}


def _operator(plan: WorkbookPlan, row: _Row, value: Any) -> str:
    text = _text(value).replace(" ", "")
    if not text:
        # Required: a spreadsheet reads a cell typed "=" or "==" as a formula, which arrives empty.
        plan.error(row, "operator", _("กรุณากรอกเงื่อนไข เช่น <= (ถ้าพิมพ์ใน Excel ให้ใส่ ' นำหน้า เช่น '==)"))
        return ""
    text = _OPERATOR_ALIASES.get(text, text)
    if text not in ValidationRule.Operator.values:
        plan.error(row, "operator", _("เงื่อนไขต้องเป็น <=, <, >=, >, == หรือ != (ได้ “%(value)s”)") % {"value": _text(value)})
    return text


# --------------------------------------------------------------------------------------------------
# Apply
# --------------------------------------------------------------------------------------------------

_GROUP_FIELDS = ("code", "level_name", "name", "weight", "order")
_INDICATOR_FIELDS = (
    "code", "name", "description", "unit", "target", "weight", "method", "formula", "frequency",
    "applies_to_primary", "applies_to_secondary", "pass_score", "fail_score", "order", *TEMPLATE_FIELDS, "response",
)
_VARIABLE_FIELDS = ("code", "name", "unit", "kind", "source", "minimum", "maximum", "order", "change_factor",
                    "peer_factor")
_RULE_FIELDS = ("left", "operator", "right", "severity", "message", "message_en", "order")


def framework_import_apply(*, content: bytes, fiscal_year: FiscalYear) -> Framework:
    """Check the workbook again and create the framework, as a draft, with everything in it; or raise WorkbookRejected."""
    with transaction.atomic():
        plan = framework_import_preview(content=content, fiscal_year=fiscal_year)
        if not plan.is_valid:
            raise WorkbookRejected(plan)
        rounds = {r.months: r for r in fiscal_year.rounds.all()}
        framework = Framework.objects.create(fiscal_year=fiscal_year, status=Framework.Status.DRAFT, **plan.framework)
        groups: dict[str, Group] = {}
        for item in plan.groups:
            groups[item["code"]] = Group.objects.create(
                framework=framework, parent=groups.get(item["parent_code"]), **{k: item[k] for k in _GROUP_FIELDS}
            )
        indicators: dict[str, Indicator] = {}
        for item in plan.indicators:
            indicator = Indicator.objects.create(
                framework=framework, group=groups.get(item["group_code"]), parent=indicators.get(item["parent_code"]),
                owner=item.get("owner"), **{k: item[k] for k in _INDICATOR_FIELDS},
            )
            if item["rounds"]:
                indicator.rounds.set([rounds[m] for m in item["rounds"]])
            indicators[item["code"]] = indicator
        for item in plan.variables:
            variable = Variable.objects.create(
                indicator=indicators[item["indicator_code"]], **{k: item[k] for k in _VARIABLE_FIELDS}
            )
            if item["rounds"]:
                variable.rounds.set([rounds[m] for m in item["rounds"]])
        Threshold.objects.bulk_create([
            Threshold(indicator=indicators[t["indicator_code"]], level=t["level"], value=t["value"]) for t in plan.thresholds
        ])
        MilestoneStep.objects.bulk_create([
            MilestoneStep(indicator=indicators[s["indicator_code"]], number=s["number"], description=s["description"],
                          sub_items=s["sub_items"])
            for s in plan.steps
        ])
        RubricLevel.objects.bulk_create([
            RubricLevel(indicator=indicators[lv["indicator_code"]], code=lv["code"], name=lv["name"], score=lv["score"],
                        criteria=lv["criteria"])
            for lv in plan.levels
        ])
        DerivedComponent.objects.bulk_create([
            DerivedComponent(indicator=indicators[c["indicator_code"]], source=indicators[c["source_code"]], weight=c["weight"])
            for c in plan.components
        ])
        ValidationRule.objects.bulk_create([
            ValidationRule(indicator=indicators[r["indicator_code"]], **{k: r[k] for k in _RULE_FIELDS}) for r in plan.rules
        ])
    return framework


# --------------------------------------------------------------------------------------------------
# Between preview and confirm
# --------------------------------------------------------------------------------------------------


def workbook_stash(*, session: SessionBase, content: bytes, filename: str, fiscal_year: FiscalYear) -> str:
    """Keep the previewed file in the session (never in the form) and return its SHA-256 digest."""
    return upload_stash(session, key=SESSION_KEY, content=content, filename=filename, fiscal_year=fiscal_year.pk)


def workbook_unstash(*, session: SessionBase, digest: str) -> tuple[bytes, str, int] | None:
    """The stashed file, its name and fiscal year id if the digest matches, else None."""
    stashed = upload_unstash(session, key=SESSION_KEY, digest=digest)
    if stashed is None:
        return None
    content, record = stashed
    return content, record.get("filename", ""), record.get("fiscal_year")


def workbook_discard(*, session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)
