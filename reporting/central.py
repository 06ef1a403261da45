"""Central data (ข้อมูลส่วนกลาง): the values a bureau enters for every district, on a grid or from a file.

Some variables are not typed by the districts but by the bureau that owns the indicator
(``Variable.source == "central"``). The bureau sees one row per district, types or uploads the values,
and saves them all or none: every cell is checked first, and the write goes through the same
``services.entries_write_inputs`` as the district's entry page, so scores, statuses and the audit trail
(``ValueChange`` with source ``central_grid`` / ``central_upload``) follow the same rules.

Selectors: ``central_indicators_for``, ``central_overview``, ``central_indicator``, ``central_grid``.
Services: ``central_save``. Files: ``central_parse_upload`` (read and check, writes nothing),
``central_template`` (the grid as XLSX/CSV, to fill in). docs/central-data.md describes it for users.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

import openpyxl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from indicators.models import Framework, Indicator, Round, Variable
from indicators.numbers import POINT, format_value, parse_for
from indicators.selectors import latest_round
from krs.imports import max_file_bytes, max_rows
from krs.models import Office
from krs.permissions import is_bureau_certifier
from krs.spreadsheets import (
    OFFICE_CODE_HEADERS,
    NumberCell,
    RowIssue,
    SpreadsheetError,
    Table,
    match_headers,
    normalise_code,
    read_upload,
)
from reporting.checks import Checked, entries_check, is_confirmed, warnings_token
from reporting.compute import (
    Inputs,
    active_variables,
    central_level,
    entry_inputs,
    formula_variables,
    indicator_config,
    result_refusal,
)
from reporting.models import Entry, StepValue, Value, ValueChange
from reporting.rules import central_edit_block, may_enter_central_data
from reporting.selectors import values_and_steps
from reporting.services import entries_write_inputs

# The API (api/) saves a bureau's batch through central_save too, audited as its own source.
SOURCES = (ValueChange.Source.CENTRAL_GRID, ValueChange.Source.CENTRAL_UPLOAD, ValueChange.Source.API)


def central_variables(indicator: Indicator, round_: Round) -> list[Variable]:
    """The indicator's central variables reported in this round, in order (reads ``indicator_config``'s prefetch)."""
    return [v for v in active_variables(indicator, round_) if v.source == Variable.Source.CENTRAL]


# The grid's column of a level the bureau enters for every district (PMQA 1.2 from ITA, category 6's group):
# not a variable code, since codes are letters and digits.
LEVEL = "@level"


def cell_name(entry_id: int, code: str) -> str:
    """The grid's form field of one district's value of one variable."""
    return f"e{entry_id}-{code}"


# --- Which indicators --------------------------------------------------------------------------------


def _owned_in_round(office: Office, round_: Round):
    """Leaf indicators of the round's published frameworks, owned by the office, with a central variable or a
    level the office enters for every district (``compute.central_level``)."""
    return (
        Indicator.objects.filter(
            Q(variables__source=Variable.Source.CENTRAL)
            | Q(frequency=Indicator.Frequency.NONE, method=Indicator.Method.RUBRIC),
            owner=office,
            framework__fiscal_year_id=round_.fiscal_year_id,
            framework__status=Framework.Status.PUBLISHED,
            children__isnull=True,
        )
        .distinct()
        .order_by("framework__code", "order", "code")
    )


def _takes_central_data(indicator: Indicator, round_: Round) -> bool:
    return indicator.is_active_in(round_, {r.pk for r in indicator.rounds.all()}) and (
        bool(central_variables(indicator, round_)) or central_level(indicator)
    )


def central_indicators_for(user, round_: Round) -> list[Indicator]:
    """The indicators whose central data the user's bureau enters in this round, configured (7 queries)."""
    if not is_bureau_certifier(user):
        return []
    indicators = indicator_config(_owned_in_round(user.office, round_))
    return [i for i in indicators if may_enter_central_data(user, i) and _takes_central_data(i, round_)]


def central_indicator(*, user, round_: Round, indicator_id: int) -> Indicator | None:
    """One of ``central_indicators_for``, configured; None when it is not the user's to enter."""
    if not is_bureau_certifier(user):
        return None
    indicator = indicator_config(_owned_in_round(user.office, round_).filter(pk=indicator_id)).first()
    if indicator is None or not may_enter_central_data(user, indicator) or not _takes_central_data(indicator, round_):
        return None
    return indicator


