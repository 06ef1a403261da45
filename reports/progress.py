"""Progress: who still has to act in a round, and by when (docs/reports.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
)
from django.utils import timezone

from indicators.models import Round
from indicators.selectors import current_round
from krs.models import Office
from reporting.models import Entry
from reports.common import DISTRICT_KINDS, as_int, report_rounds
from reports.national import BureauRow, bureau_rows

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
    """Who still has to act in a round (default: the round people work in now); 6 queries.

    - districts with entries not reported yet (and rejected ones to fix), most first;
    - bureaus by the age of their oldest entry awaiting certification, oldest first;
    - rejected entries whose fix deadline is within ``days`` days (or has passed), soonest first.

    ``bureau`` limits the second and third lists to that bureau's indicators (a certifier's own view).
    """
    now = now or timezone.now()
    rounds = Round.with_due_at(report_rounds())  # "open" reads the holiday-adjusted deadlines (1 query)
    round_id = as_int(round_id)
    round_ = next((r for r in rounds if r.pk == round_id), None) or current_round(rounds, now)
    days = min(max(as_int(days) or 7, 1), 90)
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
    waiting = [row for row in bureau_rows(entries, now) if row.counts[Entry.Status.AWAITING]]
    waiting.sort(key=lambda r: (r.oldest_waiting or now, r.bureau.code if r.bureau else ""))
    fixes = [
        FixRow(entry, now) for entry in
        entries.filter(status=Entry.Status.REJECTED, fix_deadline__isnull=False,
                       fix_deadline__lte=now + timedelta(days=days))
        .select_related("office", "indicator", "round__fiscal_year").order_by("fix_deadline", "office__code", "pk")
    ]
    return Progress(rounds, round_, days, unreported, waiting, fixes, now)
