"""Writes of reporting: opening a round creates its entries; saving values scores them, audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import Framework, Indicator, MilestoneStep, Round, Variable
from indicators.numbers import format_value, parse_for, parse_value
from indicators.scoring import score_rubric
from krs.models import Office
from reporting import checks, workflow  # every status change is the workflow's (docs/architecture.md)
from reporting.compute import (
    BASELINE,
    RESULT,
    TARGET,
    Inputs,
    Outcome,
    Proposal,
    active_variables,
    carried_variables,
    district_chooses,
    entry_inputs,
    formula_variables,
    indicator_config,
    is_complete,
    outcome,
    result_refusal,
)
from reporting.models import (
    Answer,
    Entry,
    Recertification,
    ResultProposal,
    StepValue,
    Value,
    ValueChange,
    proposal_key,
)
from reporting.rules import entry_edit_block
from reporting.selectors import carried_inputs, entry_texts, stored_inputs, values_and_steps


@dataclass(frozen=True)
class RoundOpened:
    round_id: int
    created: int
    total: int


def round_open(*, round_: Round) -> RoundOpened:
    """Create the round's entries, "not reported": one per active district × leaf indicator that applies.

    One INSERT … SELECT, whatever the number of districts (set-based, so that the same code serves
    30,000 schools). Idempotent: an entry that exists is left as it is (ON CONFLICT DO NOTHING, which
    PostgreSQL and SQLite both understand), so running it twice, or after a crash, creates each once.
    Indicators come from the published frameworks of the round's fiscal year; an indicator with
    sub-indicators gets no entry of its own (its score is computed from theirs), nor does a derived one
    (PMQA category 4: nobody reports it, the framework tree scores it from its source indicators); an
    indicator limited to some rounds gets entries only in those.
    """
    entry, office, indicator, framework = Entry._meta, Office._meta, Indicator._meta, Framework._meta
    rounds_table = Indicator.rounds.through._meta.db_table
    sql = f"""
        INSERT INTO {entry.db_table} (office_id, indicator_id, round_id, status, version, score_note, late_penalty,
                                      warnings, created_at, updated_at)
        SELECT o.id, i.id, %(round)s, %(status)s, 0, '', 0, '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
        FROM {office.db_table} o
        JOIN {indicator.db_table} i ON (
            (o.kind = %(primary)s AND i.applies_to_primary) OR (o.kind = %(secondary)s AND i.applies_to_secondary)
        )
        JOIN {framework.db_table} f ON f.id = i.framework_id
        WHERE o.is_active
          AND f.fiscal_year_id = %(fiscal_year)s
          AND f.status = %(published)s
          AND NOT EXISTS (SELECT 1 FROM {indicator.db_table} c WHERE c.parent_id = i.id)
          AND i.method <> %(derived)s
          AND (
            NOT EXISTS (SELECT 1 FROM {rounds_table} r WHERE r.indicator_id = i.id)
            OR EXISTS (SELECT 1 FROM {rounds_table} r WHERE r.indicator_id = i.id AND r.round_id = %(round)s)
          )
        ON CONFLICT (office_id, indicator_id, round_id) DO NOTHING
    """
    params = {
        "round": round_.pk,
        "status": Entry.Status.NOT_REPORTED,
        "derived": Indicator.Method.DERIVED,
        "fiscal_year": round_.fiscal_year_id,
        "published": Framework.Status.PUBLISHED,
        "primary": Office.Kind.PRIMARY,
        "secondary": Office.Kind.SECONDARY,
    }
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            created = cursor.rowcount
        if created:
            _score_carried_only(round_, timezone.now())
    return RoundOpened(round_id=round_.pk, created=max(created, 0), total=Entry.objects.filter(round=round_).count())


# --- Saving an entry's values ------------------------------------------------------------------------


class EntryClosed(Exception):
    """The entry cannot be changed now; ``reason`` says why, in Thai."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidInputs(Exception):
    """Some typed values are not acceptable; ``errors`` maps each field name to its Thai message.

    ``findings`` are the broken rules among them (``reporting.checks``), for callers that word them again
    in another language. ``refusal`` is set when the values are each fine but their result is too large to
    keep (``compute.result_refusal``); it is also in ``errors``, beside a variable of the formula.
    """

    def __init__(self, errors: dict[str, str], findings=(), refusal: str = "") -> None:
        super().__init__(errors)
        self.errors = errors
        self.findings = list(findings)
        self.refusal = refusal