def central_rounds(now: dt.datetime | None = None) -> list[Round]:
    """The rounds a bureau enters central data in now (opened, certification deadline not passed).

    When there is none, the latest round that has opened (``indicators.selectors.latest_round``), so the page
    still shows the last data.
    """
    now = now or timezone.now()
    rounds = Round.objects.select_related("fiscal_year")
    open_ = list(rounds.filter(opens_at__lte=now, certification_deadline__gte=now).order_by("deadline"))
    if open_:
        return open_
    latest = latest_round(rounds.filter(opens_at__lte=now), now)
    return [latest] if latest else []


@dataclass
class CentralIndicator:
    """A line of the bureau's list: an indicator and how many districts still miss central values."""

    indicator: Indicator
    variables: list[Variable]
    total: int = 0
    missing: int = 0
    certified: int = 0

    @property
    def level(self) -> bool:
        """The bureau enters a level for every district (PMQA 1.2, category 6), not variables."""
        return central_level(self.indicator)


def central_overview(*, user, round_: Round) -> list[CentralIndicator]:
    """The user's indicators in the round with counts of districts missing data (at most 8 queries)."""
    indicators = central_indicators_for(user, round_)
    lines = {i.pk: CentralIndicator(i, central_variables(i, round_)) for i in indicators}
    needed = {pk: {v.pk for v in line.variables} for pk, line in lines.items()}
    variable_ids = set().union(*needed.values()) if needed else set()
    # One row per entry with the number of its central values that are filled: counted in SQL, so the
    # list costs one query whatever the number of districts.
    entries = (
        Entry.objects.filter(round=round_, indicator_id__in=lines)
        .annotate(filled=Count("values", filter=Q(values__variable_id__in=variable_ids, values__value__isnull=False)))
        .values_list("indicator_id", "status", "filled", "level_id")
    )
    for indicator_id, status, filled, level_id in entries:
        line = lines[indicator_id]
        line.total += 1
        if filled < len(needed[indicator_id]) or (line.level and level_id is None):
            line.missing += 1
        if status == Entry.Status.CERTIFIED:
            line.certified += 1
    return list(lines.values())


# --- The grid ----------------------------------------------------------------------------------------


@dataclass
class GridCell:
    variable: Variable
    name: str
    value: Decimal | None
    text: str
    error: str = ""
    # What the bureau had typed when someone else's newer value replaced it in the box (a conflict).
    typed: str | None = None

    @property
    def display(self) -> str:
        return format_value(self.value, grouped=True)


@dataclass
class GridRow:
    entry: Entry
    cells: list[GridCell]
    block: str | None
    version: int
    error: str = ""
    conflict: list[ValueChange] = field(default_factory=list)
    # Warnings the typed values raise (``reporting.checks``), shown until the bureau confirms them.
    warnings: list[str] = field(default_factory=list)
    # A central level (PMQA 1.2, category 6): the level chosen (its id as text), and its error.
    level: str = ""
    level_error: str = ""
    levels: list | None = None  # the levels to choose from on a level grid; None on a grid of variables

    @property
    def editable(self) -> bool:
        return self.block is None

    @property
    def missing(self) -> bool:
        return any(cell.value is None for cell in self.cells) or (self.level_name is not None and not self.entry.level_id)

    @property
    def level_field(self) -> str:
        return cell_name(self.entry.pk, LEVEL)

    @property
    def level_name(self) -> str | None:
        """The level's name on a level grid ("" when none is chosen); None on a grid of variables."""
        if self.levels is None:
            return None
        return next((level.name for level in self.levels if level.pk == self.entry.level_id), "")

    @property
    def score_text(self) -> str:
        score = self.entry.self_score
        return "" if score is None else f"{score:.5f}"

    @property
    def result_text(self) -> str:
        return format_value(self.entry.result, grouped=True)


