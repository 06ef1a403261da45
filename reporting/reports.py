"""Reads of the reports: a district's scorecard, the national results and the progress pages.

One source of truth (docs/reports.md): every score here is ``reporting.selectors.counted_score_expression``
(SQL: only a certified entry counts its official score less its late penalty, at least 1.00000; every other
status counts 1.00000) fed into the framework tree of ``indicators.selectors.framework_tree`` and scored by
``indicators.selectors.score_tree`` → ``indicators.scoring.tree_score`` (weighted averages, inactive
indicators dropped and their siblings renormalised, five decimals at each level). The scorecard, the
ranking and the exports all read these functions, so they cannot disagree.

Every function runs a constant number of queries whatever the number of offices and indicators.
"""

from __future__ import annotations

import decimal
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from indicators.models import Framework, Indicator, Round
from indicators.scoring import ScoreNode, quantize5, tree_score
from indicators.selectors import TreeNode, framework_tree, score_tree
from krs.models import Office
from reporting.models import Entry, EntrySnapshot
from reporting.selectors import counted_score_expression, read_score

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


def _context() -> decimal.Context:
    return decimal.Context(prec=34, rounding=decimal.ROUND_HALF_UP)


def statuses() -> list[tuple[str, str]]:
    """Every entry status as (value, label), in the model's order (never a hard-coded four)."""
    return list(Entry.Status.choices)


_STATUS_VALUES = tuple(Entry.Status.values)  # Django builds .values anew on each read: 30,000 reads at school scale


def _all_statuses(found: dict[str, int] | None = None) -> dict[str, int]:
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


def default_round(rounds: list[Round], now: datetime | None = None) -> Round | None:
    """The round reports open on: the latest that has opened, else the earliest still to come."""
    now = now or timezone.now()
    started = [r for r in rounds if r.opens_at <= now]
    if started:
        return max(started, key=lambda r: (r.opens_at, r.deadline))
    return min(rounds, key=lambda r: r.opens_at) if rounds else None


def working_round(rounds: list[Round], now: datetime | None = None) -> Round | None:
    """The round people still act in: open for entry first, then open for certification, else the default."""
    now = now or timezone.now()
    open_ = [r for r in rounds if r.is_open(now)]
    if open_:
        return min(open_, key=lambda r: r.deadline)
    certifying = [r for r in rounds if r.opens_at <= now <= r.certification_deadline]
    if certifying:
        return min(certifying, key=lambda r: r.certification_deadline)
    return default_round(rounds, now)


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
        from urllib.parse import urlencode

        params = {}
        if self.round:
            params["round"] = self.round.pk
        if self.framework:
            params["framework"] = self.framework.pk
        if self.kind:
            params["kind"] = self.kind
        return urlencode(params)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def report_filters(*, round_id=None, framework_id=None, kind: str = "", now: datetime | None = None) -> Filters:
    """The chosen (or default) round, framework and office kind of a national page (2 queries)."""
    rounds = report_rounds()
    round_id = _int(round_id)
    round_ = next((r for r in rounds if r.pk == round_id), None) or default_round(rounds, now)
    frameworks = round_frameworks(round_) if round_ else []
    framework_id = _int(framework_id)
    framework = next((f for f in frameworks if f.pk == framework_id), None) or (frameworks[0] if frameworks else None)
    if kind not in DISTRICT_KINDS:
        kind = ""
    return Filters(rounds, round_, frameworks, framework, kind)


# --- Scoring an office over the tree -------------------------------------------------------------------


