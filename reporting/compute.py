"""An entry's result and score from what it holds: pure, over an indicator whose criteria are prefetched.

``Inputs`` is what an entry holds (variable values, milestone steps done, the rubric level, the
pass/fail choice). ``outcome`` turns it into the result, the self-assessed score and, when there is
no score, the reason, using ``indicators.scoring`` and ``indicators.formula``. ``is_complete`` says
whether the district has entered everything it enters in this round. Both read only what
``indicator_config`` prefetched, so the page and the save stay at a constant number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from indicators.formula import Computed, FormulaError, parse_formula
from indicators.models import Indicator, MilestoneStep, Round, Variable
from indicators.numbers import MAX_WHOLE_DIGITS, fits
from indicators.scoring import quantize5, score_linear, score_milestones, score_pass_fail, score_rubric

Method = Indicator.Method


def indicator_config(queryset=None):
    """Indicators with everything scoring and the entry page read, prefetched (6 queries for any number)."""
    queryset = Indicator.objects.all() if queryset is None else queryset
    return queryset.select_related("owner", "group", "parent", "framework").prefetch_related(
        "rounds",
        Prefetch("variables", queryset=Variable.objects.prefetch_related("rounds").order_by("order", "code")),
        "thresholds",
        Prefetch("steps", queryset=MilestoneStep.objects.order_by("number")),
        "levels",
    )


def active_variables(indicator: Indicator, round_: Round) -> list[Variable]:
    """The indicator's variables reported in this round (a variable with no rounds is in every round)."""
    found = []
    for variable in indicator.variables.all():
        ids = {r.pk for r in variable.rounds.all()}
        if not ids or round_.pk in ids:
            found.append(variable)
    return found


def carried_variables(indicator: Indicator, round_: Round) -> list[tuple[Variable, Round]]:
    """The indicator's variables not reported in this round whose value comes from an earlier round, with that round.

    The rule (docs/scoring.md, "Variables reported in other rounds"): the latest value of the same fiscal
    year, from the latest earlier round in which the variable is reported (``Variable.carried_from``).
    """
    ids = {r.pk for r in indicator.rounds.all()}
    found = []
    for variable in indicator.variables.all():
        source = variable.carried_from(round_, ids)
        if source is not None:
            found.append((variable, source))
    return found


def chooses_centrally(indicator: Indicator) -> bool:
    """Steps, levels and pass/fail of an indicator the district does not report are the bureau's."""
    return indicator.frequency == Indicator.Frequency.NONE


def central_level(indicator: Indicator) -> bool:
    """The owning bureau enters this indicator's level for every district (PMQA 1.2 from ITA, category 6's group)."""
    return chooses_centrally(indicator) and indicator.method == Method.RUBRIC


def district_chooses(indicator: Indicator) -> str | None:
    """Which choice the district makes on the page: "steps", "level", "passed", or None (variables only)."""
    if chooses_centrally(indicator):
        return None
    if indicator.method == Method.MILESTONE:
        return "steps"
    if indicator.method == Method.RUBRIC:
        return "level"
    if indicator.method == Method.PASS_FAIL and not indicator.formula:
        return "passed"
    return None


@dataclass(frozen=True)
class Proposal:
    """The district's own result indicator of a PMQA category-7 dimension (reporting.models.ResultProposal)."""

    name: str = ""
    unit: str = ""
    same_as_last_year: bool = False


@dataclass
class Inputs:
    """What one entry holds: values by variable id, sub-items done by step id, the level and pass/fail chosen,
    and what the district writes (a PMQA item's answer and links, a category-7 proposal).

    ``carried`` holds, by variable id, the values of variables not reported in this round that come from an
    earlier round (``carried_variables``; None: that round has no value), read-only: never written to this entry.
    """

    values: dict[int, Decimal | None] = field(default_factory=dict)
    steps: dict[int, int] = field(default_factory=dict)
    level_id: int | None = None
    passed: bool | None = None
    answer: str = ""
    links: str = ""
    proposal: Proposal = Proposal()
    carried: dict[int, Decimal | None] = field(default_factory=dict)

    def copy(self) -> Inputs:
        return Inputs(dict(self.values), dict(self.steps), self.level_id, self.passed, self.answer, self.links,
                      self.proposal, dict(self.carried))