@dataclass
class CentralGrid:
    indicator: Indicator
    round: Round
    variables: list[Variable]
    rows: list[GridRow]
    now: dt.datetime
    levels: list = field(default_factory=list)  # the levels the bureau chooses from (a level grid), else []

    @property
    def editable(self) -> bool:
        return any(row.editable for row in self.rows)

    @property
    def missing(self) -> int:
        return sum(row.missing for row in self.rows)

    def show_typed(self, typed: Mapping[int, Mapping[str, str]], *, versions: Mapping[int, int] | None = None,
                   errors: Mapping[tuple[int, str], str] | None = None,
                   conflicts: Mapping[int, list[ValueChange]] | None = None,
                   warnings: Mapping[int, list] | None = None) -> None:
        """Put back what was typed in a save that failed, with the errors next to their cells.

        A row someone else changed meanwhile shows their values instead, with the typed ones beside
        them: pressing save again must not silently undo a change its author has not seen.
        """
        errors, conflicts, versions = errors or {}, conflicts or {}, versions or {}
        warnings = warnings or {}
        for row in self.rows:
            pk = row.entry.pk
            row.error = errors.get((pk, ""), "")
            row.warnings = [finding.message for finding in warnings.get(pk, [])]
            row.conflict = conflicts.get(pk, [])
            if pk in versions and not row.conflict:
                row.version = versions[pk]
            row.level_error = errors.get((pk, LEVEL), "")
            if LEVEL in typed.get(pk, {}) and row.editable and not row.conflict:
                row.level = typed[pk][LEVEL]
            for cell in row.cells:
                cell.error = errors.get((pk, cell.variable.code), "")
                text = typed.get(pk, {}).get(cell.variable.code)
                if text is None or not row.editable:
                    continue
                if row.conflict:
                    cell.typed = text
                else:
                    cell.text = text


def central_grid(*, indicator: Indicator, round_: Round, now: dt.datetime | None = None) -> CentralGrid:
    """Every district's entry of the indicator in the round with its central values (2 queries).

    ``indicator`` comes from ``indicator_config`` (``central_indicator``), so its variables are prefetched.
    """
    now = now or timezone.now()
    variables = central_variables(indicator, round_)
    levels = list(indicator.levels.all()) if central_level(indicator) else []
    entries = list(
        Entry.objects.filter(indicator=indicator, round=round_).select_related("office", "round")
        .order_by("office__code")
    )
    values: dict[int, dict[int, Decimal | None]] = {}
    for entry_id, variable_id, value in Value.objects.filter(
        entry__indicator=indicator, entry__round=round_, variable__in=variables
    ).values_list("entry_id", "variable_id", "value"):
        values.setdefault(entry_id, {})[variable_id] = value
    rows = []
    for entry in entries:
        entry.indicator = indicator
        held = values.get(entry.pk, {})
        cells = [
            GridCell(v, cell_name(entry.pk, v.code), held.get(v.pk), format_value(held.get(v.pk))) for v in variables
        ]
        rows.append(GridRow(entry, cells, central_edit_block(entry, now), entry.version, level=str(entry.level_id or ""),
                            levels=levels or None))
    return CentralGrid(indicator, round_, variables, rows, now, levels)


# --- Saving ------------------------------------------------------------------------------------------


class CentralInvalid(Exception):
    """Nothing was saved: ``errors`` maps (entry id, variable code) to a Thai message; code "" is the whole row."""

    def __init__(self, errors: dict[tuple[int, str], str], findings: dict[int, list] | None = None) -> None:
        super().__init__(errors)
        self.errors = errors
        self.findings = findings or {}  # broken error rules by entry id (``reporting.checks.Finding``)


class CentralConflict(Exception):
    """Nothing was saved: someone changed the central values of these districts since the grid was read.

    ``changes`` maps each entry id to what changed since, oldest first; ``offices`` names the districts.
    """

    def __init__(self, changes: dict[int, list[ValueChange]], offices: list[Office]) -> None:
        super().__init__(", ".join(o.code for o in offices))
        self.changes = changes
        self.offices = offices


class CentralWarnings(Exception):
    """Nothing was saved: the values raise warnings the bureau has not confirmed.

    ``findings`` maps each entry id to its warnings (``reporting.checks.Finding``); ``token`` confirms
    exactly these when passed back as ``confirm_warnings``.
    """

    def __init__(self, findings: dict[int, list], token: str) -> None:
        super().__init__(token)
        self.findings = findings
        self.token = token


