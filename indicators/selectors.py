"""Reads of the framework tree, in a constant number of queries; which round is the current one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import DerivedComponent, Framework, Group, Indicator, Round, Variable
from indicators.scoring import ScoreNode, tree_score

HUNDRED = Decimal(100)


@dataclass
class TreeNode:
    """A group or an indicator in the framework tree, with its children in order."""

    kind: str  # "group" or "indicator"
    obj: Group | Indicator
    children: list[TreeNode] = field(default_factory=list)
    depth: int = 0

    @property
    def weight(self) -> Decimal:
        return self.obj.weight

    @property
    def code(self) -> str:
        return self.obj.code

    @property
    def is_group(self) -> bool:
        return self.kind == "group"

    @property
    def children_weight(self) -> Decimal:
        return sum((child.weight for child in self.children), Decimal(0))

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def framework_indicators(framework: Framework):
    """Every indicator of a framework with what scoring and the pages need, prefetched (7 queries)."""
    return (
        Indicator.objects.filter(framework=framework)
        .select_related("owner", "group", "parent")
        .prefetch_related(
            "variables", "thresholds", "steps", "levels", "rounds",
            Prefetch("components", queryset=DerivedComponent.objects.select_related("source")),
        )
        .order_by("order", "code")
    )


def framework_tree(framework: Framework) -> list[TreeNode]:
    """The framework as a forest: top-level groups (and ungrouped indicators), each with its children."""
    groups = list(Group.objects.filter(framework=framework).order_by("order", "code"))
    indicators = list(framework_indicators(framework))
    group_nodes = {group.pk: TreeNode("group", group) for group in groups}
    indicator_nodes = {indicator.pk: TreeNode("indicator", indicator) for indicator in indicators}
    roots: list[TreeNode] = []
    for group in groups:
        node = group_nodes[group.pk]
        (group_nodes[group.parent_id].children if group.parent_id else roots).append(node)
    for indicator in indicators:
        node = indicator_nodes[indicator.pk]
        if indicator.parent_id:
            indicator_nodes[indicator.parent_id].children.append(node)
        elif indicator.group_id:
            group_nodes[indicator.group_id].children.append(node)
        else:
            roots.append(node)
    for root in roots:
        _set_depth(root, 0)
    return roots


def _set_depth(node: TreeNode, depth: int) -> None:
    node.depth = depth
    for child in node.children:
        _set_depth(child, depth + 1)


def weight_problems(roots: list[TreeNode]) -> list[str]:
    """What is wrong with the weights, in Thai: top level must sum to 100; a node's children to 100 or to its own weight.

    Seed 002 writes weights as shares of the whole (dimension 1 = 45 holds indicators 20 + 10 + 15);
    PMQA writes each category's items as shares of 100. Both are accepted: scoring renormalises.
    """
    problems = []
    top = sum((root.weight for root in roots), Decimal(0))
    if roots and top != HUNDRED:
        problems.append(_("น้ำหนักระดับบนสุดรวมกันได้ %(sum)s ต้องเท่ากับ 100") % {"sum": _plain(top)})
    for root in roots:
        for node in root.walk():
            if not node.children:
                if node.is_group:
                    problems.append(_("%(node)s ยังไม่มีตัวชี้วัด") % {"node": node.obj})
                continue
            total = node.children_weight
            if total not in (HUNDRED, node.weight):
                problems.append(
                    _("น้ำหนักภายใต้ %(node)s รวมกันได้ %(sum)s ต้องเท่ากับ 100 หรือ %(own)s")
                    % {"node": f"{node.code} {node.obj.name}", "sum": _plain(total), "own": _plain(node.weight)}
                )
    return problems


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def frameworks_for_year(fiscal_year_id: int):
    return Framework.objects.filter(fiscal_year_id=fiscal_year_id).select_related("fiscal_year").order_by("code")


def score_tree(
    roots: list[TreeNode], *, round_, office_kind: str, scores: dict[int, Decimal | None]
):
    """The framework as a scoring tree for one office kind and round (``indicators.scoring.ScoreNode``).

    ``scores`` maps indicator id → score for leaves; an indicator that does not apply to the office
    kind, or is not active in the round, is inactive and drops out, and its siblings' weights are
    renormalised by ``tree_score``. Uses only what ``framework_tree`` prefetched.
    """

    built: dict[int, ScoreNode] = {}
    derived: list[tuple[ScoreNode, Indicator]] = []

    def build(node: TreeNode) -> ScoreNode:
        if node.is_group:
            return ScoreNode(key=f"g{node.obj.pk}", weight=node.weight, children=[build(c) for c in node.children])
        indicator = node.obj
        round_ids = {r.pk for r in indicator.rounds.all()}
        active = indicator.is_active_in(round_, round_ids) and (
            (office_kind == "primary" and indicator.applies_to_primary)
            or (office_kind == "secondary" and indicator.applies_to_secondary)
        )
        built[indicator.pk] = score_node = ScoreNode(
            key=f"i{indicator.pk}", weight=node.weight, active=active,
            score=None if node.children else scores.get(indicator.pk),
            children=[build(c) for c in node.children],
        )
        if indicator.method == Indicator.Method.DERIVED:
            derived.append((score_node, indicator))
        return score_node

    root = ScoreNode(key="root", weight=HUNDRED, children=[build(root) for root in roots])
    # A derived indicator (PMQA category 4) scores from other indicators of the tree: linked once all are built.
    # A source outside this framework is not in the tree, so the derived indicator stays unscored.
    for score_node, indicator in derived:
        components = list(indicator.components.all())
        if components and all(c.source_id in built for c in components):
            score_node.sources = [(built[c.source_id], c.weight) for c in components]
            score_node.levels = tuple((level.code, level.score) for level in indicator.levels.all())
    return root


def overall_score(roots: list[TreeNode], *, round_, office_kind: str, scores: dict[int, Decimal | None]) -> Decimal | None:
    """A district's overall score: the weighted average over the tree, inactive indicators removed (5 decimals)."""

    return tree_score(score_tree(roots, round_=round_, office_kind=office_kind, scores=scores))


