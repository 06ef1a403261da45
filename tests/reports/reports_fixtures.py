"""A small framework with hand-computed results, for the report tests (``build_report_world``).

FY of today; round R6 open now, round R12 later. Framework "K" (published, agreement):

    มิติ 1 (weight 60), owner B01            มิติ 2 (weight 40), owner B02
      1.1  w30                                2.1  w15
      1.2  w20                                2.2  w10
      1.3  w10                                2.3  w5
                                              2.4  w5   only in R12 → inactive in R6
                                              2.5  w5   สพม. only → not for the สพป.

District D (1001, สพป.) in R6                  District E (2001, สพม.) in R6
  1.1 certified 4.50000                          1.1 system_unfixed (1.00000)
  1.2 certified 3.20000, late −0.10000 → 3.10000 1.2 system_unreported (1.00000)
  1.3 awaiting, self 5.00000 → 1.00000           1.3 certified 5.00000
  2.1 rejected, fix in 2 days → 1.00000          2.1 certified 2.00000
  2.2 certified 5.00000                          2.2 not_reported → 1.00000
  2.3 certified 1.05000, late −0.10000 → floor   2.3 awaiting since 10 days → 1.00000
      1.00000                                    2.5 certified 4.00000

D: มิติ 1 = (4.5·30 + 3.1·20 + 1·10)/60 = 207/60 = 3.45000
   มิติ 2 = (1·15 + 5·10 + 1·5)/30 = 70/30 = 2.33333   (2.4 and 2.5 drop out: weights renormalised)
   overall = (3.45000·60 + 2.33333·40)/100 = 300.3332/100 = 3.00333
E: มิติ 1 = (1·30 + 1·20 + 5·10)/60 = 100/60 = 1.66667
   มิติ 2 = (2·15 + 1·10 + 1·5 + 4·5)/35 = 65/35 = 1.85714
   overall = (1.66667·60 + 1.85714·40)/100 = 174.2858/100 = 1.74286

D's snapshots: week 1 everything 1.00000 → 1.00000; week 2 1.1 at 4.50000 →
   มิติ 1 = (135 + 20 + 10)/60 = 2.75000, overall = (2.75·60 + 1·40)/100 = 2.05000.
In R12 (opened, nothing reported) every entry counts 1.00000 → 1.00000.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from indicators.models import FiscalYear, Framework, Group, Indicator, Round
from krs import thaicalendar
from krs.models import Office
from reporting.models import Entry, EntrySnapshot
from reporting.services import round_open

D = Decimal
S = Entry.Status

D_OVERALL = D("3.00333")
E_OVERALL = D("1.74286")


@dataclass
class ReportWorld:
    round: Round
    round_12: Round
    framework: Framework
    groups: dict[str, Group]
    indicators: dict[str, Indicator]
    district: Office
    other: Office

    def entry(self, office, code, round_=None) -> Entry:
        return Entry.objects.get(office=office, indicator=self.indicators[code], round=round_ or self.round)


def set_entry(world: ReportWorld, office, code, status, *, official=None, self_score=None, penalty="0",
              reported_days_ago=None, fix_in_days=None):
    now = timezone.now()
    Entry.objects.filter(pk=world.entry(office, code).pk).update(
        status=status, official_score=None if official is None else D(official),
        self_score=None if self_score is None else D(self_score), late_penalty=D(penalty),
        late_days=2 if D(penalty) else None,
        reported_at=None if reported_days_ago is None else now - timedelta(days=reported_days_ago),
        fix_deadline=None if fix_in_days is None else now + timedelta(days=fix_in_days),
    )


def build_report_world(district: Office, other: Office, bureau: Office, other_bureau: Office) -> ReportWorld:
    now = timezone.now()
    year, _ = FiscalYear.objects.get_or_create(year=thaicalendar.fiscal_year_of(now))
    first, last = year.bounds
    r6 = Round.objects.create(
        fiscal_year=year, months=6, name="รอบ 6 เดือน", period_end=min(max(now.date(), first), last),
        opens_at=now - timedelta(days=20), deadline=now + timedelta(days=5),
        certification_deadline=now + timedelta(days=25),
    )
    r12 = Round.objects.create(
        fiscal_year=year, months=12, name="รอบ 12 เดือน", period_end=last, opens_at=now + timedelta(days=300),
        deadline=now + timedelta(days=330), certification_deadline=now + timedelta(days=360),
    )
    fw = Framework.objects.create(fiscal_year=year, code="K", name="กรอบทดสอบรายงาน", status=Framework.Status.PUBLISHED)
    g1 = Group.objects.create(framework=fw, code="1", name="มิติด้านประสิทธิผล", level_name="มิติ", weight=D(60), order=1)
    g2 = Group.objects.create(framework=fw, code="2", name="มิติด้านคุณภาพ", level_name="มิติ", weight=D(40), order=2)
    indicators = {}
    for order, (code, group, weight, owner) in enumerate([
        ("1.1", g1, 30, bureau), ("1.2", g1, 20, bureau), ("1.3", g1, 10, bureau),
        ("2.1", g2, 15, other_bureau), ("2.2", g2, 10, other_bureau), ("2.3", g2, 5, other_bureau),
        ("2.4", g2, 5, other_bureau), ("2.5", g2, 5, other_bureau),
    ], start=1):
        indicators[code] = Indicator.objects.create(
            framework=fw, group=group, code=code, name=f"ร้อยละของโรงเรียนที่ผ่านเกณฑ์ {code}", weight=D(weight),
            method=Indicator.Method.PASS_FAIL, formula="A", owner=owner, order=order,
            applies_to_primary=code != "2.5",
        )
    indicators["2.4"].rounds.set([r12])
    round_open(round_=r6)
    round_open(round_=r12)
    world = ReportWorld(r6, r12, fw, {"1": g1, "2": g2}, indicators, district, other)

    set_entry(world, district, "1.1", S.CERTIFIED, official="4.50000", self_score="4.50000", reported_days_ago=5)
    set_entry(world, district, "1.2", S.CERTIFIED, official="3.20000", self_score="3.20000", penalty="0.10000",
              reported_days_ago=5)
    set_entry(world, district, "1.3", S.AWAITING, self_score="5.00000", reported_days_ago=3)
    set_entry(world, district, "2.1", S.REJECTED, self_score="4.00000", reported_days_ago=4, fix_in_days=2)
    set_entry(world, district, "2.2", S.CERTIFIED, official="5.00000", self_score="5.00000", reported_days_ago=6)
    set_entry(world, district, "2.3", S.CERTIFIED, official="1.05000", self_score="1.05000", penalty="0.10000",
              reported_days_ago=6)

    set_entry(world, other, "1.1", S.SYSTEM_UNFIXED, official="1.00000")
    set_entry(world, other, "1.2", S.SYSTEM_UNREPORTED, official="1.00000")
    set_entry(world, other, "1.3", S.CERTIFIED, official="5.00000", self_score="5.00000", reported_days_ago=2)
    set_entry(world, other, "2.1", S.CERTIFIED, official="2.00000", self_score="2.00000", reported_days_ago=2)
    set_entry(world, other, "2.3", S.AWAITING, self_score="3.00000", reported_days_ago=10)
    set_entry(world, other, "2.5", S.CERTIFIED, official="4.00000", self_score="4.00000", reported_days_ago=2)
    return world


def add_snapshots(world: ReportWorld) -> tuple[date, date]:
    """Two weeks of D's snapshots: everything at 1.00000, then 1.1 at 4.50000."""
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    first, second = monday - timedelta(days=14), monday - timedelta(days=7)
    rows = []
    for entry in Entry.objects.filter(office=world.district, round=world.round).select_related("indicator"):
        for week in (first, second):
            certified = week == second and entry.indicator.code == "1.1"
            rows.append(EntrySnapshot(
                entry=entry, week=week, status=S.CERTIFIED if certified else S.NOT_REPORTED,
                score=D("4.50000") if certified else D("1.00000"), taken_at=timezone.now(),
            ))
    EntrySnapshot.objects.bulk_create(rows)
    return first, second