def rule_errors(indicator: Indicator, round_: Round, checked: Checked) -> dict[tuple[int, str], str]:
    """Broken error rules as CentralInvalid's errors: at the central variable they name, else on the row."""
    central = {v.code for v in central_variables(indicator, round_)}
    errors: dict[tuple[int, str], str] = {}
    for entry_id, findings in checked.errors.items():
        for finding in findings:
            code = next((c for c in finding.codes if c in central), "")
            key = (entry_id, code)
            errors[key] = f"{errors[key]} · {finding.message}" if key in errors else finding.message
    return errors


@dataclass
class CentralSaved:
    changed: list[Entry]
    changes: list[ValueChange]
    unchanged: int


@dataclass
class _RowPlan:
    entry: Entry
    current: Inputs
    new: Inputs
    # (variable, old, new) for each value that changes.
    changes: list[tuple[Variable, Decimal | None, Decimal | None]]

    @property
    def changed(self) -> bool:
        return bool(self.changes) or self.current.level_id != self.new.level_id


def _parse_level(indicator: Indicator, text: object) -> int | None:
    """A central level as typed or chosen: its id (the grid), code or name; blank is no level. ValueError if unknown."""
    text = str(text or "").strip()
    if not text:
        return None
    for level in indicator.levels.all():
        if text in (str(level.pk), level.code, level.name):
            return level.pk
    raise ValueError(_("เลือกระดับจากรายการ: %(levels)s") % {"levels": ", ".join(lv.name for lv in indicator.levels.all())})


def _parse_cells(by_code: Mapping[str, Variable], cells: Mapping[str, object], *,
                 separators: str = POINT) -> tuple[dict[str, Decimal | None], dict[str, str]]:
    """Every cell read with its variable's rules: (values by code, Thai errors by code). Pure."""
    values, errors = {}, {}
    for code, text in cells.items():
        variable = by_code.get(code)
        if variable is None:
            errors[code] = _("ตัวแปร %(code)s ไม่ใช่ข้อมูลส่วนกลางของตัวชี้วัดนี้ในรอบนี้") % {"code": code}
            continue
        try:
            values[code] = parse_for(variable, text, separators=POINT if isinstance(text, NumberCell) else separators)
        except ValidationError as exc:
            errors[code] = exc.messages[0]
    return values, errors


def _plan_row(entry: Entry, current: Inputs, values: Mapping[str, Decimal | None],
              by_code: Mapping[str, Variable]) -> _RowPlan:
    """The entry's inputs with the new central values; a blank over no value is no change."""
    new = current.copy()
    changes = []
    for code, value in values.items():
        variable = by_code[code]
        before = current.values.get(variable.pk)
        if value is None and before is None:
            continue
        new.values[variable.pk] = value
        if before != value:
            changes.append((variable, before, value))
    return _RowPlan(entry, current, new, changes)


def _current_inputs(entries: list[Entry]) -> dict[int, Inputs]:
    """What each entry holds now (2 queries)."""
    ids = [e.pk for e in entries]
    values, steps = values_and_steps(Value.objects.filter(entry_id__in=ids), StepValue.objects.filter(entry_id__in=ids))
    return {e.pk: entry_inputs(e, values.get(e.pk, []), steps.get(e.pk, [])) for e in entries}


def _plan(indicator: Indicator, round_: Round, entries: Mapping[int, Entry], rows: Mapping[int, Mapping[str, object]],
          now: dt.datetime) -> tuple[list[_RowPlan], dict[tuple[int, str], str]]:
    """What saving ``rows`` over ``entries`` would change, and every reason it cannot (writes nothing).

    A row for an entry the bureau may not change now (certified, round not open or past the
    certification deadline) is an error only if it would change something: a downloaded template
    sent back with a certified district's values as they are is accepted.
    """
    by_code = {v.code: v for v in central_variables(indicator, round_)}
    current = _current_inputs(list(entries.values()))
    plans, errors = [], {}
    for entry_id, cells in rows.items():
        entry = entries.get(entry_id)
        if entry is None:
            errors[(entry_id, "")] = _("ไม่พบรายการนี้ในตัวชี้วัดและรอบนี้")
            continue
        cells = dict(cells)
        level_text = cells.pop(LEVEL, None)
        values, cell_errors = _parse_cells(by_code, cells)
        errors.update(((entry_id, code), message) for code, message in cell_errors.items())
        plan = _plan_row(entry, current[entry_id], values, by_code)
        if level_text is not None and central_level(indicator):
            try:
                plan.new.level_id = _parse_level(indicator, level_text)
            except ValueError as exc:
                errors[(entry_id, LEVEL)] = str(exc)
        block = central_edit_block(entry, now) if plan.changed else None
        if block:
            errors[(entry_id, "")] = block
        elif plan.changed and not cell_errors and result_refusal(indicator, round_, plan.new):
            errors[(entry_id, _refusal_code(indicator, round_, cells))] = _refusal_text(indicator, round_, plan.new)
        plans.append(plan)
    return plans, errors