# --- What a framework's scores depend on, as text (the audit of criteria changes) ---------------------

# The criteria whose change moves an indicator's own entries' scores (reporting.services.entries_rescore).
# Weights, the place in the tree, rounds, office kinds and derived components only change how the tree
# adds scores up, which every report computes when it is read.
ENTRY_CRITERIA = frozenset({"method", "formula", "target", "pass_score", "fail_score", "thresholds", "direction",
                            "steps", "levels", "variables"})

CriteriaKey = tuple[str, int]  # ("indicator", pk) or ("group", pk)


@dataclass(frozen=True)
class Criteria:
    """One indicator's or group's scoring as people read it: ``fields`` maps a CriteriaChange.field to its text."""

    subject: str
    framework_id: int
    fields: dict[str, str]


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def _direction(values: list[Decimal]) -> str:
    if len(values) == 5 and all(a < b for a, b in zip(values, values[1:], strict=False)):
        return str(_("ค่ามากกว่าดีกว่า"))
    if len(values) == 5 and all(a > b for a, b in zip(values, values[1:], strict=False)):
        return str(_("ค่าน้อยกว่าดีกว่า"))
    return ""


def _round_names(rounds) -> str:
    months = sorted(r.months for r in rounds)
    return ", ".join(str(_("%(months)s เดือน") % {"months": m}) for m in months) if months else str(_("ทุกรอบ"))