class NeedsConfirmation(Exception):
    """The values raise warnings the user has not confirmed: nothing is written until they are."""

    def __init__(self, findings, token: str) -> None:
        super().__init__(token)
        self.findings = list(findings)
        self.token = token


class VersionConflict(Exception):
    """Someone saved the entry after the form was read; ``changes`` are what they changed since."""

    def __init__(self, *, version: int, changes: list[ValueChange]) -> None:
        super().__init__(version)
        self.version = version
        self.changes = changes


class ClearNotConfirmed(Exception):
    """The save would empty values that are saved now, and the user has not confirmed it.

    ``cleared`` lists each as an unsaved ValueChange (field, the value saved now, ""), for its label;
    ``back_to_not_reported`` says whether the entry would leave รอการรับรองผล for ยังไม่รายงานผล.
    """

    def __init__(self, *, cleared: list[ValueChange], back_to_not_reported: bool) -> None:
        super().__init__(cleared)
        self.cleared = cleared
        self.back_to_not_reported = back_to_not_reported


@dataclass
class Saved:
    entry: Entry
    indicator: Indicator
    inputs: Inputs
    changes: list[ValueChange]


def variable_field(variable: Variable) -> str:
    return f"v{variable.pk}"


def step_field(step: MilestoneStep) -> str:
    return f"s{step.pk}"


def parse_district_inputs(indicator: Indicator, round_: Round, raw: Mapping[str, str], current: Inputs) -> Inputs:
    """The district's typed fields applied over ``current``; InvalidInputs lists every field that is wrong.

    Only what the district enters in this round is read: central variables, variables of other rounds
    and anything else in ``raw`` are ignored, so a crafted form cannot reach them.
    """
    new = current.copy()
    errors: dict[str, str] = {}
    for variable in active_variables(indicator, round_):
        name = variable_field(variable)
        if variable.source != Variable.Source.DISTRICT or name not in raw:
            continue
        try:
            new.values[variable.pk] = parse_for(variable, raw[name])
        except ValidationError as exc:
            errors[name] = exc.messages[0]
    choice = district_chooses(indicator)
    if choice == "steps" and "steps" in raw:
        for step in indicator.steps.all():
            name = step_field(step)
            text = (raw.get(name) or "").strip()
            if step.sub_items == 1:
                new.steps[step.pk] = 1 if text in ("1", "on", "true") else 0
                continue
            try:
                done = parse_value(text or "0", kind=Variable.Kind.INTEGER, minimum=Decimal(0), maximum=Decimal(step.sub_items))
                new.steps[step.pk] = int(done)
            except ValidationError as exc:
                errors[name] = exc.messages[0]
    elif choice == "level" and "level" in raw:
        text = (raw.get("level") or "").strip()
        ids = {str(level.pk): level.pk for level in indicator.levels.all()}
        if text and text not in ids:
            errors["level"] = _("เลือกระดับจากรายการที่มี")
        else:
            new.level_id = ids.get(text)
    elif choice == "passed" and "passed" in raw:
        text = (raw.get("passed") or "").strip()
        if text not in ("", "1", "0"):
            errors["passed"] = _("เลือกสำเร็จหรือไม่สำเร็จ")
        else:
            new.passed = None if text == "" else text == "1"
    if indicator.response == Indicator.Response.PMQA_ITEM:
        _parse_answer(raw, new, errors)
    elif indicator.response == Indicator.Response.PMQA_RESULT:
        _parse_proposal(indicator, raw, new, errors)
    if errors:
        raise InvalidInputs(errors)
    refusal = result_refusal(indicator, round_, new)
    if refusal:
        raise InvalidInputs({_refusal_field(indicator, round_, raw): refusal}, refusal=refusal)
    return new


