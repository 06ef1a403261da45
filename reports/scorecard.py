"""A district's scorecard: its score on every line of the framework tree in a round, its rounds side by
side, and its weekly progress (docs/reports.md)."""

from __future__ import annotations

import decimal
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import (
    Exists,
    OuterRef,
)
from django.utils import timezone

from indicators.models import Framework, Round
from indicators.scoring import node_results, quantize5, walk_score
from indicators.selectors import TreeNode, framework_tree, score_tree
from krs.models import Office
from reporting.models import Entry, EntrySnapshot, ReportLateness
from reporting.selectors import counted_score_expression, read_score
from reports.common import (
    HUNDRED,
    StatusCounts,
    TreeScorer,
    after_penalty,
    all_statuses,
    as_int,
    exact_context,
    node_key,
    tree_lines,
)

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
        with decimal.localcontext(exact_context()):
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
    # The report's lateness in this round (seed 002), when the sweep has recorded it; ``overall`` is
    # already less its penalty, and ``overall_before_penalty`` is the tree's score.
    lateness: ReportLateness | None = None
    overall_before_penalty: Decimal | None = None

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


@dataclass
class Standing:
    """A district's overall score in a round as it counts today, in the framework its scorecard opens on."""

    framework: Framework | None
    overall: Decimal | None


def office_standing(*, office: Office, round_: Round) -> Standing:
    """The scorecard's overall score (``scorecard(...).overall``) without the rest of the scorecard.

    The framework is the scorecard's default (agreement first); the score is the counted scores of the office's
    entries on that framework's tree, less the report's late penalty. Queries: the frameworks, the tree (8),
    the entries' counted scores and the lateness: 11 whatever the number of indicators and districts.
    """
    frameworks = office_frameworks(office, round_)
    if not frameworks:
        return Standing(None, None)
    framework = frameworks[0]
    roots = framework_tree(framework)
    scores = {
        indicator_id: read_score(counted) for indicator_id, counted in
        Entry.objects.filter(office=office, round=round_, indicator__framework=framework)
        .annotate(counted=counted_score_expression()).values_list("indicator_id", "counted")
    }
    root = score_tree(roots, round_=round_, office_kind=office.kind, scores=scores)
    lateness = ReportLateness.objects.filter(office=office, framework=framework, round=round_).first()
    return Standing(framework, after_penalty(node_results(root)["root"][0], lateness))


def scorecard(*, office: Office, round_: Round, framework_id=None, rounds: list[Round] | None = None,
              now: datetime | None = None) -> Scorecard:
    """A district's scorecard for a round and framework: the tree with counted scores, the year, the weeks.

    Queries: the office's rounds (unless given), its frameworks in the round, the framework tree (8), the
    office's entries of the framework in every round of the year with their counted score, the report's
    lateness in each round, and the snapshots: 13 whatever the number of indicators and rounds.
    """
    now = now or timezone.now()
    rounds = rounds if rounds is not None else office_rounds(office)
    frameworks = office_frameworks(office, round_)
    framework_id = as_int(framework_id)
    framework = next((f for f in frameworks if f.pk == framework_id), None) or (frameworks[0] if frameworks else None)
    year_rounds = sorted((r for r in rounds if r.fiscal_year_id == round_.fiscal_year_id), key=lambda r: r.months)
    if round_ not in year_rounds:
        year_rounds = sorted([*year_rounds, round_], key=lambda r: r.months)
    empty = Scorecard(office, round_, rounds, frameworks, None, [], None, all_statuses(), year_rounds, [],
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
    active = {node.key: node.active for node in walk_score(root)}
    lines = []
    for node in tree_lines(roots, kind):
        key = node_key(node)
        score, share = results.get(key, (None, None))
        entry = current.get(node.obj.pk) if not node.is_group else None
        lines.append(ScoreLine(node=node, score=score, share=share, active=active.get(key, True), entry=entry))
    lateness = {row.round_id: row for row in ReportLateness.objects.filter(
        office=office, framework=framework, round__in=[r.pk for r in year_rounds])}
    overall_before_penalty = results["root"][0]
    overall = after_penalty(overall_before_penalty, lateness.get(round_.pk))

    # The same tree in every round of the year, side by side.
    per_round = []
    for r in year_rounds:
        scores = {pk: e.counted for pk, e in by_round.get(r.pk, {}).items()}
        per_round.append(node_results(score_tree(roots, round_=r, office_kind=kind, scores=scores)))
    year_lines = [YearLine(node, [res.get(node_key(node), (None, None))[0] for res in per_round])
                  for node in tree_lines(roots, kind)]
    year_overall = [after_penalty(res["root"][0], lateness.get(r.pk)) for r, res in zip(year_rounds, per_round, strict=True)]

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
        counts = all_statuses()
        for status, _score in found.values():
            counts[status] = counts.get(status, 0) + 1
        weeks.append(WeekPoint(week, scorer.overall(kind, {pk: s for pk, (_st, s) in found.items()}), counts))

    counts = all_statuses()
    for entry in current.values():
        counts[entry.status] += 1
    return Scorecard(office, round_, rounds, frameworks, framework, lines, overall, counts, year_rounds,
                     year_lines, year_overall, weeks, now, lateness.get(round_.pk), overall_before_penalty)
