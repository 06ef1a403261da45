"""What every report reads: the rounds and frameworks to choose from, the filters of a national page,
status counts, and the framework tree scored for many offices at once.

One source of truth (docs/reports.md): every score is ``reporting.selectors.counted_score_expression``
(SQL: only a certified entry counts its official score less its late penalty, at least 1.00000; every other
status counts 1.00000) fed into the framework tree of ``indicators.selectors.framework_tree`` and scored by
``indicators.selectors.score_tree`` → ``indicators.scoring.tree_score`` (weighted averages, inactive
indicators dropped and their siblings renormalised, five decimals at each level). The scorecard
(``reports.scorecard``), the national results (``reports.national``), the progress page
(``reports.progress``) and the exports all read these functions, so they cannot disagree.

Every function runs a constant number of queries whatever the number of offices and indicators.
"""

from __future__ import annotations

import decimal
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)

from indicators.models import Framework, Indicator, Round
from indicators.scoring import ScoreNode, leaf_parents, score_from_sums, tree_score, walk_score
from indicators.selectors import TreeNode, latest_round, score_tree
from krs.models import Office
from reporting.models import Entry, ReportLateness
from reporting.selectors import FLOOR_SCORE, counted_score_expression

HUNDRED = Decimal(100)
DISTRICT_KINDS = tuple(Office.DISTRICT_KINDS)

# The score bands of the distribution: [1, 2), [2, 3), [3, 4), [4, 5), and 5 itself.
BINS: tuple[tuple[str, Decimal, Decimal | None], ...] = (
    ("1.00000–1.99999", Decimal(1), Decimal(2)),
    ("2.00000–2.99999", Decimal(2), Decimal(3)),
    ("3.00000–3.99999", Decimal(3), Decimal(4)),
    ("4.00000–4.99999", Decimal(4), Decimal(5)),
    ("5.00000", Decimal(5), None),
)


def exact_context() -> decimal.Context:
    return decimal.Context(prec=34, rounding=decimal.ROUND_HALF_UP)


def statuses() -> list[tuple[str, str]]:
    """Every entry status as (value, label), in the model's order (never a hard-coded four)."""
    return list(Entry.Status.choices)


_STATUS_VALUES = tuple(Entry.Status.values)  # Django builds .values anew on each read: 30,000 reads at school scale


def all_statuses(found: dict[str, int] | None = None) -> dict[str, int]:
    found = found or {}
    return {value: found.get(value, 0) for value in _STATUS_VALUES}


def bin_index(score: Decimal) -> int:
    for index, (_label, low, high) in enumerate(BINS):
        if score >= low and (high is None or score < high):
            return index
    return 0


# --- Filters -------------------------------------------------------------------------------------------


def report_rounds() -> list[Round]:
    """Every round that has entries, newest first (1 query)."""
    return list(
        Round.objects.filter(Exists(Entry.objects.filter(round=OuterRef("pk"))))
        .select_related("fiscal_year").order_by("-fiscal_year__year", "-months")
    )


def round_frameworks(round_: Round) -> list[Framework]:
    """The frameworks of the round's fiscal year that have entries in the round, agreement first (1 query)."""
    found = list(
        Framework.objects.filter(fiscal_year_id=round_.fiscal_year_id)
        .filter(Exists(Entry.objects.filter(round=round_, indicator__framework=OuterRef("pk"))))
        .select_related("fiscal_year").order_by("code")
    )
    found.sort(key=lambda f: (f.kind != Framework.Kind.AGREEMENT, f.code))
    return found