def _refusal_field(indicator: Indicator, round_: Round, raw: Mapping[str, str]) -> str:
    """Where the page shows a result too large: beside the first of the formula's variables the district typed."""
    own = {v.pk for v in active_variables(indicator, round_) if v.source == Variable.Source.DISTRICT}
    names = [variable_field(v) for v in formula_variables(indicator, round_) if v.pk in own]
    typed = [name for name in names if name in raw]
    return (typed or names or ["result"])[0]


ANSWER_MAX = 20_000
LINKS_MAX = 4_000


def _text(raw: Mapping[str, str], name: str) -> str:
    # Line ends as the browser sends them (CRLF) would make every save of the same text a change.
    return (raw.get(name) or "").replace("\r\n", "\n").strip()


def _parse_answer(raw: Mapping[str, str], new: Inputs, errors: dict[str, str]) -> None:
    """A PMQA item's written answer (the response form's content) and its links, one per line."""
    if "answer" in raw:
        text = _text(raw, "answer")
        if len(text) > ANSWER_MAX:
            errors["answer"] = _("คำตอบยาวเกิน %(max)s ตัวอักษร: สรุปให้สั้นลง แล้วแนบรายละเอียดเป็นไฟล์") % {
                "max": f"{ANSWER_MAX:,}"}
        else:
            new.answer = text
    if "links" in raw:
        lines = [line.strip() for line in _text(raw, "links").splitlines() if line.strip()]
        bad = [line for line in lines if not line.lower().startswith(("http://", "https://"))]
        if bad:
            errors["links"] = _("ลิงก์ต้องขึ้นต้นด้วย http:// หรือ https:// บรรทัดละหนึ่งลิงก์ (ไม่ถูกต้อง: %(bad)s)") % {
                "bad": bad[0][:80]}
        elif len("\n".join(lines)) > LINKS_MAX:
            errors["links"] = _("ลิงก์รวมกันยาวเกิน %(max)s ตัวอักษร") % {"max": f"{LINKS_MAX:,}"}
        else:
            new.links = "\n".join(lines)


# Seed 004: a category-7 target and result are a percentage, a success level or a count.
_UNIT_RULES = {
    ResultProposal.Unit.PERCENT: (Decimal(0), Decimal(100), False),
    ResultProposal.Unit.LEVEL: (Decimal(1), Decimal(5), False),
    ResultProposal.Unit.COUNT: (Decimal(0), None, True),
}


def _parse_proposal(indicator: Indicator, raw: Mapping[str, str], new: Inputs, errors: dict[str, str]) -> None:
    """The district's own indicator of a category-7 dimension, and its numbers checked against its unit.

    The baseline is last year's result of the same indicator (seed 004): it is given only when the
    district says the indicator is the one it reported last year.
    """
    proposal = new.proposal
    if "kpi_name" in raw:
        name = " ".join(_text(raw, "kpi_name").split())
        if len(name) > ResultProposal._meta.get_field("name").max_length:
            errors["kpi_name"] = _("ชื่อตัวชี้วัดยาวเกิน 300 ตัวอักษร")
        proposal = Proposal(name, proposal.unit, proposal.same_as_last_year)
    if "kpi_unit" in raw:
        unit = _text(raw, "kpi_unit")
        if unit and unit not in ResultProposal.Unit.values:
            errors["kpi_unit"] = _("เลือกหน่วยจากรายการ: ร้อยละ ระดับความสำเร็จ หรือจำนวน")
            unit = proposal.unit
        proposal = Proposal(proposal.name, unit, proposal.same_as_last_year)
    if "kpi_name" in raw:  # the checkbox sends nothing when unticked: read it with the rest of the form
        proposal = Proposal(proposal.name, proposal.unit, _text(raw, "kpi_same") in ("1", "on", "true"))
    new.proposal = proposal
    by_code = {v.code: v for v in indicator.variables.all()}
    baseline = by_code.get(BASELINE)
    if baseline is not None and not proposal.same_as_last_year and new.values.get(baseline.pk) is not None:
        errors.setdefault(variable_field(baseline), _(
            "ใส่ค่า Baseline เฉพาะตัวชี้วัดเรื่องเดิมที่รายงานในปีที่แล้ว: ติ๊ก “เป็นตัวชี้วัดเรื่องเดิม” หรือเว้นช่องนี้ว่าง"))
    rule = _UNIT_RULES.get(proposal.unit)
    if rule is None:
        return
    low, high, whole = rule
    label = ResultProposal.Unit(proposal.unit).label
    for code in (RESULT, TARGET, BASELINE):
        variable = by_code.get(code)
        value = new.values.get(variable.pk) if variable else None
        if value is None or variable_field(variable) in errors:
            continue
        if value < low or (high is not None and value > high) or (whole and value != value.to_integral_value()):
            if whole:
                message = _("หน่วย “%(unit)s”: กรอกจำนวนเต็มตั้งแต่ 0 ขึ้นไป")
            else:
                message = _("หน่วย “%(unit)s”: กรอกค่าระหว่าง %(low)s ถึง %(high)s")
            errors[variable_field(variable)] = message % {"unit": label, "low": low, "high": high}