class TreeScorer:
    """A framework's tree in one round, ready to give the overall score of many offices fast.

    ``score_tree`` is built once per office kind (which indicators are active depends only on the kind and
    the round). Two ways to score an office with it, both by construction
    ``indicators.selectors.overall_score(roots, round_=…, office_kind=…, scores=…)`` — the same nodes, the
    same arithmetic (tests/reporting/test_reports.py checks both against it):

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
            leaves = [(node, int(node.key[1:])) for _parent, node in _leaf_parents(root)]
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
        return any(node.sources for kind in kinds for node in _walk_score(self._tree(kind)[0]))

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
            for parent, node in _leaf_parents(root):
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
                      output_field=_WEIGHT)
        return (
            entries.filter(active).annotate(parent=parent, w=weight).order_by()
            .values("office_id", "parent")
            .annotate(sw=Sum(ExpressionWrapper(counted_score_expression() * F("w"), output_field=_PRODUCT)),
                      total_w=Sum("w", output_field=_WEIGHT))
            .order_by("office_id").values_list("office_id", "parent", "sw", "total_w")
        )

    def overall_from_sums(self, kind: str, sums: dict[str, tuple[Decimal, Decimal]]) -> Decimal | None:
        """The overall score from ``leaf_sums``' rows of one office: {node key: (Σ s·w, Σ w)}."""
        key = (kind, *sorted(sums.items()))
        if key not in self._known:
            root, _leaves = self._tree(kind)
            self._known[key] = _score_from_sums(root, sums)
        return self._known[key]


# A score (5 decimals) times a weight (4 decimals) has 9. PostgreSQL sums them exactly; SQLite sums in
# floating point, and rounding what it gives to these places (``read_sums``) gives back the exact sum: its
# float error is far below 1e-9.
_WEIGHT = DecimalField(max_digits=20, decimal_places=4)
_PRODUCT = DecimalField(max_digits=30, decimal_places=9)
_NINE_PLACES = Decimal("1e-9")
_FOUR_PLACES = Decimal("1e-4")


def read_sums(sw: Decimal, w: Decimal) -> tuple[Decimal, Decimal]:
    """One row of ``TreeScorer.leaf_sums`` to its exact places (see ``_PRODUCT``)."""
    return (sw.quantize(_NINE_PLACES, rounding=decimal.ROUND_HALF_UP),
            w.quantize(_FOUR_PLACES, rounding=decimal.ROUND_HALF_UP))


def _leaf_parents(node: ScoreNode):
    """(parent, leaf) for every leaf indicator under ``node``."""
    for child in node.children:
        if child.children:
            yield from _leaf_parents(child)
        elif child.key.startswith("i"):
            yield node, child


def _score_from_sums(node: ScoreNode, sums: dict[str, tuple[Decimal, Decimal]]) -> Decimal | None:
    """``tree_score`` of ``node`` with its leaves' terms already summed: the same weighted average, exactly.

    ``weighted_average`` adds score·weight and weight at full precision and rounds only the quotient to five
    decimals, so adding the leaves' sums first and the scored inner children's terms after gives the same
    number.
    """
    if not node.active:
        return None
    found = node.key in sums
    total, total_weight = sums.get(node.key, (Decimal(0), Decimal(0)))
    with decimal.localcontext(_context()):
        for child in node.children:
            if child.children:
                score = _score_from_sums(child, sums)
                if score is not None:
                    total += score * child.weight
                    total_weight += child.weight
                    found = True
        if not found or total_weight == 0:
            return None
        return quantize5(total / total_weight)


def _walk_score(node: ScoreNode):
    yield node
    for child in node.children:
        yield from _walk_score(child)


def _node_key(node: TreeNode) -> str:
    return f"{'g' if node.is_group else 'i'}{node.obj.pk}"


def node_results(root: ScoreNode) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """Each node's score (``tree_score``) and its share of the overall score (a fraction, exact).

    The share is the node's weight over the weights of its scored siblings, times its parent's share:
    the renormalised weight. A node that drops out (inactive, or nothing scored under it) has no share.
    """
    results: dict[str, tuple[Decimal | None, Decimal | None]] = {}

    def visit(node: ScoreNode, share: Decimal | None) -> None:
        score = tree_score(node)
        results[node.key] = (score, share if score is not None else None)
        if not node.children:
            return
        scored = [(child, tree_score(child)) for child in node.children]
        total = sum((child.weight for child, s in scored if s is not None), Decimal(0))
        for child, child_score in scored:
            child_share = None
            if child_score is not None and total and share is not None:
                with decimal.localcontext(_context()):
                    child_share = share * child.weight / total
            visit(child, child_share)

    visit(root, Decimal(1))
    return results


