"""The API's writes: a district's own values and a bureau's central values, many entries in one call.

Both go through the services the pages use — ``reporting.services.entry_save_values`` (the entry page)
and ``reporting.central.central_save`` (the central-data grid and upload) — so validation, permission
rules, round windows, scoring, status changes (``reporting.workflow``) and the audit
(``ValueChange`` with source ``api``) are theirs. A batch is one transaction: every item is checked and
every error collected; if there is any, the transaction is rolled back and nothing is saved.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from api.errors import ApiError, ItemError, both
from api.models import ApiToken
from api.schemas import CentralBatch, DistrictBatch, InputValue
from api.selectors import score, text, token_may_see_entry
from indicators.models import Indicator, Round, Variable
from indicators.numbers import parse_for
from krs import permissions
from krs.spreadsheets import normalise_code
from reporting.central import (
    CentralConflict,
    CentralInvalid,
    CentralWarnings,
    central_indicator,
    central_save,
    central_variables,
)
from reporting.compute import active_variables, indicator_config
from reporting.models import Entry, ValueChange
from reporting.rules import central_edit_block, entry_edit_block
from reporting.selectors import stored_inputs
from reporting.services import (
    EntryClosed,
    InvalidInputs,
    NeedsConfirmation,
    VersionConflict,
    entry_save_values,
    parse_district_inputs,
    step_field,
    variable_field,
)


def as_text(value: InputValue) -> str:
    """A value as the entry page would have received it typed: null → blank, a JSON number as written.

    A boolean is 1 or 0: callers first refuse it for anything but a yes/no variable (``_boolean_error``).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _require_write(token: ApiToken) -> None:
    if not token.can_write:
        raise ApiError("read_only_token")


def _check_size(items) -> None:
    if len(items) > settings.KRS_API_MAX_BATCH:
        raise ApiError("batch_too_large")


def _fail(errors: list[ItemError]) -> ApiError:
    """The batch's answer when any item failed: 409 if every failure is a version conflict, else 422."""
    if all(e.code == "version_conflict" for e in errors):
        return ApiError("version_conflict", errors)
    if all(e.code == "warning" for e in errors):
        return ApiError("warnings_unconfirmed", errors)
    return ApiError("batch_invalid", errors)


def _saved(pairs: list[tuple[int, int]]) -> list[dict]:
    """(item, entry id) → what each entry holds after the save (1 query)."""
    entries = Entry.objects.select_related("office").in_bulk([pk for _item, pk in pairs])
    return [
        {"item": item, "entry": pk, "office_code": entries[pk].office.code, "indicator_id": entries[pk].indicator_id,
         "version": entries[pk].version, "status": entries[pk].status, "result": text(entries[pk].result),
         "self_score": score(entries[pk].self_score)}
        for item, pk in pairs
    ]


# --- A district's own values ---------------------------------------------------------------------------


def _district_raw(index: int, item, indicator: Indicator, round_: Round,
                  errors: list[ItemError]) -> dict[str, str] | None:
    """The item as the entry page's form fields (``v<id>``, ``s<id>``, ``level``, ``passed``); None if a name is unknown."""
    raw: dict[str, str] = {}
    own = {v.code: v for v in active_variables(indicator, round_) if v.source == Variable.Source.DISTRICT}
    ok = True
    for code, value in item.values.items():
        variable = own.get(code)
        if variable is None:
            th, en = both(lambda code=code: _("ตัวแปร %(code)s ไม่ใช่ตัวแปรที่ สพท. กรอกในรอบนี้") % {"code": code})
            errors.append(ItemError("invalid_field", th, en, index, code))
            ok = False
            continue
        if problem := _boolean_error(index, variable, value):
            errors.append(problem)
            ok = False
            continue
        raw[variable_field(variable)] = as_text(value)
    if item.level is not None:
        levels = {level.code: level.pk for level in indicator.levels.all()}
        raw["level"] = str(levels.get(item.level, "unknown")) if item.level else ""
    if item.passed is not None:
        raw["passed"] = "1" if item.passed else "0"
    if item.steps is not None:
        steps = {step.number: step for step in indicator.steps.all()}
        raw["steps"] = "1"
        for number, done in item.steps.items():
            step = steps.get(number)
            if step is None:
                th, en = both(lambda number=number: _("ตัวชี้วัดนี้ไม่มีขั้นที่ %(n)s") % {"n": number})
                errors.append(ItemError("invalid_field", th, en, index, f"step:{number}"))
                ok = False
                continue
            raw[step_field(step)] = str(done)
    return raw if ok else None