def _diff(indicator: Indicator, old: Inputs, new: Inputs) -> list[tuple[str, str, str]]:
    """(field, old, new) for every stored thing that differs, in the indicator's order."""
    found = []
    for variable in indicator.variables.all():
        before, after = old.values.get(variable.pk), new.values.get(variable.pk)
        if before != after:
            found.append((variable.code, format_value(before), format_value(after)))
    for step in indicator.steps.all():
        if step.pk in new.steps and old.steps.get(step.pk) != new.steps[step.pk]:
            before = old.steps.get(step.pk)
            found.append((f"step:{step.number}", "" if before is None else str(before), str(new.steps[step.pk])))
    if old.level_id != new.level_id:
        names = {level.pk: level.name for level in indicator.levels.all()}
        found.append(("level", names.get(old.level_id, ""), names.get(new.level_id, "")))
    if old.passed != new.passed:
        as_text = {None: "", True: "1", False: "0"}
        found.append(("passed", as_text[old.passed], as_text[new.passed]))
    if old.answer != new.answer:
        found.append(("answer", old.answer, new.answer))
    if old.links != new.links:
        found.append(("links", old.links, new.links))
    before, after = old.proposal, new.proposal
    if before.name != after.name:
        found.append(("kpi_name", before.name, after.name))
    if before.unit != after.unit:
        units = dict(ResultProposal.Unit.choices)
        found.append(("kpi_unit", str(units.get(before.unit, "")), str(units.get(after.unit, ""))))
    if before.same_as_last_year != after.same_as_last_year:
        found.append(("kpi_same", "1" if before.same_as_last_year else "0", "1" if after.same_as_last_year else "0"))
    return found