def applies_to_kind(indicator: Indicator, kind: str) -> bool:
    return (kind == Office.Kind.PRIMARY and indicator.applies_to_primary) or (
        kind == Office.Kind.SECONDARY and indicator.applies_to_secondary
    )


def _tree_lines(roots: list[TreeNode], kind: str):
    """The tree in reading order, without the indicators that do not apply to the office kind."""
    for root in roots:
        for node in root.walk():
            if not node.is_group and not applies_to_kind(node.obj, kind):
                continue
            yield node


# --- The district scorecard ----------------------------------------------------------------------------


@dataclass
class ScoreLine:
    """One line of the scorecard: a group (subtotal), a parent indicator (subtotal) or an indicator."""

    node: TreeNode
    score: Decimal | None  # counted score (an indicator) or subtotal (a group or parent indicator)
    share: Decimal | None  # renormalised weight, as a fraction of the overall score
    active: bool = True
    entry: Entry | None = None

    @property
    def kind(self) -> str:
        if self.node.is_group:
            return "group"
        return "parent" if self.node.children else "indicator"

    @property
    def depth(self) -> int:
        return self.node.depth

    @property
    def code(self) -> str:
        return self.node.obj.code

    @property
    def name(self) -> str:
        return self.node.obj.name

    @property
    def title(self) -> str:
        return str(self.node.obj) if self.node.is_group else f"{self.code} {self.name}"

    @property
    def weight(self) -> Decimal:
        return self.node.weight

    @property
    def effective_weight(self) -> Decimal | None:
        """The renormalised weight in percent of the overall score (5 decimals)."""
        return None if self.share is None else quantize5(self.share * HUNDRED)

    @property
    def contribution(self) -> Decimal | None:
        """Score × renormalised weight: what this line adds to the overall score (5 decimals)."""
        if self.score is None or self.share is None:
            return None
        with decimal.localcontext(_context()):
            return quantize5(self.score * self.share)

    @property
    def status(self) -> str:
        return self.entry.status if self.entry else ""

    @property
    def status_label(self) -> str:
        return self.entry.get_status_display() if self.entry else ""

    @property
    def self_score(self) -> Decimal | None:
        return self.entry.self_score if self.entry else None

    @property
    def official_score(self) -> Decimal | None:
        return self.entry.official_score if self.entry else None

    @property
    def late_penalty(self) -> Decimal | None:
        penalty = self.entry.late_penalty if self.entry else None
        return penalty if penalty else None


@dataclass
class YearLine:
    """A line of the rounds-side-by-side table: the counted score (or subtotal) in each round of the year."""

    node: TreeNode
    scores: list[Decimal | None]

    @property
    def is_group(self) -> bool:
        return self.node.is_group or bool(self.node.children)

    @property
    def title(self) -> str:
        return str(self.node.obj) if self.node.is_group else f"{self.node.obj.code} {self.node.obj.name}"


@dataclass
class WeekPoint:
    week: date
    overall: Decimal | None
    counts: dict[str, int]


@dataclass
class Scorecard(StatusCounts):
    office: Office
    round: Round
    rounds: list[Round]
    frameworks: list[Framework]
    framework: Framework | None
    lines: list[ScoreLine]
    overall: Decimal | None
    counts: dict[str, int]
    year_rounds: list[Round]
    year_lines: list[YearLine]
    year_overall: list[Decimal | None]
    weeks: list[WeekPoint]
    now: datetime

    @property
    def fiscal_year(self) -> int:
        return self.round.fiscal_year.year