def entry_inputs(entry, values, step_values, answer=None, proposal=None, carried=None) -> Inputs:
    """What an entry holds now, from its Value and StepValue rows and its Answer and ResultProposal (if any),
    with the values carried from earlier rounds (``selectors.carried_inputs``)."""
    return Inputs(
        values={v.variable_id: v.value for v in values},
        steps={s.step_id: s.done for s in step_values},
        level_id=entry.level_id,
        passed=entry.passed,
        answer=answer.text if answer else "",
        links=answer.links if answer else "",
        proposal=Proposal(proposal.name, proposal.unit, proposal.same_as_last_year) if proposal else Proposal(),
        carried=dict(carried or {}),
    )


# Category 7's variables (seed 004): the proposed indicator's result, its target, and last year's result.
RESULT, TARGET, BASELINE = "A", "B", "C"


@dataclass(frozen=True)
class Outcome:
    result: Decimal | None
    score: Decimal | None
    note: str = ""
    # The inputs give a result no column holds (``result_refusal``): the note says so; never saved.
    too_large: bool = False


@lru_cache(maxsize=4096)
def _formula(text: str, codes: frozenset[str]):
    return parse_formula(text, variables=codes)


def outcome(indicator: Indicator, round_: Round, inputs: Inputs) -> Outcome:
    """The result and self-assessed score these inputs give, or why there is none (never raises on data)."""
    method = indicator.method
    try:
        if method == Method.QUANTITATIVE:
            return _quantitative(indicator, round_, inputs)
        if method == Method.PASS_FAIL:
            return _pass_fail(indicator, round_, inputs)
        if method == Method.MILESTONE:
            return _milestone(indicator, inputs)
        if method == Method.RUBRIC:
            return _rubric(indicator, inputs)
    except (ValueError, FormulaError) as exc:
        # Criteria an administrator left inconsistent: say so rather than show a made-up score.
        return Outcome(None, None, _("คำนวณคะแนนไม่ได้: %(reason)s") % {"reason": exc})
    if method == Method.DERIVED:
        return Outcome(None, None, _("คะแนนคำนวณจากตัวชี้วัดอื่น"))
    return Outcome(None, None, _("คะแนนคำนวณจากตัวชี้วัดย่อย"))


def _evaluate(indicator: Indicator, round_: Round, inputs: Inputs) -> Computed | Outcome:
    variables = active_variables(indicator, round_)
    by_code = {v.code: inputs.values.get(v.pk) for v in variables}
    by_code.update((v.code, inputs.carried.get(v.pk)) for v, _source in carried_variables(indicator, round_))
    formula = _formula(indicator.formula, frozenset(v.code for v in indicator.variables.all()))
    computed = formula.evaluate(by_code)
    if isinstance(computed, Computed):
        return computed if fits(computed.value) else _too_large(indicator, round_)
    if computed.too_large:
        return _too_large(indicator, round_)
    return Outcome(None, None, computed.reason)


def formula_variables(indicator: Indicator, round_: Round) -> list[Variable]:
    """The variables the indicator's formula reads in this round — its own and those carried from an earlier
    round — in the indicator's order ([] without a formula)."""
    if not indicator.formula:
        return []
    try:
        used = _formula(indicator.formula, frozenset(v.code for v in indicator.variables.all())).variables_used
    except FormulaError:
        return []
    read = {v.pk for v in active_variables(indicator, round_)} | {v.pk for v, _r in carried_variables(indicator, round_)}
    return [v for v in indicator.variables.all() if v.pk in read and v.code in used]


def _too_large(indicator: Indicator, round_: Round) -> Outcome:
    codes = [v.code for v in formula_variables(indicator, round_)]
    names = codes[0] if len(codes) == 1 else _("%(first)s และ %(last)s") % {
        "first": ", ".join(codes[:-1]), "last": codes[-1]}
    return Outcome(None, None, _(
        "ผลการคำนวณใหญ่เกินกว่าที่ระบบเก็บได้ (ได้ไม่เกิน %(whole)s หลักหน้าจุดทศนิยม): ตรวจสอบค่า %(names)s"
    ) % {"whole": MAX_WHOLE_DIGITS, "names": names}, too_large=True)