def entries_write_inputs(items, *, user, source: str, now, warnings: Mapping[int, list] | None = None) -> list[ValueChange]:
    """Write new inputs for several (entry, indicator, old, new): values, steps, scores, audit, status.

    A constant number of queries for any number of entries, plus two per entry whose status changes.
    The entries must be locked by the caller's transaction. Every door that scores an entry (the entry page,
    the central grid and upload, the API, the demo) comes through here, so this is where the values carried
    from earlier rounds are read (``selectors.carried_inputs``) and where the later rounds that carry a
    changed value are scored again (``_rescore_carried``). ``warnings`` is each entry's confirmed
    warnings after the save (``reporting.checks.Checked.store``), stored on the entry.
    """
    warnings = warnings or {}
    items = list(items)
    for entry, indicator, _old, _new in items:
        entry.indicator = indicator
    carried = carried_inputs([entry for entry, _indicator, _old, _new in items])
    for entry, _indicator, old, new in items:
        old.carried = new.carried = dict(carried.get(entry.pk, {}))
    values, steps, changes, touched = [], [], [], []
    answers, proposals = [], []
    completed, emptied = [], []
    for entry, indicator, old, new in items:
        diff = _diff(indicator, old, new)
        if diff:
            entry.version += 1
            if (old.answer, old.links) != (new.answer, new.links):
                answers.append(Answer(entry=entry, text=new.answer, links=new.links))
            if old.proposal != new.proposal:
                proposal = new.proposal
                proposals.append(ResultProposal(entry=entry, office_id=entry.office_id, round_id=entry.round_id,
                                                name=proposal.name, name_key=proposal_key(proposal.name),
                                                unit=proposal.unit, same_as_last_year=proposal.same_as_last_year))
            for variable in indicator.variables.all():
                if variable.pk in new.values and old.values.get(variable.pk, "absent") != new.values[variable.pk]:
                    values.append(Value(entry=entry, variable=variable, value=new.values[variable.pk], updated_by=user,
                                        updated_at=now))
            for step in indicator.steps.all():
                if step.pk in new.steps and old.steps.get(step.pk) != new.steps[step.pk]:
                    steps.append(StepValue(entry=entry, step=step, done=new.steps[step.pk]))
            changes.extend(
                ValueChange(entry=entry, field=name, old_value=before, new_value=after, version=entry.version,
                            changed_by=user, changed_at=now, source=source)
                for name, before, after in diff
            )
        result = outcome(indicator, entry.round, new)
        entry.result, entry.self_score, entry.score_note = result.result, result.score, result.note[:255]
        entry.level_id, entry.passed, entry.updated_at = new.level_id, new.passed, now
        if entry.pk in warnings:
            entry.warnings = warnings[entry.pk]
        touched.append(entry)
        complete = is_complete(indicator, entry.round, new)
        if (complete and entry.status in (Entry.Status.NOT_REPORTED, Entry.Status.REJECTED)
                and (diff or entry.status == Entry.Status.NOT_REPORTED)):
            completed.append(entry)
        elif not complete and entry.status == Entry.Status.AWAITING:
            emptied.append(entry)
    if values:
        Value.objects.bulk_create(values, update_conflicts=True, unique_fields=["entry", "variable"],
                                  update_fields=["value", "updated_by", "updated_at"])
    if steps:
        StepValue.objects.bulk_create(steps, update_conflicts=True, unique_fields=["entry", "step"], update_fields=["done"])
    if touched:
        Entry.objects.bulk_update(touched, ["result", "self_score", "score_note", "level", "passed", "version", "updated_at",
                                            "warnings"])
    if answers:
        Answer.objects.bulk_create(answers, update_conflicts=True, unique_fields=["entry"], update_fields=["text", "links"])
    if proposals:
        ResultProposal.objects.bulk_create(proposals, update_conflicts=True, unique_fields=["entry"],
                                           update_fields=["name", "name_key", "unit", "same_as_last_year"])
    if changes:
        ValueChange.objects.bulk_create(changes)

    for entry in completed:
        workflow.entry_mark_reported(entry=entry, by=user, at=now)
    for entry in emptied:
        workflow.entry_mark_unreported(entry=entry, by=user, at=now)
    if values:
        _rescore_carried(values, user=user, source=source, now=now)
    return changes


def _rescore_carried(values: list[Value], *, user, source: str, now) -> None:
    """Score again the later-round entries of the same districts that carry one of these changed values.

    A rejected 6-month entry corrected during the 12-month round changes what the 12-month entry computes
    with. Certified and system-scored entries are final and stay as they are. 1 query when no value is of a
    variable limited to some rounds; otherwise a constant number, plus two per entry whose status changes.
    """
    limited = [v for v in values if v.variable.rounds.all()]
    if not limited:
        return
    sources = {(v.entry.office_id, v.entry.indicator_id, v.entry.round_id, v.variable_id) for v in limited}
    years = {v.entry.round.fiscal_year_id for v in limited}
    later = list(
        Entry.objects.select_for_update(of=("self",)).select_related("round__fiscal_year", "office")
        .filter(office_id__in={s[0] for s in sources}, indicator_id__in={s[1] for s in sources},
                round__fiscal_year_id__in=years,
                status__in=[Entry.Status.NOT_REPORTED, Entry.Status.AWAITING, Entry.Status.REJECTED])
        .exclude(round_id__in={s[2] for s in sources}).order_by("pk")
    )
    if not later:
        return
    indicators = {i.pk: i for i in indicator_config(Indicator.objects.filter(pk__in={e.indicator_id for e in later}))}
    dependent = []
    for entry in later:
        entry.indicator = indicators[entry.indicator_id]
        if any((entry.office_id, entry.indicator_id, round_.pk, variable.pk) in sources
               for variable, round_ in carried_variables(entry.indicator, entry.round)):
            dependent.append(entry)
    if dependent:
        entries_recompute(entries=dependent, user=user, source=source, now=now)