def office_rounds(office: Office) -> list[Round]:
    """The rounds in which the office has entries, newest first (1 query)."""
    return list(
        Round.objects.filter(entries__office=office).distinct().select_related("fiscal_year")
        .order_by("-fiscal_year__year", "-months")
    )


def office_frameworks(office: Office, round_: Round) -> list[Framework]:
    """The frameworks in which the office has entries in the round, agreement first (1 query)."""
    found = list(
        Framework.objects.filter(Exists(Entry.objects.filter(office=office, round=round_,
                                                             indicator__framework=OuterRef("pk"))))
        .select_related("fiscal_year").order_by("code")
    )
    found.sort(key=lambda f: (f.kind != Framework.Kind.AGREEMENT, f.code))
    return found


def scorecard(*, office: Office, round_: Round, framework_id=None, rounds: list[Round] | None = None,
              now: datetime | None = None) -> Scorecard:
    """A district's scorecard for a round and framework: the tree with counted scores, the year, the weeks.

    Queries: the office's rounds (unless given), its frameworks in the round, the framework tree (8), the
    office's entries of the framework in every round of the year with their counted score, and the
    snapshots: 12 whatever the number of indicators and rounds.
    """
    now = now or timezone.now()
    rounds = rounds if rounds is not None else office_rounds(office)
    frameworks = office_frameworks(office, round_)
    framework_id = _int(framework_id)
    framework = next((f for f in frameworks if f.pk == framework_id), None) or (frameworks[0] if frameworks else None)
    year_rounds = sorted((r for r in rounds if r.fiscal_year_id == round_.fiscal_year_id), key=lambda r: r.months)
    if round_ not in year_rounds:
        year_rounds = sorted([*year_rounds, round_], key=lambda r: r.months)
    empty = Scorecard(office, round_, rounds, frameworks, None, [], None, _all_statuses(), year_rounds, [],
                      [], [], now)
    if framework is None:
        return empty
    roots = framework_tree(framework)
    entries = list(
        Entry.objects.filter(office=office, round__in=[r.pk for r in year_rounds], indicator__framework=framework)
        .select_related("recertification")  # a certified entry whose criteria changed says so (no extra query)
        .annotate(counted=counted_score_expression())
    )
    by_round: dict[int, dict[int, Entry]] = defaultdict(dict)
    for entry in entries:
        entry.counted = read_score(entry.counted)
        by_round[entry.round_id][entry.indicator_id] = entry
    current = by_round.get(round_.pk, {})
    kind = office.kind

    root = score_tree(roots, round_=round_, office_kind=kind,
                      scores={pk: e.counted for pk, e in current.items()})
    results = node_results(root)
    active = {node.key: node.active for node in _walk_score(root)}
    lines = []
    for node in _tree_lines(roots, kind):
        key = _node_key(node)
        score, share = results.get(key, (None, None))
        entry = current.get(node.obj.pk) if not node.is_group else None
        lines.append(ScoreLine(node=node, score=score, share=share, active=active.get(key, True), entry=entry))
    overall = results["root"][0]

    # The same tree in every round of the year, side by side.
    per_round = []
    for r in year_rounds:
        scores = {pk: e.counted for pk, e in by_round.get(r.pk, {}).items()}
        per_round.append(node_results(score_tree(roots, round_=r, office_kind=kind, scores=scores)))
    year_lines = [YearLine(node, [res.get(_node_key(node), (None, None))[0] for res in per_round])
                  for node in _tree_lines(roots, kind)]
    year_overall = [res["root"][0] for res in per_round]

    # Week by week, from the sweep's snapshots (EntrySnapshot.score is the counted score of that week).
    weekly: dict[date, dict[int, tuple[str, Decimal]]] = defaultdict(dict)
    ids = {e.pk: e.indicator_id for e in current.values()}
    for entry_id, week, status, score in (
        EntrySnapshot.objects.filter(entry_id__in=list(ids)).order_by("week")
        .values_list("entry_id", "week", "status", "score")
    ):
        weekly[week][ids[entry_id]] = (status, score)
    scorer = TreeScorer(roots, round_)
    weeks = []
    for week in sorted(weekly):
        found = weekly[week]
        counts = _all_statuses()
        for status, _score in found.values():
            counts[status] = counts.get(status, 0) + 1
        weeks.append(WeekPoint(week, scorer.overall(kind, {pk: s for pk, (_st, s) in found.items()}), counts))

    counts = _all_statuses()
    for entry in current.values():
        counts[entry.status] += 1
    return Scorecard(office, round_, rounds, frameworks, framework, lines, overall, counts, year_rounds,
                     year_lines, year_overall, weeks, now)