# Evaluated again in each language it is read in: the API answers it in Thai and in English.
_refusal_text = lazy(result_refusal, str)


def _refusal_code(indicator: Indicator, round_: Round, cells: Mapping[str, object]) -> str:
    """The cell beside which a result too large is shown: the first central variable of the formula sent; "" the row."""
    own = {v.pk for v in central_variables(indicator, round_)}
    codes = [v.code for v in formula_variables(indicator, round_) if v.pk in own]
    sent = [code for code in codes if code in cells]
    return (sent or codes or [""])[0]


def _conflicts(indicator: Indicator, entries: Mapping[int, Entry],
               versions: Mapping[int, int]) -> dict[int, list[ValueChange]]:
    """Central values changed after the version each row was read at (1 query, only if a version moved).

    ``entries`` are the rows this save changes: a row posted as it is now cannot undo anyone's work.
    An entry's version also moves when its district saves its own variables; that is no conflict,
    since only central values are written here.
    """
    stale = {pk: version for pk, version in versions.items() if pk in entries and entries[pk].version != version}
    if not stale:
        return {}
    codes = [v.code for v in indicator.variables.all() if v.source == Variable.Source.CENTRAL]
    if central_level(indicator):
        codes.append("level")
    found: dict[int, list[ValueChange]] = {}
    changes = (
        ValueChange.objects.filter(entry_id__in=stale, field__in=codes).select_related("changed_by")
        .order_by("changed_at", "pk")
    )
    for change in changes:
        if change.version > stale[change.entry_id]:
            found.setdefault(change.entry_id, []).append(change)
    return found


def central_save(*, user, indicator: Indicator, round_: Round, rows: Mapping[int, Mapping[str, object]],
                 versions: Mapping[int, int] | None, source: str, now: dt.datetime | None = None,
                 confirm_warnings: bool | str = False) -> CentralSaved:
    """Save the bureau's central values for many districts: all of them or nothing.

    ``rows`` maps entry ids to {variable code: what was typed}; a code left out keeps its value, a
    blank cell means no value. Raises PermissionDenied (not the owning bureau), CentralInvalid (every
    bad cell, every broken error rule and every row that cannot change now), CentralConflict
    (``versions`` given and someone changed central values of those rows since) or CentralWarnings
    (warnings not confirmed: ``confirm_warnings`` is True or the token they were shown with).
    Unchanged rows are not written and not audited.
    """
    if source not in SOURCES:
        raise ValueError(f"not a central-data source: {source}")
    now = now or timezone.now()
    with transaction.atomic():
        indicator = indicator_config(Indicator.objects.filter(pk=indicator.pk)).get()
        if not may_enter_central_data(user, indicator):
            raise PermissionDenied
        # Locked in primary-key order, so two saves of overlapping rows wait for each other instead of
        # deadlocking; the checks below then see what is committed, not what the page showed.
        entries = {
            e.pk: e for e in Entry.objects.select_for_update(of=("self",)).select_related("round", "office")
            .filter(indicator=indicator, round=round_, pk__in=list(rows)).order_by("pk")
        }
        for entry in entries.values():
            entry.indicator = indicator
        plans, errors = _plan(indicator, round_, entries, rows, now)
        if errors:
            raise CentralInvalid(errors)
        changed = [plan for plan in plans if plan.changed]
        if versions is not None:
            conflicts = _conflicts(indicator, {p.entry.pk: p.entry for p in changed}, versions)
            if conflicts:
                offices = sorted((entries[pk].office for pk in conflicts), key=lambda o: o.code)
                raise CentralConflict(conflicts, offices)
        items = [(p.entry, indicator, p.current, p.new) for p in changed]
        checked = entries_check(items, round_)
        if checked.errors:
            raise CentralInvalid(rule_errors(indicator, round_, checked), checked.errors)
        pending = checked.all_pending
        if not is_confirmed(confirm_warnings, pending):
            raise CentralWarnings(checked.pending, warnings_token(pending))
        changes = entries_write_inputs(items, user=user, source=source, now=now,
                                       warnings=checked.store(items, user=user, now=now))
    return CentralSaved([p.entry for p in changed], changes, len(plans) - len(changed))