def entries_recompute(*, entries: list[Entry], user, source: str, now) -> None:
    """Score these entries again from what they hold (and carry), moving their status if that completes them.

    Each entry needs ``indicator`` (from ``indicator_config``) and ``round``, and must be locked by the
    caller's transaction. Writes no value; a constant number of queries plus two per status change.
    """
    if not entries:
        return
    ids = [e.pk for e in entries]
    stored, done = values_and_steps(Value.objects.filter(entry_id__in=ids), StepValue.objects.filter(entry_id__in=ids))
    texts, proposals = entry_texts(entries)
    items = []
    for entry in entries:
        inputs = entry_inputs(entry, stored.get(entry.pk, []), done.get(entry.pk, []), texts.get(entry.pk),
                              proposals.get(entry.pk))
        items.append((entry, entry.indicator, inputs, inputs.copy()))
    entries_write_inputs(items, user=user, source=source, now=now)


def _score_carried_only(round_: Round, now) -> None:
    """Score the round's new entries whose every input comes from an earlier round: nothing is entered for them
    in this round, so nobody's save would ever score them (a constant number of queries, none without such
    indicators, plus two per entry that becomes awaiting)."""
    limited = list(
        Indicator.objects.filter(entries__round=round_, entries__status=Entry.Status.NOT_REPORTED,
                                 variables__rounds__isnull=False).exclude(variables__rounds=round_)
        .values_list("pk", flat=True).distinct()
    )
    if not limited:
        return
    indicators = {
        i.pk: i for i in indicator_config(Indicator.objects.filter(pk__in=limited))
        if carried_variables(i, round_) and not active_variables(i, round_) and district_chooses(i) is None
    }
    if not indicators:
        return
    entries = list(
        Entry.objects.select_for_update(of=("self",)).select_related("round__fiscal_year", "office")
        .filter(round=round_, indicator_id__in=list(indicators), status=Entry.Status.NOT_REPORTED).order_by("pk")
    )
    for entry in entries:
        entry.indicator = indicators[entry.indicator_id]
    entries_recompute(entries=entries, user=None, source=ValueChange.Source.SYSTEM, now=now)