# --- National results -----------------------------------------------------------------------------------


@dataclass
class RankRow(StatusCounts):
    office: Office
    overall: Decimal | None
    counts: dict[str, int]
    rank: int | None = None



@dataclass
class Ranking:
    filters: Filters
    rows: list[RankRow]

    @property
    def scores(self) -> list[Decimal]:
        return [row.overall for row in self.rows if row.overall is not None]


SORTS = ("rank", "code", "name", "overall", "total", *Entry.Status.values)


def _sort_rows(rows: list[RankRow], sort: str) -> list[RankRow]:
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    if key not in SORTS or key == "rank":
        key = "rank"

    def value(row: RankRow):
        if key == "code":
            return row.office.code
        if key == "name":
            return row.office.name_th
        if key == "overall":
            return row.overall if row.overall is not None else Decimal(-1)
        if key == "total":
            return row.total
        if key == "rank":
            return row.rank if row.rank is not None else 10**9
        return row.counts[key]

    return sorted(rows, key=lambda row: (value(row), row.office.code), reverse=descending)


def _scope(filters: Filters):
    return Entry.objects.filter(round=filters.round, indicator__framework=filters.framework,
                                office__kind__in=filters.kinds)


def national_ranking(filters: Filters, *, sort: str = "rank") -> Ranking:
    """Every district ranked by overall score in the round and framework, with its counts by status.

    Queries (constant, 11): the framework tree (8), the districts with entries, the sums of each district's
    counted scores × weights under each node of the tree (``TreeScorer.leaf_sums``, SQL ``GROUP BY``), and
    the status counts of each district (SQL ``GROUP BY``). Python then finishes each district's tree from
    its few sums, with the arithmetic of ``tree_score`` (what the scorecard computes, to the last digit).
    """
    if filters.round is None or filters.framework is None:
        return Ranking(filters, [])
    roots = framework_tree(filters.framework)
    scorer = TreeScorer(roots, filters.round)
    scope = _scope(filters)
    offices = list(
        Office.objects.filter(kind__in=filters.kinds)
        .filter(Exists(scope.filter(office=OuterRef("pk")))).order_by("code")
    )
    kinds = {office.pk: office.kind for office in offices}
    overall: dict[int, Decimal | None] = {}
    if scorer.has_derived(filters.kinds):
        # A derived leaf needs its sources' own scores: one row per entry, each office's tree in Python.
        rows_ = (scope.annotate(counted=counted_score_expression()).order_by("office_id")
                 .values_list("office_id", "indicator_id", "counted").iterator(chunk_size=20_000))
        for office_id, group in groupby(rows_, key=itemgetter(0)):
            scores = {indicator_id: read_score(counted) for _office, indicator_id, counted in group}
            overall[office_id] = scorer.overall(kinds[office_id], scores)
    else:
        # The database sums each office's counted scores under each node of the tree (a few rows per office,
        # not one per entry); Python finishes the few nodes above. Streamed in office order.
        sums = scorer.leaf_sums(scope, filters.kinds).iterator(chunk_size=20_000)
        for office_id, group in groupby(sums, key=itemgetter(0)):
            found = {parent: read_sums(sw, w) for _office, parent, sw, w in group}
            overall[office_id] = scorer.overall_from_sums(kinds[office_id], found)
    counts: dict[int, dict[str, int]] = defaultdict(_all_statuses)
    for office_id, status, n in (
        scope.order_by().values_list("office_id", "status").annotate(n=Count("pk")).values_list("office_id", "status", "n")
    ):
        counts[office_id][status] = n
    rows = [RankRow(office, overall.get(office.pk), counts[office.pk]) for office in offices]
    ranked = sorted((r for r in rows if r.overall is not None), key=lambda r: (-r.overall, r.office.code))
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        if row.overall != previous:
            rank, previous = position, row.overall
        row.rank = rank
    return Ranking(filters, _sort_rows(rows, sort))