def result_refusal(indicator: Indicator, round_: Round, inputs: Inputs) -> str | None:
    """Why these inputs may not be saved, in the active language; None when they may.

    The one bound on what inputs may give together: the formula's result must be a number
    ``indicators.numbers.fits`` (at most as many whole digits as a typed value, five decimals), which
    ``Entry.result`` holds and the scoring engine computes with. Every door that writes inputs — the entry
    page and its preview, the central-data grid and upload, the API — calls it on the inputs as they would
    be after the save, and refuses the save with this message. See docs/reporting.md ("Results too large").
    """
    found = outcome(indicator, round_, inputs)
    return found.note if found.too_large else None


def _quantitative(indicator: Indicator, round_: Round, inputs: Inputs) -> Outcome:
    computed = _evaluate(indicator, round_, inputs)
    if isinstance(computed, Outcome):
        return computed
    result = quantize5(computed.value)
    thresholds = [t.value for t in sorted(indicator.thresholds.all(), key=lambda t: t.level)]
    return Outcome(result, score_linear(computed.value, thresholds))


def _pass_fail(indicator: Indicator, round_: Round, inputs: Inputs) -> Outcome:
    if indicator.formula:
        computed = _evaluate(indicator, round_, inputs)
        if isinstance(computed, Outcome):
            return computed
        # Passed when the result reaches the target; with no target, when it is not zero (1 = done).
        passed = computed.value >= indicator.target if indicator.target is not None else computed.value != 0
        result = quantize5(computed.value)
    else:
        if inputs.passed is None:
            return Outcome(None, None, _("ยังไม่ได้เลือกผลสำเร็จ/ไม่สำเร็จ"))
        passed, result = inputs.passed, None
    return Outcome(result, score_pass_fail(passed, pass_score=indicator.pass_score, fail_score=indicator.fail_score))


def _milestone(indicator: Indicator, inputs: Inputs) -> Outcome:
    steps = list(indicator.steps.all())
    if not any(step.pk in inputs.steps for step in steps):
        return Outcome(None, None, _("ยังไม่ได้บันทึกขั้นตอนการดำเนินงาน"))
    completion = [Decimal(min(inputs.steps.get(step.pk, 0), step.sub_items)) / Decimal(step.sub_items) for step in steps]
    score = score_milestones(completion, levels=len(steps))
    done = 0
    while done < len(steps) and completion[done] == 1:
        done += 1
    return Outcome(Decimal(done), score)


def _rubric(indicator: Indicator, inputs: Inputs) -> Outcome:
    level = next((lv for lv in indicator.levels.all() if lv.pk == inputs.level_id), None)
    if level is None:
        return Outcome(None, None, _("ยังไม่ได้เลือกระดับ"))
    return Outcome(None, score_rubric(level.score))


def is_complete(indicator: Indicator, round_: Round, inputs: Inputs) -> bool:
    """Has the district entered everything it enters for this indicator in this round?

    An indicator the district enters nothing for (only central data) is complete when its central
    values are all there; one with nothing to enter at all (derived) never is, here.
    """
    variables = active_variables(indicator, round_)
    if central_level(indicator):
        return inputs.level_id is not None
    if indicator.response == Indicator.Response.PMQA_RESULT:
        return _result_complete(variables, inputs)
    district = [v for v in variables if v.source == Variable.Source.DISTRICT]
    choice = district_chooses(indicator)
    if indicator.response == Indicator.Response.PMQA_ITEM and not inputs.answer.strip():
        return False  # seed 004: every self-assessed item is answered in writing (the response form)
    carried = carried_variables(indicator, round_)
    if any(inputs.carried.get(v.pk) is None for v, _source in carried):
        return False  # the earlier round that reports it has no value: nothing to score this round with
    if not district and choice is None:
        return bool(variables or carried) and all(inputs.values.get(v.pk) is not None for v in variables)
    if any(inputs.values.get(v.pk) is None for v in district):
        return False
    if choice == "steps":
        return all(step.pk in inputs.steps for step in indicator.steps.all())
    if choice == "level":
        return inputs.level_id is not None
    if choice == "passed":
        return inputs.passed is not None
    return True


def _result_complete(variables: list[Variable], inputs: Inputs) -> bool:
    """A category-7 dimension is reported with its indicator's name and unit, result and target, and the
    baseline when it is the same indicator as last year (seed 004)."""
    proposal = inputs.proposal
    if not (proposal.name.strip() and proposal.unit):
        return False
    needed = {RESULT, TARGET, *((BASELINE,) if proposal.same_as_last_year else ())}
    return all(inputs.values.get(v.pk) is not None for v in variables if v.code in needed)