# --- Files: reading an upload --------------------------------------------------------------------------

# Read by krs.spreadsheets.read_upload, as the office import reads its file: the same header search, names
# and cells (``OFFICE_CODE_HEADERS`` is the header row's mark in both).
OFFICE_NAME_HEADERS = ("ชื่อหน่วยงาน", "หน่วยงาน", "office_name", "name")


@dataclass
class UploadChange:
    variable: Variable
    old: str
    new: str
    typed: str = ""  # the cell as the file has it, when the value read differs from it in writing
    warnings: list[str] = field(default_factory=list)


@dataclass
class UploadRow:
    number: int
    office_code: str
    texts: dict[str, str]  # what central_save reads: each value written out plainly once the file is checked
    entry: Entry | None = None
    changes: list[UploadChange] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    typed: dict[str, str] = field(default_factory=dict)  # the cells as the file has them
    typed_code: str = ""  # the office code as the file has it ("๓๕๐๑" for 3501)
    warnings: list[RowIssue] = field(default_factory=list)


@dataclass
class CentralUpload:
    """What an uploaded file would do, row by row, and every error in it."""

    variables: list[Variable] = field(default_factory=list)
    rows: list[UploadRow] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def changed(self) -> int:
        return sum(bool(row.changes) for row in self.rows)

    @property
    def unchanged(self) -> int:
        return sum(not row.changes and not row.errors for row in self.rows)

    @property
    def warned(self) -> int:
        return sum(bool(row.warnings) for row in self.rows)

    def as_rows(self) -> dict[int, dict[str, str]]:
        """The rows as ``central_save`` takes them (valid uploads only)."""
        return {row.entry.pk: row.texts for row in self.rows if row.entry is not None}

    def error(self, row: UploadRow | None, message: str, column: str | None = None) -> None:
        issue = RowIssue(message, row.number if row else None, column)
        self.errors.append(issue)
        if row is not None:
            row.errors.append(issue)

    def warn(self, row: UploadRow, message: str, code: str | None = None) -> None:
        """A warning on a row (on one variable's value with ``code``): shown in the preview, not blocking.

        The hook for validation rules that warn: they call this after ``central_parse_upload`` has planned
        the changes, and the preview marks the row and the value.
        """
        row.warnings.append(RowIssue(message, row.number, code))
        for change in row.changes:
            if change.variable.code == code:
                change.warnings.append(message)