@dataclass
class IndicatorResult(StatusCounts):
    indicator: Indicator
    depth: int
    counts: dict[str, int]
    average: Decimal | None
    bins: list[int]



@dataclass
class IndicatorResults:
    filters: Filters
    rows: list[IndicatorResult]
    bins: list[str] = field(default_factory=lambda: [label for label, _low, _high in BINS])


def national_indicators(filters: Filters) -> IndicatorResults:
    """Per indicator: districts in each status, the average counted score and its distribution (9 queries).

    One SQL aggregate groups the round's entries by (indicator, status, counted score) — a few rows per
    indicator, not one per district — and the average and bands are summed from it exactly, in Decimal.
    """
    if filters.round is None or filters.framework is None:
        return IndicatorResults(filters, [])
    roots = framework_tree(filters.framework)
    grouped = (
        _scope(filters).annotate(counted=counted_score_expression()).order_by()
        .values("indicator_id", "status", "counted").annotate(n=Count("pk"))
        .values_list("indicator_id", "status", "counted", "n")
    )
    counts: dict[int, dict[str, int]] = defaultdict(_all_statuses)
    sums: dict[int, Decimal] = defaultdict(Decimal)
    bins: dict[int, list[int]] = defaultdict(lambda: [0] * len(BINS))
    for indicator_id, status, counted, n in grouped:
        counted = read_score(counted)
        counts[indicator_id][status] += n
        with decimal.localcontext(_context()):
            sums[indicator_id] += counted * n
        bins[indicator_id][bin_index(counted)] += n
    rows = []
    for root in roots:
        for node in root.walk():
            if node.is_group or node.obj.pk not in counts:
                continue
            pk = node.obj.pk
            total = sum(counts[pk].values())
            with decimal.localcontext(_context()):
                average = quantize5(sums[pk] / total) if total else None
            rows.append(IndicatorResult(node.obj, node.depth, counts[pk], average, bins[pk]))
    return IndicatorResults(filters, rows)


@dataclass
class BureauRow(StatusCounts):
    bureau: Office | None  # None: indicators with no owning bureau
    counts: dict[str, int]
    oldest_waiting: datetime | None
    now: datetime


    @property
    def waiting_days(self) -> int | None:
        """Whole days since the oldest entry awaiting certification was reported."""
        return None if self.oldest_waiting is None else max((self.now - self.oldest_waiting).days, 0)


def _bureau_rows(entries, now: datetime) -> list[BureauRow]:
    found = (
        entries.order_by().values_list("indicator__owner_id", "status")
        .annotate(n=Count("pk"), oldest=Min("reported_at", filter=Q(status=Entry.Status.AWAITING)))
        .values_list("indicator__owner_id", "status", "n", "oldest")
    )
    counts: dict[int | None, dict[str, int]] = defaultdict(_all_statuses)
    oldest: dict[int | None, datetime] = {}
    for owner_id, status, n, first in found:
        counts[owner_id][status] += n
        if first is not None and (owner_id not in oldest or first < oldest[owner_id]):
            oldest[owner_id] = first
    bureaus = {o.pk: o for o in Office.objects.filter(pk__in=[pk for pk in counts if pk is not None])}
    return [BureauRow(bureaus.get(pk) if pk is not None else None, counts[pk], oldest.get(pk), now) for pk in counts]


@dataclass
class BureauResults:
    filters: Filters
    rows: list[BureauRow]


