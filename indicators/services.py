"""Writes of the configuration: publishing a framework, copying it to the next fiscal year, and the audited
change of a published framework's criteria."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.formula import FormulaError, parse_formula
from indicators.models import (
    CriteriaChange,
    DerivedComponent,
    FiscalYear,
    Framework,
    Group,
    Indicator,
    MilestoneStep,
    Round,
    RubricLevel,
    Threshold,
    ValidationRule,
    Variable,
)
from indicators.scoring import score_linear
from indicators.selectors import ENTRY_CRITERIA, Criteria, CriteriaKey, framework_tree, weight_problems
from indicators.signals import criteria_changed


def framework_problems(*, framework: Framework) -> list[str]:
    """Everything that stops a framework from being published, in Thai; empty when it is ready."""
    roots = framework_tree(framework)
    problems = weight_problems(roots)
    leaves = []
    for root in roots:
        for node in root.walk():
            if node.is_group:
                continue
            problems.extend(indicator_problems(indicator=node.obj, has_children=bool(node.children)))
            if not node.children:
                leaves.append(node.obj)
    problems.extend(round_problems(framework=framework, indicators=leaves))
    return problems


def round_problems(*, framework: Framework, indicators: list[Indicator]) -> list[str]:
    """Every (indicator, round) in which an indicator is evaluated but its formula names a variable that has no
    value to use: not reported in that round, nor in an earlier round of the year in which the indicator is
    evaluated (``Variable.carried_from``, docs/scoring.md). 2 queries for the whole framework.
    """
    rounds = list(Round.objects.filter(fiscal_year_id=framework.fiscal_year_id).select_related("fiscal_year").order_by("months"))
    if not rounds:
        return []
    variables: dict[int, list[Variable]] = {}
    for variable in Variable.objects.filter(indicator__in=[i.pk for i in indicators]).prefetch_related("rounds"):
        variables.setdefault(variable.indicator_id, []).append(variable)
    problems = []
    for indicator in indicators:
        if not indicator.formula or indicator.method == Indicator.Method.DERIVED:
            continue
        try:
            used = parse_formula(indicator.formula, variables={v.code for v in variables.get(indicator.pk, [])}).variables_used
        except FormulaError:
            continue  # indicator_problems names it
        ids = {r.pk for r in indicator.rounds.all()}
        for round_ in rounds:
            if not indicator.is_active_in(round_, ids):
                continue
            missing = sorted(
                v.code for v in variables.get(indicator.pk, []) if v.code in used
                and v.rounds.all() and round_ not in v.rounds.all() and v.carried_from(round_, ids) is None
            )
            if missing:
                problems.append(_(
                    "%(code)s: ประเมินใน%(round)s แต่ตัวแปร %(variables)s ไม่ได้รายงานในรอบนี้หรือรอบก่อนหน้าของปีงบประมาณ "
                    "จึงคำนวณผลในรอบนี้ไม่ได้ — ให้รายงานตัวแปรในรอบนี้ (หรือรอบก่อนหน้า) หรือไม่ประเมินตัวชี้วัดในรอบนี้"
                ) % {"code": indicator.code, "round": round_.label, "variables": ", ".join(missing)})
    return problems


def indicator_problems(*, indicator: Indicator, has_children: bool) -> list[str]:
    """The configuration errors of one indicator (uses its prefetched relations)."""
    label = f"{indicator.code}"
    problems = []
    method = indicator.method
    codes = {variable.code for variable in indicator.variables.all()}
    if indicator.formula:
        try:
            parse_formula(indicator.formula, variables=codes)
        except FormulaError as exc:
            problems.append(f"{label}: {exc}")
    if method == Indicator.Method.QUANTITATIVE:
        values = [t.value for t in sorted(indicator.thresholds.all(), key=lambda t: t.level)]
        if len(values) != 5:
            problems.append(_("%(code)s: ต้องมีเกณฑ์ครบ 5 ระดับ") % {"code": label})
        else:
            try:
                score_linear(values[0], values)
            except ValueError as exc:
                problems.append(f"{label}: {exc}")
    elif method == Indicator.Method.WEIGHTED and not has_children:
        problems.append(_("%(code)s: ต้องมีตัวชี้วัดย่อย") % {"code": label})
    elif method == Indicator.Method.MILESTONE:
        numbers = sorted(step.number for step in indicator.steps.all())
        if numbers != [1, 2, 3, 4, 5]:
            problems.append(_("%(code)s: ต้องมีขั้นตอนที่ 1 ถึง 5 ครบ") % {"code": label})
    elif method == Indicator.Method.RUBRIC and not indicator.levels.all():
        problems.append(_("%(code)s: ต้องกำหนดระดับตามเกณฑ์") % {"code": label})
    elif method == Indicator.Method.DERIVED and not indicator.components.all():
        problems.append(_("%(code)s: ต้องระบุตัวชี้วัดที่ใช้คะแนน") % {"code": label})
    return problems


@transaction.atomic
def framework_publish(*, framework: Framework) -> Framework:
    """Publish a framework whose weights and criteria are complete; raises ValidationError listing what is not."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    problems = framework_problems(framework=framework)
    if problems:
        raise ValidationError(problems)
    framework.status = Framework.Status.PUBLISHED
    framework.published_at = timezone.now()
    framework.save(update_fields=["status", "published_at"])
    return framework


