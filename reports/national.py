"""The national results: districts ranked, each indicator across districts, each bureau's certification
(docs/reports.md)."""

from __future__ import annotations

import decimal
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.db.models import (
    Count,
    Exists,
    Min,
    OuterRef,
    Q,
)
from django.utils import timezone

from indicators.models import Indicator
from indicators.scoring import quantize5, read_sums
from indicators.selectors import framework_tree
from krs.models import Office
from reporting.models import Entry, ReportLateness
from reporting.selectors import counted_score_expression, read_score
from reports.common import (
    BINS,
    Filters,
    StatusCounts,
    TreeScorer,
    after_penalty,
    all_statuses,
    bin_index,
    exact_context,
)

# --- National results -----------------------------------------------------------------------------------


@dataclass
class RankRow(StatusCounts):
    office: Office
    overall: Decimal | None
    counts: dict[str, int]
    rank: int | None = None
    lateness: ReportLateness | None = None  # the report's late penalty, already taken off ``overall``



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

    Queries (constant, 12): the framework tree (8), the districts with entries, the sums of each district's
    counted scores × weights under each node of the tree (``TreeScorer.leaf_sums``, SQL ``GROUP BY``),
    the status counts of each district (SQL ``GROUP BY``) and the late reports (``ReportLateness``). Python then
    finishes each district's tree from its few sums, with the arithmetic of ``tree_score`` (what the scorecard
    computes, to the last digit).
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
    counts: dict[int, dict[str, int]] = defaultdict(all_statuses)
    for office_id, status, n in (
        scope.order_by().values_list("office_id", "status").annotate(n=Count("pk")).values_list("office_id", "status", "n")
    ):
        counts[office_id][status] = n
    # The report's late penalty (seed 002) comes off each district's overall score, never below 1.00000.
    lateness = {row.office_id: row for row in ReportLateness.objects.filter(
        round=filters.round, framework=filters.framework, office__kind__in=filters.kinds, late_days__gt=0)}
    rows = [RankRow(office, after_penalty(overall.get(office.pk), lateness.get(office.pk)), counts[office.pk],
                    lateness=lateness.get(office.pk)) for office in offices]
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
    counts: dict[int, dict[str, int]] = defaultdict(all_statuses)
    sums: dict[int, Decimal] = defaultdict(Decimal)
    bins: dict[int, list[int]] = defaultdict(lambda: [0] * len(BINS))
    for indicator_id, status, counted, n in grouped:
        counted = read_score(counted)
        counts[indicator_id][status] += n
        with decimal.localcontext(exact_context()):
            sums[indicator_id] += counted * n
        bins[indicator_id][bin_index(counted)] += n
    rows = []
    for root in roots:
        for node in root.walk():
            if node.is_group or node.obj.pk not in counts:
                continue
            pk = node.obj.pk
            total = sum(counts[pk].values())
            with decimal.localcontext(exact_context()):
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


def bureau_rows(entries, now: datetime) -> list[BureauRow]:
    found = (
        entries.order_by().values_list("indicator__owner_id", "status")
        .annotate(n=Count("pk"), oldest=Min("reported_at", filter=Q(status=Entry.Status.AWAITING)))
        .values_list("indicator__owner_id", "status", "n", "oldest")
    )
    counts: dict[int | None, dict[str, int]] = defaultdict(all_statuses)
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
    rows = bureau_rows(_scope(filters), now)
    rows.sort(key=lambda r: (r.bureau is None, r.bureau.code if r.bureau else ""))
    return BureauResults(filters, rows)


@dataclass
class NationalSummary:
    """The national ranking in a few numbers: districts scored, the mean, the highest and lowest, counts by status."""

    ranking: Ranking
    counts: dict[str, int]
    mean: Decimal | None
    top: list[RankRow]
    bottom: list[RankRow]

    @property
    def districts(self) -> int:
        return len(self.ranking.rows)


def national_summary(filters: Filters, *, top: int = 3) -> NationalSummary:
    """``national_ranking`` summed up (its 12 queries, nothing more): the executive's home."""
    ranking = national_ranking(filters)
    counts = all_statuses()
    for row in ranking.rows:
        for status, n in row.counts.items():
            counts[status] += n
    scored = [row for row in ranking.rows if row.overall is not None]
    mean = None
    if scored:
        with decimal.localcontext(exact_context()):
            mean = quantize5(sum((row.overall for row in scored), Decimal(0)) / len(scored))
    ordered = sorted(scored, key=lambda r: (r.rank, r.office.code))
    return NationalSummary(ranking, counts, mean, ordered[:top], ordered[-top:][::-1] if len(ordered) > top else [])