def _field_names(indicator: Indicator) -> dict[str, str]:
    """Form field → the name the API uses for it (variable code, step:n, level, passed)."""
    names = {variable_field(v): v.code for v in indicator.variables.all()}
    names.update({step_field(s): f"step:{s.number}" for s in indicator.steps.all()})
    return {**names, "level": "level", "passed": "passed"}


def district_values_save(*, token: ApiToken, batch: DistrictBatch, now: datetime) -> dict:
    """Save a district's values for several entries: all of them or nothing (ApiError with every item's error)."""
    _require_write(token)
    _check_size(batch.items)
    user = token.user
    if not permissions.is_district_reporter(user):  # a bureau's, an executive's or an administrator's token
        raise ApiError("forbidden")
    entries = Entry.objects.select_related("office", "indicator", "round__fiscal_year").in_bulk(
        {item.entry for item in batch.items})
    indicators = {i.pk: i for i in indicator_config(Indicator.objects.filter(pk__in={e.indicator_id for e in entries.values()}))}
    errors: list[ItemError] = []
    saved: list[tuple[int, int]] = []
    seen: set[int] = set()
    changed = 0
    with transaction.atomic():
        for index, item in enumerate(batch.items):
            entry = entries.get(item.entry)
            if entry is None or not token_may_see_entry(token, entry):
                errors.append(ItemError.of("not_found", item=index, field="entry"))
                continue
            if not permissions.may_report_for(user, entry.office):
                errors.append(ItemError.of("forbidden", item=index, field="entry"))
                continue
            if entry.pk in seen:
                errors.append(ItemError.of("duplicate", item=index, field="entry"))
                continue
            seen.add(entry.pk)
            indicator = indicators[entry.indicator_id]
            raw = _district_raw(index, item, indicator, entry.round, errors)
            if raw is None:
                continue
            try:
                result = entry_save_values(entry=entry, user=user, raw=raw, expected_version=item.version, now=now,
                                           source=ValueChange.Source.API, confirm_warnings=batch.confirm_warnings)
            except EntryClosed as closed:
                th, en = both(lambda entry=entry: entry_edit_block(entry, now))
                errors.append(ItemError("entry_closed", th or closed.reason, en or closed.reason, index, "entry"))
            except VersionConflict as conflict:
                error = ItemError.of("version_conflict", item=index, field="version")
                error.message_th += f" (รุ่นล่าสุด {conflict.version})"
                error.message_en += f" (latest version {conflict.version})"
                errors.append(error)
            except NeedsConfirmation as unconfirmed:
                errors.extend(_finding_errors("warning", unconfirmed.findings, index))
            except InvalidInputs as invalid:
                if invalid.findings:  # broken rules: worded from the findings, in both languages
                    errors.extend(_finding_errors("rule_broken", invalid.findings, index))
                    continue
                names = _field_names(indicator)
                code = "result_too_large" if invalid.refusal else "invalid_value"
                th_errors, en_errors = _both_input_errors(entry, indicator, raw, invalid.errors)
                errors.extend(ItemError(code, th_errors[name], en_errors.get(name, th_errors[name]), index,
                                        names.get(name, name)) for name in th_errors)
            else:
                changed += bool(result.changes)
                saved.append((index, entry.pk))
        if errors:
            raise _fail(errors)
    return {"changed": changed, "unchanged": len(saved) - changed, "items": _saved(saved)}


def _finding_errors(code: str, findings, index: int) -> list[ItemError]:
    """Rules and warnings (``reporting.checks.Finding``) as item errors, at the first variable each names."""
    found = []
    for finding in findings:
        th, en = both(lambda finding=finding: finding.message)
        found.append(ItemError(code, th, en, index, finding.codes[0] if finding.codes else None))
    return found