@transaction.atomic
def framework_copy_to_year(*, framework: Framework, fiscal_year: FiscalYear) -> Framework:
    """Copy a framework with its whole tree to another fiscal year, as a draft.

    Rounds belong to a year: an indicator or variable limited to "the 12-month round" is limited to the
    new year's round of the same months, when that round exists.
    """
    if Framework.objects.filter(fiscal_year=fiscal_year, code=framework.code).exists():
        raise ValidationError(
            _("ปีงบประมาณ %(year)s มีกรอบการประเมินรหัส %(code)s อยู่แล้ว") % {"year": fiscal_year.year, "code": framework.code}
        )
    new_rounds = {r.months: r for r in fiscal_year.rounds.all()}
    copy = Framework.objects.create(
        fiscal_year=fiscal_year, code=framework.code,
        name=_replace_year(framework.name, framework.fiscal_year.year, fiscal_year.year),
        kind=framework.kind, description=framework.description, status=Framework.Status.DRAFT,
    )
    group_map: dict[int, Group] = {}
    for group in _parents_first(Group.objects.filter(framework=framework), _("โครงสร้างมิติ/หมวดวนกลับหากัน คัดลอกไม่ได้")):
        old_pk = group.pk
        group.pk = None
        group.framework = copy
        group.parent = group_map.get(group.parent_id) if group.parent_id else None
        group.save()
        group_map[old_pk] = group

    indicator_map: dict[int, Indicator] = {}
    for old in _parents_first(framework_indicators_for_copy(framework), _("ตัวชี้วัดหลัก/ย่อยวนกลับหากัน คัดลอกไม่ได้")):
        rounds = [new_rounds[r.months] for r in old.rounds.all() if r.months in new_rounds]
        variables = list(old.variables.all())
        thresholds = list(old.thresholds.all())
        steps = list(old.steps.all())
        levels = list(old.levels.all())
        rules = list(old.rules.all())
        old_pk, old_group_id, old_parent_id = old.pk, old.group_id, old.parent_id
        new = old  # its relations were read above; saving with no pk inserts a copy
        new.pk = None
        new.framework = copy
        new.group = group_map.get(old_group_id) if old_group_id else None
        new.parent = indicator_map.get(old_parent_id) if old_parent_id else None
        new.save()
        new.rounds.set(rounds)
        for variable in variables:
            variable_rounds = [new_rounds[r.months] for r in variable.rounds.all() if r.months in new_rounds]
            variable.pk = None
            variable.indicator = new
            variable.save()
            variable.rounds.set(variable_rounds)
        Threshold.objects.bulk_create([Threshold(indicator=new, level=t.level, value=t.value) for t in thresholds])
        MilestoneStep.objects.bulk_create(
            [MilestoneStep(indicator=new, number=s.number, description=s.description, sub_items=s.sub_items) for s in steps]
        )
        RubricLevel.objects.bulk_create(
            [RubricLevel(indicator=new, code=lv.code, name=lv.name, criteria=lv.criteria, score=lv.score) for lv in levels]
        )
        ValidationRule.objects.bulk_create([
            ValidationRule(indicator=new, left=r.left, operator=r.operator, right=r.right, severity=r.severity,
                           message=r.message, message_en=r.message_en, order=r.order) for r in rules
        ])
        indicator_map[old_pk] = new
    components = DerivedComponent.objects.filter(indicator__framework=framework).select_related("source")
    DerivedComponent.objects.bulk_create([
        DerivedComponent(
            indicator=indicator_map[c.indicator_id],
            # A source outside this framework (another framework's KPI) stays pointed at the original.
            source=indicator_map.get(c.source_id, c.source),
            weight=c.weight,
        )
        for c in components
    ])
    return copy


def _parents_first(items, cycle_message: str):
    """Yield rows (with ``pk`` and ``parent_id``) so that a parent always comes before its children.

    The caller saves each as it is yielded; a row waits until its parent has been yielded, so no
    ordering of the query is trusted. A parent loop raises ValidationError with ``cycle_message``.
    """
    pending = list(items)
    done: set[int] = set()
    while pending:
        waiting = []
        for item in pending:
            if item.parent_id and item.parent_id not in done:
                waiting.append(item)
                continue
            old_pk = item.pk
            yield item
            done.add(old_pk)
        if len(waiting) == len(pending):
            raise ValidationError(cycle_message)
        pending = waiting