def entry_save_values(*, entry: Entry, user, raw: Mapping[str, str], expected_version: int, now=None,
                      source: str = ValueChange.Source.ENTRY_PAGE, confirm_clear: bool = True,
                      confirm_warnings: bool | str = False) -> Saved:
    """Save what the district typed for one indicator: all of it or nothing.

    Raises EntryClosed (the round is not open, or the entry is certified), VersionConflict (someone saved
    since ``expected_version`` was read: nothing is written, the caller shows what changed),
    InvalidInputs (every wrong field with its message, broken error rules included: nothing is written) or
    NeedsConfirmation (warnings not confirmed: nothing is written; ``confirm_warnings`` is True or the
    token of the warnings the user saw, ``reporting.checks``). With ``confirm_clear`` False
    (the entry page's form), a save that would empty a saved value raises ClearNotConfirmed and writes
    nothing: clearing is a deliberate, confirmed act there, never an empty box saved by accident. Permission to report for
    the entry's district is the caller's (the view's) check; the time and status rules are checked here,
    under the row lock, so a save that races the deadline or a certification cannot slip through.
    """
    now = now or timezone.now()
    with transaction.atomic():
        entry = (
            Entry.objects.select_for_update(of=("self",))
            .select_related("round__fiscal_year", "office", "indicator")
            .get(pk=entry.pk)
        )
        block = entry_edit_block(entry, now)
        if block:
            raise EntryClosed(block)
        indicator = indicator_config(Indicator.objects.filter(pk=entry.indicator_id)).get()
        entry.indicator = indicator
        if entry.version != expected_version:
            changes = list(
                ValueChange.objects.filter(entry=entry, version__gt=expected_version).select_related("changed_by")
                .order_by("changed_at", "pk")
            )
            raise VersionConflict(version=entry.version, changes=changes)
        current = stored_inputs(entry)
        new = parse_district_inputs(indicator, entry.round, raw, current)
        if not confirm_clear:
            cleared = [ValueChange(field=field, old_value=before, new_value="")
                       for field, before, after in _diff(indicator, current, new) if before and not after]
            if cleared:
                back = entry.status == Entry.Status.AWAITING and not is_complete(indicator, entry.round, new)
                raise ClearNotConfirmed(cleared=cleared, back_to_not_reported=back)
        items = [(entry, indicator, current, new)]
        warnings = _check_values(items, entry.round, confirm_warnings, user=user, now=now)
        if new.proposal == current.proposal:
            changes = entries_write_inputs(items, user=user, source=source, now=now, warnings=warnings)
        else:
            _check_proposal_unique(entry, new.proposal)
            try:
                with transaction.atomic():
                    changes = entries_write_inputs(items, user=user, source=source, now=now, warnings=warnings)
            except IntegrityError:
                # Another save proposed the same indicator for another dimension a moment ago: the database's
                # unique (office, round, name) refused this one; say so as the check above would have.
                _check_proposal_unique(entry, new.proposal)
                raise
    return Saved(entry=entry, indicator=indicator, inputs=new, changes=changes)


def _check_values(items, round_: Round, confirm: bool | str, *, user, now) -> dict[int, list]:
    """The rules and warnings of ``reporting.checks`` for one entry's save: raises, or returns what to store."""

    checked = checks.entries_check(items, round_)
    entry, indicator, _old, _new = items[0]
    if checked.errors:
        findings = checked.errors[entry.pk]
        raise InvalidInputs(checks.field_messages(indicator, findings, variable_field), findings)
    pending = checked.all_pending
    if not checks.is_confirmed(confirm, pending):
        raise NeedsConfirmation(pending, checks.warnings_token(pending))
    return checked.store(items, user=user, now=now)


def _check_proposal_unique(entry: Entry, proposal: Proposal) -> None:
    """Seed 004: a district proposes one indicator per category-7 dimension, never the same one in two."""
    key = proposal_key(proposal.name)
    if not key:
        return
    taken = (
        ResultProposal.objects.filter(office_id=entry.office_id, round_id=entry.round_id, name_key=key)
        .exclude(entry=entry).select_related("entry__indicator").first()
    )
    if taken is not None:
        raise InvalidInputs({"kpi_name": _(
            "ตัวชี้วัด “%(name)s” เสนอไว้แล้วในมิติ %(code)s: เสนอตัวชี้วัดเดียวกันซ้ำในมิติอื่นไม่ได้ เลือกตัวชี้วัดอื่น"
        ) % {"name": proposal.name, "code": taken.entry.indicator.code}})


# --- Scoring again when the criteria change ----------------------------------------------------------


@dataclass(frozen=True)
class Rescored:
    rescored: int
    to_recertify: int