def national_bureaus(filters: Filters, *, now: datetime | None = None) -> BureauResults:
    """Per owning bureau: its entries in each status and how long the oldest awaiting one has waited (2 queries)."""
    now = now or timezone.now()
    if filters.round is None or filters.framework is None:
        return BureauResults(filters, [])
    rows = _bureau_rows(_scope(filters), now)
    rows.sort(key=lambda r: (r.bureau is None, r.bureau.code if r.bureau else ""))
    return BureauResults(filters, rows)


# --- Progress: who still has to act? --------------------------------------------------------------------


@dataclass
class UnreportedRow:
    office: Office
    not_reported: int
    rejected: int
    total: int


@dataclass
class FixRow:
    entry: Entry
    now: datetime

    @property
    def left(self) -> timedelta:
        return self.entry.fix_deadline - self.now

    @property
    def overdue(self) -> bool:
        return self.entry.fix_deadline < self.now


@dataclass
class Progress:
    rounds: list[Round]
    round: Round | None
    days: int
    unreported: list[UnreportedRow]
    waiting: list[BureauRow]
    fixes: list[FixRow]
    now: datetime

    @property
    def is_open(self) -> bool:
        return bool(self.round and self.round.is_open(self.now))

    @property
    def query(self) -> str:
        return f"round={self.round.pk}&days={self.days}" if self.round else f"days={self.days}"


def progress(*, round_id=None, days=None, bureau: Office | None = None, now: datetime | None = None) -> Progress:
    """Who still has to act in a round (default: the round people work in now); 5 queries.

    - districts with entries not reported yet (and rejected ones to fix), most first;
    - bureaus by the age of their oldest entry awaiting certification, oldest first;
    - rejected entries whose fix deadline is within ``days`` days (or has passed), soonest first.

    ``bureau`` limits the second and third lists to that bureau's indicators (a certifier's own view).
    """
    now = now or timezone.now()
    rounds = report_rounds()
    round_id = _int(round_id)
    round_ = next((r for r in rounds if r.pk == round_id), None) or working_round(rounds, now)
    days = min(max(_int(days) or 7, 1), 90)
    if round_ is None:
        return Progress(rounds, None, days, [], [], [], now)
    entries = Entry.objects.filter(round=round_, office__kind__in=DISTRICT_KINDS)
    if bureau is not None:
        entries = entries.filter(indicator__owner=bureau)
    unreported = []
    if bureau is None:
        found = (
            entries.order_by().values("office_id").annotate(
                not_reported=Count("pk", filter=Q(status=Entry.Status.NOT_REPORTED)),
                rejected=Count("pk", filter=Q(status=Entry.Status.REJECTED)),
                total=Count("pk"),
            ).filter(not_reported__gt=0).values_list("office_id", "not_reported", "rejected", "total")
        )
        found = list(found)
        # A subquery, not pk__in: with 30,000 offices an IN list would pass SQLite's variable limit.
        offices = {o.pk: o for o in Office.objects.filter(
            Exists(entries.filter(office=OuterRef("pk"), status=Entry.Status.NOT_REPORTED)))}
        unreported = sorted(
            (UnreportedRow(offices[pk], n, rejected, total) for pk, n, rejected, total in found),
            key=lambda r: (-r.not_reported, r.office.code),
        )
    waiting = [row for row in _bureau_rows(entries, now) if row.counts[Entry.Status.AWAITING]]
    waiting.sort(key=lambda r: (r.oldest_waiting or now, r.bureau.code if r.bureau else ""))
    fixes = [
        FixRow(entry, now) for entry in
        entries.filter(status=Entry.Status.REJECTED, fix_deadline__isnull=False,
                       fix_deadline__lte=now + timedelta(days=days))
        .select_related("office", "indicator", "round__fiscal_year").order_by("fix_deadline", "office__code", "pk")
    ]
    return Progress(rounds, round_, days, unreported, waiting, fixes, now)