def _map_headers(upload: CentralUpload, indicator: Indicator, round_: Round,
                 table: Table) -> tuple[int | None, dict[int, Variable]]:
    """(index of the office code column, {column index: central variable}); problems go to ``upload``."""
    header_row = table.header_row
    central = {v.code.casefold(): v for v in central_variables(indicator, round_)}
    others = {v.code.casefold(): v for v in indicator.variables.all()}
    office_column: int | None = None
    columns: dict[int, Variable] = {}
    seen: dict[str, str] = {}  # variable code → its first header: "A" and "a" are one column
    for found in match_headers(table.headers, {"office_code": OFFICE_CODE_HEADERS, "office_name": OFFICE_NAME_HEADERS}):
        index, header = found.index, found.text
        if found.key == "office_name":
            continue  # only for people reading the file, however many
        # A variable's code as written, in any letter case ("A_1" is not "A1").
        variable = others.get(header.casefold()) if found.key is None else None
        first = found.first if variable is None else seen.get(variable.code)
        if variable is not None:
            seen.setdefault(variable.code, header)
        if first is not None:
            upload.errors.append(RowIssue(
                _("คอลัมน์ “%(header)s” ซ้ำกับคอลัมน์ “%(first)s”") % {"header": header, "first": first}, header_row))
        elif found.key == "office_code":
            office_column = index
        elif variable is None:
            upload.warnings.append(_("ไม่รู้จักคอลัมน์ “%(header)s” ข้อมูลในคอลัมน์นี้จะไม่นำเข้า") % {"header": header})
        elif variable.code.casefold() in central:
            columns[index] = central[variable.code.casefold()]
        elif variable.source == Variable.Source.DISTRICT:
            upload.warnings.append(_("คอลัมน์ %(code)s เป็นตัวแปรที่ สพท. กรอกเอง จะไม่นำเข้า") % {"code": header})
        else:
            upload.warnings.append(_("คอลัมน์ %(code)s ไม่ได้รายงานในรอบนี้ จะไม่นำเข้า") % {"code": header})
    if office_column is None:
        upload.errors.append(RowIssue(_("ไม่พบคอลัมน์ “รหัสหน่วยงาน” ในแถวหัวตาราง"), header_row))
    if not columns:
        upload.errors.append(RowIssue(_("ไม่พบคอลัมน์ตัวแปรข้อมูลส่วนกลาง (%(codes)s) ในแถวหัวตาราง")
                                         % {"codes": ", ".join(v.code for v in central.values())}, header_row))
    for variable in central.values():
        if columns and variable not in columns.values():
            upload.warnings.append(_("ไม่มีคอลัมน์ %(code)s: ค่า %(code)s เดิมของทุกหน่วยงานจะคงไว้") % {"code": variable.code})
    return office_column, columns


def central_parse_upload(*, indicator: Indicator, round_: Round, file: bytes | IO[bytes],
                         now: dt.datetime | None = None) -> CentralUpload:
    """Read a CSV or XLSX of central values and say what saving it would change; writes nothing.

    Header: ``รหัสหน่วยงาน`` and one column per central variable code (``A``, ``B``); a
    ``ชื่อหน่วยงาน`` column is ignored. Errors are placed by row and column. ``indicator`` comes from
    ``indicator_config``. Queries: offices, entries, their values and steps (4), and the checks' (at most 4).
    """
    now = now or timezone.now()
    content = file if isinstance(file, bytes) else file.read()
    upload = CentralUpload(variables=central_variables(indicator, round_))
    try:
        table = read_upload(content, max_bytes=max_file_bytes(), max_rows=max_rows(), key_headers=OFFICE_CODE_HEADERS)
    except SpreadsheetError as problem:
        upload.error(None, str(problem))
        return upload
    office_column, columns = _map_headers(upload, indicator, round_, table)
    if upload.errors:
        return upload
    headers = table.headers
    if not table.rows:
        upload.error(None, _("ไฟล์มีแต่หัวตาราง ไม่มีข้อมูล"))
        return upload
    upload.variables = [v for v in upload.variables if v in columns.values()]

    first_row: dict[str, int] = {}
    for number, cells in table.rows:
        typed_code = cells[office_column] if office_column < len(cells) else ""
        code = normalise_code(typed_code)
        texts = {v.code: (cells[i] if i < len(cells) else "") for i, v in columns.items()}
        row = UploadRow(number, code, texts, typed=dict(texts), typed_code=typed_code)
        upload.rows.append(row)
        if table.beyond_header(cells):
            # Usually an unquoted comma in a CSV cell ("1,250"), which moves every later value one column on.
            upload.error(row, _("มีข้อมูลเกินจำนวนคอลัมน์ของหัวตาราง (ข้อความที่มีเครื่องหมายจุลภาคต้องอยู่ในเครื่องหมายคำพูด)"))
        if not code:
            upload.error(row, _("ไม่มีรหัสหน่วยงาน"), headers[office_column])
        elif code in first_row:
            upload.error(row, _("รหัสหน่วยงาน %(code)s ซ้ำกับแถวที่ %(row)s") % {"code": code, "row": first_row[code]},
                         headers[office_column])
        else:
            first_row[code] = number

    offices = set(Office.objects.filter(code__in=first_row).values_list("code", flat=True))
    entries = {
        e.office.code: e for e in Entry.objects.filter(indicator=indicator, round=round_, office__code__in=offices)
        .select_related("office", "round")
    }
    by_code = {v.code: v for v in upload.variables}
    labels = {v.code: headers[i] for i, v in columns.items()}
    for row in upload.rows:
        parsed, cell_errors = _parse_cells(by_code, row.texts, separators=table.separators)
        for code, message in cell_errors.items():
            upload.error(row, message, labels[code])
        if row.errors:
            continue
        # Saved as read here: "12,5" of a semicolon file is 12.5 on confirm too, whatever reads it then.
        row.texts = {code: format_value(value) for code, value in parsed.items()}
        if row.office_code not in offices:
            upload.error(row, _("ไม่พบหน่วยงานรหัส %(code)s") % {"code": row.office_code}, headers[office_column])
        elif row.office_code not in entries:
            upload.error(row, _("หน่วยงานรหัส %(code)s ไม่มีรายการของตัวชี้วัดนี้ในรอบนี้") % {"code": row.office_code},
                         headers[office_column])
        else:
            row.entry = entries[row.office_code]
            row.entry.indicator = indicator

    matched = {row.entry.pk: row for row in upload.rows if row.entry is not None}
    plans, errors = _plan(indicator, round_, {r.entry.pk: r.entry for r in matched.values()},
                          {pk: r.texts for pk, r in matched.items()}, now)
    for plan in plans:
        row = matched[plan.entry.pk]
        row.changes = [UploadChange(v, format_value(old, grouped=True), format_value(new, grouped=True),
                                    _reread(row.typed.get(v.code, ""), new))
                       for v, old, new in plan.changes]
    # Cells were checked above; what is left is a row that cannot change now (certified, deadline), or one
    # whose values give a result too large to keep (placed in the column of one of the formula's variables).
    for (entry_id, code), message in errors.items():
        upload.error(matched[entry_id], str(message), labels.get(code))
    checked = entries_check([(p.entry, indicator, p.current, p.new) for p in plans
                             if p.changed and not matched[p.entry.pk].errors], round_)
    central_codes = set(labels)
    for entry_id, findings in checked.errors.items():
        for finding in findings:
            code = next((c for c in finding.codes if c in central_codes), None)
            upload.error(matched[entry_id], finding.message, labels[code] if code else None)
    for entry_id, findings in checked.pending.items():
        for finding in findings:
            code = next((c for c in finding.codes if c in central_codes), None)
            upload.warn(matched[entry_id], finding.message, code)
    upload.errors.sort(key=lambda issue: -1 if issue.row is None else issue.row)
    return upload