def entries_rescore(*, indicator_ids, change=None, now=None) -> Rescored:
    """Score every entry of these indicators again, from what it holds, under the criteria stored now.

    Every entry gets the result, self-assessed score and note the criteria give now, so no page shows a
    score computed under criteria no longer in force; no status moves. What counts does not change for
    the system-scored ones (their official 1.00000 stays) nor for certified ones: a certified official
    score changes only by an explicit re-certification (``reporting.workflow.entries_recertify``).
    Certified entries the criteria now score differently are put on the re-certification list
    (``Recertification``, with ``change``); those scored the same again, and entries no longer
    certified, come off it. ``rescored`` counts the entries whose stored score or result changed.

    A constant number of queries whatever the number of districts: the criteria (7), the entries,
    locked (1), their values and steps (2), one update of the changed entries (batches of 1,000), the
    list's upsert (when there is something to list) and its clean-up (1).
    """
    now = now or timezone.now()
    ids = list(indicator_ids)
    if not ids:
        return Rescored(0, 0)
    with transaction.atomic():
        indicators = {i.pk: i for i in indicator_config(Indicator.objects.filter(pk__in=ids))}
        entries = list(Entry.objects.select_for_update(of=("self",)).filter(indicator_id__in=ids)
                       .select_related("round__fiscal_year"))
        for entry in entries:
            entry.indicator = indicators[entry.indicator_id]
        carried = carried_inputs(entries)
        values, steps = values_and_steps(Value.objects.filter(entry__indicator_id__in=ids),
                                         StepValue.objects.filter(entry__indicator_id__in=ids))
        changed, pending, settled = [], [], []
        for entry in entries:
            entered = (entry.pk in values or entry.pk in steps or entry.level_id is not None
                       or entry.passed is not None or any(v is not None for v in carried.get(entry.pk, {}).values()))
            if not entered:
                continue  # nothing entered or carried yet: no criteria give it a score, its row need not be written
            indicator = indicators[entry.indicator_id]
            inputs = entry_inputs(entry, values.get(entry.pk, []), steps.get(entry.pk, []), carried=carried.get(entry.pk))
            result = outcome(indicator, entry.round, inputs)
            note = result.note[:255]
            if (entry.result, entry.self_score, entry.score_note) != (result.result, result.score, note):
                entry.result, entry.self_score, entry.score_note, entry.updated_at = result.result, result.score, note, now
                changed.append(entry)
            if entry.status != Entry.Status.CERTIFIED:
                continue
            certified = _certified_outcome(indicator, entry, result)
            if certified.score is not None and certified.score == entry.official_score:
                settled.append(entry.pk)
            else:
                pending.append(Recertification(
                    entry=entry, old_score=entry.official_score, new_score=certified.score,
                    new_result=certified.result, new_note=certified.note[:255], change=change, noted_at=now))
        if changed:
            Entry.objects.bulk_update(changed, ["result", "self_score", "score_note", "updated_at"], batch_size=1000)
        if pending:
            Recertification.objects.bulk_create(
                pending, update_conflicts=True, unique_fields=["entry"],
                update_fields=["new_score", "new_result", "new_note", "change", "noted_at"])
        # Off the list: certified entries scored the same again, and entries no longer certified (reopened).
        Recertification.objects.filter(entry__indicator_id__in=ids).filter(
            Q(entry_id__in=settled) | ~Q(entry__status=Entry.Status.CERTIFIED)).delete()
    return Rescored(len(changed), len(pending))


def _certified_outcome(indicator: Indicator, entry: Entry, computed: Outcome) -> Outcome:
    """A certified rubric entry is scored by the level its certifier confirmed (which may not be the district's)."""
    if indicator.method != Indicator.Method.RUBRIC or entry.official_level_id is None:
        return computed
    level = next((lv for lv in indicator.levels.all() if lv.pk == entry.official_level_id), None)
    return computed if level is None else Outcome(None, score_rubric(level.score))


def on_criteria_changed(sender, *, framework, indicator_ids, activity: bool, change, now, **kwargs) -> tuple[int, int]:
    """A published framework's criteria changed (``indicators.signals.criteria_changed``): its entries follow.

    An indicator now active in a round that is open gets its entries there; rounds not yet open get them
    when they open, and closed rounds are not reopened by a change of criteria. The changed indicators'
    entries are scored again (``entries_rescore``). Answers (entries rescored, entries to re-certify).
    """
    if activity:
        for round_ in framework.fiscal_year.rounds.filter(opens_at__lte=now, closed_at__isnull=True):
            round_open(round_=round_)
    if not indicator_ids:
        return 0, 0
    rescored = entries_rescore(indicator_ids=indicator_ids, change=change, now=now)
    return rescored.rescored, rescored.to_recertify