def _both_input_errors(entry, indicator, raw, errors: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The service's field errors in Thai and in English, parsed again over what the entry holds (2–3 queries):
    a result too large may come from a value the item does not send (a central one)."""
    current = stored_inputs(entry)

    def run(language: str) -> dict[str, str]:
        with translation.override(language):
            try:
                parse_district_inputs(indicator, entry.round, raw, current)
            except InvalidInputs as again:
                return again.errors
        return {}

    return run("th") or errors, run("en")


# --- A bureau's central values ---------------------------------------------------------------------------


def central_values_save(*, token: ApiToken, batch: CentralBatch, now: datetime) -> dict:
    """Save a bureau's central values for many districts (and indicators) of one round: all or nothing."""
    _require_write(token)
    _check_size(batch.items)
    user = token.user
    if not permissions.is_bureau_certifier(user):
        raise ApiError("forbidden")
    round_ = Round.objects.select_related("fiscal_year").filter(pk=batch.round).first()
    if round_ is None:
        raise ApiError("batch_invalid", [ItemError.of("not_found", field="round")])
    errors: list[ItemError] = []

    indicators: dict[int, Indicator | None] = {}
    for indicator_id in {item.indicator for item in batch.items}:
        # 7 queries per indicator, a few indicators per call: the bureau's own, with central data this round.
        indicators[indicator_id] = central_indicator(user=user, round_=round_, indicator_id=indicator_id)
    office_limit = token.office if token.office is not None and token.office.is_district else None
    entries = {
        (e.office.code, e.indicator_id): e
        for e in Entry.objects.filter(round=round_, indicator_id__in=[pk for pk, i in indicators.items() if i],
                                      office__code__in={normalise_code(item.office) for item in batch.items})
        .select_related("office", "round")
    }

    groups: dict[int, dict[int, dict[str, str]]] = defaultdict(dict)
    versions: dict[int, dict[int, int]] = defaultdict(dict)
    item_of: dict[int, int] = {}
    for index, item in enumerate(batch.items):
        indicator = indicators[item.indicator]
        if indicator is None:
            errors.append(ItemError.of("not_found", item=index, field="indicator"))
            continue
        entry = entries.get((normalise_code(item.office), indicator.pk))  # "๑๐๐๑" is the office 1001
        if entry is None or (office_limit is not None and entry.office_id != office_limit.pk):
            errors.append(ItemError.of("not_found", item=index, field="office"))
            continue
        if entry.pk in item_of:
            errors.append(ItemError.of("duplicate", item=index, field="office"))
            continue
        item_of[entry.pk] = index
        by_code = {v.code: v for v in central_variables(indicator, round_)}
        cells = {}
        for code, value in item.values.items():
            variable = by_code.get(code)
            if variable is None:
                th, en = both(lambda code=code: _("ตัวแปร %(code)s ไม่ใช่ข้อมูลส่วนกลางของตัวชี้วัดนี้ในรอบนี้") % {"code": code})
                errors.append(ItemError("invalid_field", th, en, index, code))
                continue
            if problem := _boolean_error(index, variable, value):
                errors.append(problem)
                continue
            typed = as_text(value)
            th, en = both(lambda variable=variable, typed=typed: _parse_error(variable, typed))
            if th:
                errors.append(ItemError("invalid_value", th, en, index, code))
            cells[code] = typed
        groups[indicator.pk][entry.pk] = cells
        if item.version is not None:
            versions[indicator.pk][entry.pk] = item.version
    if errors:
        raise _fail(errors)

    changed = 0
    with transaction.atomic():
        for indicator_id, rows in groups.items():
            indicator = indicators[indicator_id]
            try:
                result = central_save(user=user, indicator=indicator, round_=round_, rows=rows,
                                      versions=versions.get(indicator_id), source=ValueChange.Source.API, now=now,
                                      confirm_warnings=batch.confirm_warnings)
            except CentralWarnings as unconfirmed:
                for entry_id, findings in unconfirmed.findings.items():
                    errors.extend(_finding_errors("warning", findings, item_of[entry_id]))
            except CentralInvalid as invalid:
                if invalid.findings:
                    for entry_id, findings in invalid.findings.items():
                        errors.extend(_finding_errors("rule_broken", findings, item_of[entry_id]))
                    continue
                # Cells were checked above: what is left is a row whose values give a result too large to keep
                # (placed on a variable), or one that cannot change now (certified, deadline).
                for (entry_id, code), message in invalid.errors.items():
                    if code:
                        th, en = both(lambda message=message: str(message))
                        errors.append(ItemError("result_too_large", th, en, item_of[entry_id], code))
                        continue
                    entry = next(e for e in entries.values() if e.pk == entry_id)
                    entry.indicator = indicator
                    th, en = both(lambda entry=entry: central_edit_block(entry, now))
                    errors.append(ItemError("entry_closed", th or message, en or message, item_of[entry_id], "office"))
            except CentralConflict as conflict:
                errors.extend(ItemError.of("version_conflict", item=item_of[pk], field="version") for pk in conflict.changes)
            else:
                changed += len(result.changed)
        if errors:
            raise _fail(errors)
    pairs = sorted((index, pk) for pk, index in item_of.items())
    return {"changed": changed, "unchanged": len(pairs) - changed, "items": _saved(pairs)}


def _boolean_error(index: int, variable: Variable, value: InputValue) -> ItemError | None:
    """JSON true/false sent for a variable that is not yes/no: refused, never stored as 1 or 0."""
    if not isinstance(value, bool) or variable.kind == Variable.Kind.YES_NO:
        return None
    th, en = both(lambda: _parse_error(variable, value))
    return ItemError("invalid_value", th, en, index, variable.code)


def _parse_error(variable: Variable, typed: object) -> str | None:
    try:
        parse_for(variable, typed)
    except ValidationError as exc:
        return exc.messages[0]
    return None
