"""The reports' tables as files: XLSX (numbers as numbers) and CSV (UTF-8 with a BOM, so Excel reads Thai).

Each report (``reporting.reports``) becomes one ``Table`` here; ``xlsx_bytes`` and ``csv_bytes`` write any
table. The numbers are the very Decimals the pages show, never recomputed and never floats: an XLSX cell
gets the Decimal (openpyxl writes it as a number) with the five-decimal format "0.00000"; a CSV cell gets
the plain text "3.45000". Dates are written as the pages show them, in พ.ศ. ("31 มี.ค. 2569"), because
an Excel date would show the Christian year.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from krs.thaicalendar import format_thai_date
from reports import common, national, progress, scorecard

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")
SCORE_FORMAT = "0.00000"


@dataclass
class Column:
    label: str
    kind: str = "text"  # "text", "int" or "score" (a Decimal shown with 5 decimals)
    width: int = 12


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[object]]


def _csv_cell(value: object, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.5f}" if column.kind == "score" else format(value, "f")
    if isinstance(value, date):
        return format_thai_date(value)
    return str(value)


def csv_bytes(table: Table) -> bytes:
    """The table as CSV: UTF-8 with the byte-order mark (Excel then reads Thai), CRLF lines, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.label for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(value, column) for value, column in zip(row, table.columns, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "data"


def xlsx_bytes(table: Table) -> bytes:
    """The table as one XLSX sheet: a bold header row, then the rows; scores are numbers formatted 0.00000.

    A write-only workbook: 30,000 rows are written in a stream, not held as cell objects.
    """

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(table.title))
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells = []
        for value, column in zip(row, table.columns, strict=True):
            if isinstance(value, date):
                value = format_thai_date(value)
            cell = WriteOnlyCell(sheet, value=value)
            if column.kind == "score":
                cell.number_format = SCORE_FORMAT
            elif column.kind == "int":
                cell.number_format = "0"
            elif isinstance(value, str):
                # Office and indicator codes stay text (a code like 0101 would lose its zero as a number).
                cell.number_format = "@"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def response(table: Table, fmt: str, filename: str) -> HttpResponse:
    """The table as a download: ``fmt`` is "xlsx" or "csv"; ``filename`` without its extension (ASCII)."""
    if fmt == "xlsx":
        content, content_type = xlsx_bytes(table), XLSX_TYPE
    elif fmt == "csv":
        content, content_type = csv_bytes(table), CSV_TYPE
    else:
        raise ValueError(f"unknown format: {fmt}")
    result = HttpResponse(content, content_type=content_type)
    result["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    result["Cache-Control"] = "no-store"  # scores of named offices: never left in a shared cache
    return result


def _status_columns() -> list[Column]:
    return [Column(str(label), "int", 14) for _value, label in common.statuses()]


def _round_name(round_) -> str:
    return f"{round_.fiscal_year.year}-{round_.months}m"


# --- The tables ------------------------------------------------------------------------------------------


def scorecard_table(card: scorecard.Scorecard) -> tuple[Table, str]:
    """The scorecard of one round: the tree's lines, with the overall score as the last row."""
    columns = [
        Column(_("รหัส"), width=10), Column(_("ตัวชี้วัด / มิติ"), width=60), Column(_("ระดับ"), width=12),
        Column(_("สถานะ"), width=22), Column(_("คะแนนประเมินตนเอง"), "score", 14),
        Column(_("คะแนนที่รับรอง"), "score", 14), Column(_("หักคะแนนส่งช้า"), "score", 12),
        Column(_("คะแนนที่นับ"), "score", 14), Column(_("น้ำหนัก"), "score", 10),
        Column(_("น้ำหนักที่ใช้คำนวณ (ร้อยละ)"), "score", 14), Column(_("คะแนนถ่วงน้ำหนัก"), "score", 14),
    ]
    line_kinds = {"group": _("มิติ/หมวด"), "parent": _("ตัวชี้วัดหลัก"), "indicator": _("ตัวชี้วัด")}
    rows = []
    for line in card.lines:
        rows.append([
            line.code, line.name if not line.node.is_group else str(line.node.obj), line_kinds[line.kind],
            str(line.status_label), line.self_score, line.official_score, line.late_penalty, line.score,
            line.weight, line.effective_weight, line.contribution,
        ])
    rows.append(["", _("คะแนนรวมถ่วงน้ำหนัก"), "", "", None, None, None, card.overall, None, None, None])
    title = _("ผลการประเมิน %(office)s") % {"office": card.office.code}
    return Table(title, columns, rows), f"scorecard-{card.office.code}-{_round_name(card.round)}"


def scorecard_year_table(card: scorecard.Scorecard) -> tuple[Table, str]:
    """The year's rounds side by side: each line's counted score (or subtotal) per round, then the overall."""
    columns = [Column(_("รหัส"), width=10), Column(_("ตัวชี้วัด / มิติ"), width=60)]
    columns += [Column(str(r.label), "score", 16) for r in card.year_rounds]
    rows = [[line.node.obj.code, line.title, *line.scores] for line in card.year_lines]
    rows.append(["", _("คะแนนรวมถ่วงน้ำหนัก"), *card.year_overall])
    title = _("ผลรายรอบ %(office)s") % {"office": card.office.code}
    return Table(title, columns, rows), f"scorecard-{card.office.code}-{card.fiscal_year}-rounds"


def scorecard_weeks_table(card: scorecard.Scorecard) -> tuple[Table, str]:
    """The overall score week by week (the Monday of each week), with the counts by status then."""
    columns = [Column(_("สัปดาห์ (วันจันทร์)"), width=16), Column(_("คะแนนรวมถ่วงน้ำหนัก"), "score", 16),
               *_status_columns()]
    rows = [[point.week, point.overall, *point.counts.values()] for point in card.weeks]
    title = _("ผลรายสัปดาห์ %(office)s") % {"office": card.office.code}
    return Table(title, columns, rows), f"scorecard-{card.office.code}-{_round_name(card.round)}-weeks"


def ranking_table(ranking: national.Ranking) -> tuple[Table, str]:
    columns = [
        Column(_("อันดับ"), "int", 8), Column(_("รหัสหน่วยงาน"), width=12), Column(_("ชื่อหน่วยงาน"), width=60),
        Column(_("ประเภท"), width=12), Column(_("คะแนนรวมถ่วงน้ำหนัก"), "score", 16), *_status_columns(),
        Column(_("รวม"), "int", 8),
        # The report's late penalty (seed 002), already taken off the overall score.
        Column(_("ส่งช้า (วันทำการ)"), "int", 12), Column(_("หักคะแนนส่งช้า"), "score", 14),
    ]
    rows = [
        [row.rank, row.office.code, row.office.name_th, _kind_short(row.office.kind), row.overall,
         *row.counts.values(), row.total,
         row.lateness.late_days if row.lateness else None, row.lateness.penalty if row.lateness else None]
        for row in ranking.rows
    ]
    return Table(_("อันดับ สพท."), columns, rows), f"ranking-{_filters_name(ranking.filters)}"


def indicators_table(results: national.IndicatorResults) -> tuple[Table, str]:
    columns = [
        Column(_("รหัส"), width=10), Column(_("ตัวชี้วัด"), width=60), *_status_columns(), Column(_("รวม"), "int", 8),
        Column(_("คะแนนเฉลี่ย"), "score", 12), *(Column(label, "int", 14) for label in results.bins),
    ]
    rows = [[row.indicator.code, row.indicator.name, *row.counts.values(), row.total, row.average, *row.bins]
            for row in results.rows]
    return Table(_("ผลรายตัวชี้วัด"), columns, rows), f"indicators-{_filters_name(results.filters)}"


def bureaus_table(results: national.BureauResults) -> tuple[Table, str]:
    columns = [
        Column(_("สำนัก"), width=50), *_status_columns(), Column(_("รวม"), "int", 8),
        Column(_("รอรับรองนานที่สุดตั้งแต่"), width=18), Column(_("รอมาแล้ว (วัน)"), "int", 12),
    ]
    rows = [[_bureau_name(row), *row.counts.values(), row.total, row.oldest_waiting, row.waiting_days]
            for row in results.rows]
    return Table(_("ผลรายสำนัก"), columns, rows), f"bureaus-{_filters_name(results.filters)}"


def unreported_table(data: progress.Progress) -> tuple[Table, str]:
    columns = [Column(_("รหัสหน่วยงาน"), width=12), Column(_("ชื่อหน่วยงาน"), width=60),
               Column(_("ยังไม่รายงานผล"), "int", 14), Column(_("ไม่รับรอง (ต้องแก้ไข)"), "int", 14),
               Column(_("รวม"), "int", 8)]
    rows = [[row.office.code, row.office.name_th, row.not_reported, row.rejected, row.total]
            for row in data.unreported]
    return Table(_("สพท. ที่ยังไม่รายงานผล"), columns, rows), f"unreported-{_progress_name(data)}"


def waiting_table(data: progress.Progress) -> tuple[Table, str]:
    columns = [Column(_("สำนัก"), width=50), Column(_("รอการรับรองผล"), "int", 14),
               Column(_("รอรับรองนานที่สุดตั้งแต่"), width=18), Column(_("รอมาแล้ว (วัน)"), "int", 12)]
    rows = [[_bureau_name(row), row.counts["awaiting"], row.oldest_waiting, row.waiting_days]
            for row in data.waiting]
    return Table(_("สำนักที่มีรายการรอรับรอง"), columns, rows), f"waiting-{_progress_name(data)}"


def fixes_table(data: progress.Progress) -> tuple[Table, str]:
    columns = [Column(_("รหัสหน่วยงาน"), width=12), Column(_("ชื่อหน่วยงาน"), width=50),
               Column(_("ตัวชี้วัด"), width=10), Column(_("ชื่อตัวชี้วัด"), width=50),
               Column(_("กำหนดแก้ไข"), width=22)]
    rows = [[row.entry.office.code, row.entry.office.name_th, row.entry.indicator.code, row.entry.indicator.name,
             format_thai_date(row.entry.fix_deadline)] for row in data.fixes]
    return Table(_("รายการที่ใกล้ครบกำหนดแก้ไข"), columns, rows), f"fixes-{_progress_name(data)}"


def _kind_short(kind: str) -> str:
    return {"primary": _("สพป."), "secondary": _("สพม.")}.get(kind, kind)


def _bureau_name(row: national.BureauRow) -> str:
    return row.bureau.name_th if row.bureau else _("ไม่ระบุสำนัก")


def _filters_name(filters: common.Filters) -> str:
    parts = [_round_name(filters.round)] if filters.round else []
    if filters.framework:
        parts.append(re.sub(r"[^A-Za-z0-9._-]", "", filters.framework.code) or str(filters.framework.pk))
    if filters.kind:
        parts.append(filters.kind)
    return "-".join(parts) or "all"


def _progress_name(data: progress.Progress) -> str:
    return _round_name(data.round) if data.round else "all"


SCORECARD_TABLES = {"indicators": scorecard_table, "rounds": scorecard_year_table, "weeks": scorecard_weeks_table}
NATIONAL_TABLES = {"ranking": ranking_table, "indicators": indicators_table, "bureaus": bureaus_table}
PROGRESS_TABLES = {"unreported": unreported_table, "waiting": waiting_table, "fixes": fixes_table}