def _reread(typed: str, value: Decimal | None) -> str:
    """The cell as typed when the value read from it is written differently ("๑,๒๕๐" → 1,250), else ""."""
    text = typed.strip()
    if text.removesuffix("%").strip() in ("", format_value(value), format_value(value, grouped=True)):
        return ""
    return text


# --- Files: the template to fill in ----------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def central_template(*, grid: CentralGrid, fmt: str) -> tuple[bytes, str, str]:
    """The grid as a file to fill in and upload again: (content, file name, content type).

    Columns ``รหัสหน่วยงาน``, ``ชื่อหน่วยงาน`` and one per central variable, with the current values.
    ``fmt`` is "xlsx" or "csv" (UTF-8 with the byte-order mark, so Excel reads the Thai names).
    """
    header = [_("รหัสหน่วยงาน"), _("ชื่อหน่วยงาน"), *(v.code for v in grid.variables)]
    lines = [[row.entry.office.code, row.entry.office.name_th, *(cell.value for cell in row.cells)]
             for row in grid.rows]
    name = f"central-{grid.indicator.code}-{grid.round.fiscal_year.year}-{grid.round.months}m.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([*line[:2], *(format_value(v) for v in line[2:])] for line in lines)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8"), name, "text/csv; charset=utf-8"
    if fmt != "xlsx":
        raise ValueError(f"unknown format: {fmt}")

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", "-", grid.indicator.code)[:31] or "data"
    sheet.append(header)
    for line in lines:
        sheet.append(line)
    # Office codes stay text (a code like 0101 would lose its zero as a number).
    for (cell,) in sheet.iter_rows(min_row=2, max_col=1):
        cell.number_format = "@"
    sheet.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), name, XLSX_TYPE
