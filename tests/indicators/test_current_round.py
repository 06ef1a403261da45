"""Which round is the current one: one rule for every page (``indicators.selectors``), over its boundaries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import FiscalYear, Round
from indicators.selectors import current_round, latest_round
from tests.indicators.factories import at

pytestmark = pytest.mark.django_db

# Two fiscal years of rounds (each year is a framework's), and a third year whose rounds open later.
#   FY 2569: R6, R9, R12 (R12 with a late window to 13 Nov)
#   FY 2570: N6 opens while R12 is open, is due before it and certified before it
#   FY 2571: P is due on a Saturday (it counts on Monday 17:00), Q on that Monday at 09:00
ROUNDS = {
    "R6": (2569, 6, at(2026, 4, 1, 8, 30), at(2026, 4, 30), None, at(2026, 5, 29)),
    "R9": (2569, 9, at(2026, 7, 1, 8, 30), at(2026, 7, 16), None, at(2026, 7, 31)),
    "R12": (2569, 12, at(2026, 10, 1, 8, 30), at(2026, 10, 30), at(2026, 11, 13), at(2026, 11, 30)),
    "N6": (2570, 6, at(2026, 10, 15, 8, 30), at(2026, 10, 28), None, at(2026, 11, 25)),
    "P": (2571, 6, at(2028, 1, 5, 8, 30), at(2028, 1, 15, 17, 0), None, at(2028, 2, 15)),
    "Q": (2571, 9, at(2028, 1, 5, 8, 30), at(2028, 1, 17, 9, 0), None, at(2028, 2, 15)),
}
FY2569 = ("R6", "R9", "R12")
EVERY = tuple(ROUNDS)


@pytest.fixture
def rounds() -> dict[str, Round]:
    made = {}
    for name, (year, months, opens, deadline, late_until, certification) in ROUNDS.items():
        fiscal_year, _ = FiscalYear.objects.get_or_create(year=year)
        made[name] = Round.objects.create(
            fiscal_year=fiscal_year, months=months, name=name, period_end=date(2026, 3, 31), opens_at=opens,
            deadline=deadline, late_until=late_until, certification_deadline=certification)
    return made


@dataclass(frozen=True)
class Case:
    reason: str
    now: datetime
    current: str | None
    latest: str | None
    among: tuple[str, ...] = EVERY


CASES = [
    Case("before any round opens, the first to open", at(2026, 3, 15, 12, 0), "R6", "R6"),
    Case("the moment a round opens it is current", at(2026, 4, 1, 8, 30), "R6", "R6"),
    Case("on its deadline, to the minute, a round is still open", at(2026, 4, 30), "R6", "R6"),
    Case("after its deadline, while it is being certified", at(2026, 5, 10, 12, 0), "R6", "R6"),
    Case("between rounds, the last that opened, not the next", at(2026, 6, 10, 12, 0), "R6", "R6"),
    Case("the next round once it opens", at(2026, 7, 5, 12, 0), "R9", "R9"),
    Case("two rounds open (two fiscal years): the one due first; the latest is the one opened last",
         at(2026, 10, 20, 12, 0), "N6", "N6"),
    Case("a round in its late window is open, and comes before one only being certified",
         at(2026, 11, 5, 12, 0), "R12", "N6"),
    Case("a round in its late window, among one fiscal year's rounds", at(2026, 11, 5, 12, 0), "R12", "R12", FY2569),
    Case("two rounds being certified: the one whose certification ends first, not the later deadline",
         at(2026, 11, 20, 12, 0), "N6", "N6"),
    Case("after its certification only the other is still being certified", at(2026, 11, 27, 12, 0), "R12", "N6"),
    Case("after every window, the last that opened, not the one with the last deadline",
         at(2026, 12, 10, 12, 0), "N6", "N6"),
    Case("the candidates decide: an office with no entries in the next year's framework",
         at(2026, 12, 10, 12, 0), "R12", "R12", FY2569),
    Case("a deadline on a Saturday counts on Monday 17:00, after another due Monday 09:00",
         at(2028, 1, 16, 12, 0), "Q", "Q"),
    Case("no rounds, no current round", at(2026, 5, 10, 12, 0), None, None, ()),
]


@pytest.mark.parametrize("case", CASES, ids=[case.reason for case in CASES])
def test_the_current_round(rounds, case):
    among = [rounds[name] for name in case.among]
    found = current_round(among, case.now)
    assert (found.name if found else None) == case.current


@pytest.mark.parametrize("case", CASES, ids=[case.reason for case in CASES])
def test_the_latest_round(rounds, case):
    among = [rounds[name] for name in case.among]
    found = latest_round(among, case.now)
    assert (found.name if found else None) == case.latest


@pytest.mark.parametrize("order", [EVERY, tuple(reversed(EVERY))], ids=["oldest first", "newest first"])
def test_the_order_the_candidates_come_in_does_not_matter(rounds, order):
    for case in CASES:
        among = [rounds[name] for name in order if name in case.among]
        found = current_round(among, case.now)
        assert (found.name if found else None) == case.current, case.reason


def test_the_saturday_deadline_moved_to_monday(rounds):
    """The calendar the Saturday row relies on: P counts at 17:00 on Monday, after Q's 09:00."""
    p, q = Round.with_due_at([rounds["P"], rounds["Q"]])
    assert p.due_at == at(2028, 1, 17, 17, 0) and q.due_at == q.deadline
    assert p.deadline < q.deadline and q.due_at < p.due_at


def test_it_reads_the_calendar_once_and_not_at_all_when_the_rounds_have_it(rounds):
    now = at(2026, 11, 5, 12, 0)
    with CaptureQueriesContext(connection) as first:
        current_round(list(rounds.values()), now)
    assert len(first) == 1  # the calendar's exceptions for the deadlines of the rounds that have opened
    ready = Round.with_due_at(Round.objects.all())
    with CaptureQueriesContext(connection) as second:
        current_round(ready, now)
        latest_round(ready, now)
    assert len(second) == 0