def framework_indicators_for_copy(framework: Framework):
    return Indicator.objects.filter(framework=framework).prefetch_related(
        "rounds", "variables__rounds", "thresholds", "steps", "levels", "rules"
    )


def _replace_year(name: str, old: int, new: int) -> str:
    return name.replace(str(old), str(new)) if str(old) in name else f"{name} ({new})"



# --- Changing a published framework's criteria -------------------------------------------------------


def criteria_reason_message() -> str:
    return _("กรอบการประเมินนี้ประกาศใช้แล้ว: การเปลี่ยนเกณฑ์การให้คะแนนต้องระบุเหตุผลการเปลี่ยนแปลง "
             "(เช่น คำขอปรับรายละเอียดคำรับรองฯ ที่ได้รับอนุมัติ)")


class CriteriaRefused(ValidationError):
    """A change of a published framework's criteria that would leave an indicator unscorable in a round."""


@dataclass(frozen=True)
class CriteriaChanged:
    """What one change of criteria did: the audit rows written, the entries rescored, those left to re-certify."""

    changes: list[CriteriaChange]
    rescored: int = 0
    to_recertify: int = 0


def _summary(criteria: Criteria) -> str:
    weight = criteria.fields.get("weight", "")
    return _("น้ำหนัก %(weight)s") % {"weight": weight} if weight else ""


def framework_change_criteria(*, framework: Framework, before: dict[CriteriaKey, Criteria],
                              after: dict[CriteriaKey, Criteria], reason: str, user, now=None) -> CriteriaChanged:
    """Audit every change of a published framework's scoring between two snapshots, and rescore what it moved.

    ``before`` and ``after`` are ``indicators.selectors.criteria_snapshot`` of the same indicators and groups,
    read before and after the change, inside the caller's transaction (the admin's save): the audit rows,
    the rescoring of the entries that are not certified and the list of certified ones to re-certify
    (``reporting.services.entries_rescore``) commit or roll back with the change itself. A draft framework
    is not audited. Raises ValidationError when something changed and ``reason`` is empty.
    """
    if not framework.is_published:
        return CriteriaChanged([])
    now = now or timezone.now()
    reason = (reason or "").strip()
    rows: list[CriteriaChange] = []
    rescore: set[int] = set()
    activity = False
    for key in sorted(set(before) | set(after)):
        kind, pk = key
        old, new = before.get(key), after.get(key)
        ref = {"indicator_id": pk} if kind == "indicator" else {"group_id": pk}
        if old is None or new is None:
            present = new or old
            rows.append(CriteriaChange(
                framework=framework, subject=present.subject, field="created" if old is None else "removed",
                old_value="" if old is None else _summary(old), new_value="" if new is None else _summary(new),
                **(ref if new is not None else {}),
            ))
            activity = activity or (kind == "indicator" and new is not None)
            continue
        for name, new_text in new.fields.items():
            old_text = old.fields.get(name, "")
            if old_text == new_text:
                continue
            rows.append(CriteriaChange(framework=framework, subject=new.subject, field=name, old_value=old_text,
                                       new_value=new_text, **ref))
            if kind == "indicator" and name in ENTRY_CRITERIA:
                rescore.add(pk)
            if name in ("rounds", "applies_to"):
                activity = True
    if not rows:
        return CriteriaChanged([])
    if not reason:
        raise ValidationError(criteria_reason_message())
    # What publishing refuses, a change after publishing may not bring back: every indicator it changed
    # must stay scorable, in every round it is active in, from what that round asks for (docs/scoring.md).
    changed = {row.indicator_id for row in rows if row.indicator_id}
    problems = round_problems(framework=framework, indicators=list(
        framework.indicators.filter(pk__in=changed).prefetch_related("rounds").order_by("order", "code")))
    if problems:
        raise CriteriaRefused(problems)
    for row in rows:
        row.reason, row.changed_by, row.changed_at = reason, user, now
    CriteriaChange.objects.bulk_create(rows)
    last = next((row for row in reversed(rows) if row.indicator_id in rescore), rows[-1])
    # Reporting sits above indicators: it opens and rescores the entries through this signal.
    answers = criteria_changed.send(sender=Framework, framework=framework, indicator_ids=sorted(rescore),
                                    activity=activity, change=last, now=now)
    rescored = sum(answer[0] for _receiver, answer in answers)
    to_recertify = sum(answer[1] for _receiver, answer in answers)
    return CriteriaChanged(rows, rescored, to_recertify)