def criteria_snapshot(*, indicator_ids=(), group_ids=()) -> dict[CriteriaKey, Criteria]:
    """The scoring of these indicators and groups as stored now (8 queries for any number)."""
    found: dict[CriteriaKey, Criteria] = {}
    indicator_ids, group_ids = list(indicator_ids), list(group_ids)
    if indicator_ids:
        indicators = Indicator.objects.filter(pk__in=indicator_ids).select_related("group", "parent").prefetch_related(
            "rounds", "thresholds", "steps", "levels",
            Prefetch("variables", queryset=Variable.objects.prefetch_related("rounds")),
            Prefetch("components", queryset=DerivedComponent.objects.select_related("source")),
        )
        for indicator in indicators:
            thresholds = sorted(indicator.thresholds.all(), key=lambda t: t.level)
            values = [t.value for t in thresholds]
            place = (_("ใต้ตัวชี้วัด %(code)s") % {"code": indicator.parent.code} if indicator.parent_id
                     else str(indicator.group) if indicator.group_id else "")
            kinds = [str(label) for flag, label in ((indicator.applies_to_primary, _("สพป.")),
                                                     (indicator.applies_to_secondary, _("สพม."))) if flag]
            found[("indicator", indicator.pk)] = Criteria(
                subject=str(_("ตัวชี้วัด %(code)s") % {"code": indicator.code}),
                framework_id=indicator.framework_id,
                fields={
                    "method": str(indicator.get_method_display()),
                    "formula": indicator.formula,
                    "target": _number(indicator.target),
                    "pass_score": _number(indicator.pass_score),
                    "fail_score": _number(indicator.fail_score),
                    "thresholds": " · ".join(f"{t.level}: {_number(t.value)}" for t in thresholds),
                    "direction": _direction(values),
                    "steps": " · ".join(
                        f"{s.number}: {s.description}" + (f" ({s.sub_items})" if s.sub_items > 1 else "")
                        for s in sorted(indicator.steps.all(), key=lambda s: s.number)),
                    "levels": " · ".join(f"{lv.name} = {_number(lv.score)}"
                                         for lv in sorted(indicator.levels.all(), key=lambda lv: (lv.score, lv.code))),
                    "components": " · ".join(f"{c.source.code} × {_number(c.weight)}"
                                             for c in sorted(indicator.components.all(), key=lambda c: c.source.code)),
                    "variables": " · ".join(
                        f"{v.code} ({v.get_source_display()}, {_round_names(v.rounds.all())})"
                        for v in sorted(indicator.variables.all(), key=lambda v: v.code)),
                    "weight": _number(indicator.weight),
                    "place": place,
                    "rounds": _round_names(indicator.rounds.all()),
                    "applies_to": ", ".join(kinds),
                },
            )
    if group_ids:
        for group in Group.objects.filter(pk__in=group_ids).select_related("parent"):
            found[("group", group.pk)] = Criteria(
                subject=str(group),
                framework_id=group.framework_id,
                fields={"weight": _number(group.weight), "place": str(group.parent) if group.parent_id else ""},
            )
    return found


# --- The current round ---------------------------------------------------------------------------------
# Every page that opens on a round without being told one asks one of these two, over its own candidates
# (the office's rounds, the bureau's, those with entries, all); docs/indicators.md, "The current round".


def current_round(rounds: Iterable[Round], now: datetime | None = None) -> Round | None:
    """The round people act in now; None without rounds.

    1. A round open for reporting (``Round.is_open``, its late window included): the one due first
       (``Round.due_at``; a round in its late window is already past due, so it comes before one still due).
    2. Else a round still being certified (opened, certification deadline not passed): the one whose
       certification deadline comes first.
    3. Else ``latest_round``.

    Used by the district's entry page and scorecard (``/reporting/``, ``/reports/scorecard/``), the bureau's
    work queue (``/certification/``) and the progress page (``/reports/progress/``). At most one query: the
    calendar of the deadlines, none when the rounds come with it (``Round.with_due_at``).
    """
    now = now or timezone.now()
    rounds = list(rounds)
    started = Round.with_due_at([r for r in rounds if r.opens_at <= now])
    reporting = [r for r in started if r.is_open(now)]
    if reporting:
        return min(reporting, key=lambda r: (r.due_at, r.pk))
    certifying = [r for r in started if now <= r.certification_deadline]
    if certifying:
        return min(certifying, key=lambda r: (r.certification_deadline, r.pk))
    return latest_round(rounds, now)


def latest_round(rounds: Iterable[Round], now: datetime | None = None) -> Round | None:
    """The latest round that has opened (by its opening, then its deadline), else the first still to open.

    Used by the national results (``/reports/national/``, the data of the round that opened last) and by
    the bureaus' central-data list when no round is open for it; ``current_round`` falls back on it. No query.
    """
    now = now or timezone.now()
    rounds = list(rounds)
    started = [r for r in rounds if r.opens_at <= now]
    if started:
        return max(started, key=lambda r: (r.opens_at, r.deadline, r.pk))
    return min(rounds, key=lambda r: (r.opens_at, r.deadline, r.pk)) if rounds else None