class StatusCounts:
    """A row that carries ``counts`` (status → number of entries, every status present, in the model's order)."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def count_list(self) -> list[int]:
        return list(self.counts.values())


@dataclass
class Filters:
    rounds: list[Round]
    round: Round | None
    frameworks: list[Framework]
    framework: Framework | None
    kind: str  # "" (every district), "primary" or "secondary"

    @property
    def kinds(self) -> tuple[str, ...]:
        return (self.kind,) if self.kind else DISTRICT_KINDS

    @property
    def query(self) -> str:
        """The filters as a query string, for links that keep them (sorting, exports, tabs)."""

        params = {}
        if self.round:
            params["round"] = self.round.pk
        if self.framework:
            params["framework"] = self.framework.pk
        if self.kind:
            params["kind"] = self.kind
        return urlencode(params)


def as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def report_filters(*, round_id=None, framework_id=None, kind: str = "", now: datetime | None = None) -> Filters:
    """The chosen (or default) round, framework and office kind of a national page (2 queries)."""
    rounds = report_rounds()
    round_id = as_int(round_id)
    round_ = next((r for r in rounds if r.pk == round_id), None) or latest_round(rounds, now)
    frameworks = round_frameworks(round_) if round_ else []
    framework_id = as_int(framework_id)
    framework = next((f for f in frameworks if f.pk == framework_id), None) or (frameworks[0] if frameworks else None)
    if kind not in DISTRICT_KINDS:
        kind = ""
    return Filters(rounds, round_, frameworks, framework, kind)


# --- Scoring an office over the tree -------------------------------------------------------------------


# A score (5 decimals) times a weight (4 decimals) has 9 places; summed in SQL as these fields and read back
# to their exact places by ``indicators.scoring.read_sums``.
WEIGHT_FIELD = DecimalField(max_digits=20, decimal_places=4)
PRODUCT_FIELD = DecimalField(max_digits=30, decimal_places=9)


class TreeScorer:
    """A framework's tree in one round, ready to give the overall score of many offices fast.

    ``score_tree`` is built once per office kind (which indicators are active depends only on the kind and
    the round). Two ways to score an office with it, both by construction
    ``indicators.selectors.overall_score(roots, round_=…, office_kind=…, scores=…)`` — the same nodes, the
    same arithmetic (tests/reports/test_reports.py checks both against it):
    - ``overall``: the office's leaf scores set on the tree and ``tree_score`` run on it (the scorecard's
      weekly points);
    - ``overall_from_sums``: from Σ score·weight and Σ weight of the active leaves under each node, summed
      in SQL (``leaf_sums``) — the national ranking, where the database does the work per leaf and Python
      only the few nodes above them.
    """

    def __init__(self, roots: list[TreeNode], round_: Round) -> None:
        self.roots = roots
        self.round = round_
        self._trees: dict[str, tuple[ScoreNode, list[tuple[ScoreNode, int]]]] = {}
        # Offices with the same scores have the same overall score: early in a round most offices count
        # 1.00000 everywhere, and each such office then costs a dictionary look-up, not a tree.
        self._known: dict[tuple, Decimal | None] = {}

    def _tree(self, kind: str):
        if kind not in self._trees:
            root = score_tree(self.roots, round_=self.round, office_kind=kind, scores={})
            leaves = [(node, int(node.key[1:])) for _parent, node in leaf_parents(root)]
            self._trees[kind] = (root, leaves)
        return self._trees[kind]

    def overall(self, kind: str, scores: dict[int, Decimal | None]) -> Decimal | None:
        root, leaves = self._tree(kind)
        key = (kind, *(scores.get(indicator_id) for _node, indicator_id in leaves))
        if key not in self._known:
            for node, indicator_id in leaves:
                node.score = scores.get(indicator_id)
            self._known[key] = tree_score(root)
        return self._known[key]

    def has_derived(self, kinds) -> bool:
        """Does a derived leaf (PMQA category 4) score from other leaves here? Then sums per node are not
        enough: the derived leaf needs its sources' own scores, and ``overall`` must be used instead."""
        return any(node.sources for kind in kinds for node in walk_score(self._tree(kind)[0]))

    def leaf_sums(self, entries, kinds):
        """``entries`` summed in SQL per (office, node above a leaf): rows (office id, node key, Σ s·w, Σ w).

        Only the active leaves of each office kind count, each with its weight, ``s`` being the counted
        score (``counted_score_expression``). An office with no entry for a leaf has no term for it: the
        leaf drops out and its siblings are renormalised, as ``tree_score`` does with a leaf without a score.
        """
        places: dict[int, tuple[str, Decimal]] = {}
        active = Q(pk__in=[])
        for kind in kinds:
            root, _leaves = self._tree(kind)
            ids = []
            for parent, node in leaf_parents(root):
                if node.active:
                    places[int(node.key[1:])] = (parent.key, node.weight)
                    ids.append(int(node.key[1:]))
            active |= Q(office__kind=kind, indicator_id__in=ids)
        if not places:
            return []
        by_parent: dict[str, list[int]] = defaultdict(list)
        by_weight: dict[Decimal, list[int]] = defaultdict(list)
        for indicator_id, (parent_key, weight) in places.items():
            by_parent[parent_key].append(indicator_id)
            by_weight[weight].append(indicator_id)
        parent = Case(*(When(indicator_id__in=ids, then=Value(key)) for key, ids in by_parent.items()),
                      output_field=CharField())
        weight = Case(*(When(indicator_id__in=ids, then=Value(w)) for w, ids in by_weight.items()),
                      output_field=WEIGHT_FIELD)
        return (
            entries.filter(active).annotate(parent=parent, w=weight).order_by()
            .values("office_id", "parent")
            .annotate(sw=Sum(ExpressionWrapper(counted_score_expression() * F("w"), output_field=PRODUCT_FIELD)),
                      total_w=Sum("w", output_field=WEIGHT_FIELD))
            .order_by("office_id").values_list("office_id", "parent", "sw", "total_w")
        )

    def overall_from_sums(self, kind: str, sums: dict[str, tuple[Decimal, Decimal]]) -> Decimal | None:
        """The overall score from ``leaf_sums``' rows of one office: {node key: (Σ s·w, Σ w)}."""
        key = (kind, *sorted(sums.items()))
        if key not in self._known:
            root, _leaves = self._tree(kind)
            self._known[key] = score_from_sums(root, sums)
        return self._known[key]



def node_key(node: TreeNode) -> str:
    return f"{'g' if node.is_group else 'i'}{node.obj.pk}"


def applies_to_kind(indicator: Indicator, kind: str) -> bool:
    return (kind == Office.Kind.PRIMARY and indicator.applies_to_primary) or (
        kind == Office.Kind.SECONDARY and indicator.applies_to_secondary
    )


def tree_lines(roots: list[TreeNode], kind: str):
    """The tree in reading order, without the indicators that do not apply to the office kind."""
    for root in roots:
        for node in root.walk():
            if not node.is_group and not applies_to_kind(node.obj, kind):
                continue
            yield node


# --- The report's late penalty ---------------------------------------------------------------------------


def after_penalty(overall: Decimal | None, lateness: ReportLateness | None) -> Decimal | None:
    """The overall score less the report's late penalty (seed 002), never below 1.00000."""
    if overall is None or lateness is None or not lateness.penalty:
        return overall
    return max(overall - lateness.penalty, FLOOR_SCORE)


