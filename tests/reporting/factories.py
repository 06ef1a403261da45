"""A round open now, with one indicator of each kind the entry page shows, and its entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from indicators.models import (
    FiscalYear,
    Framework,
    Group,
    Indicator,
    MilestoneStep,
    Round,
    RubricLevel,
    Threshold,
    Variable,
)
from krs import thaicalendar
from reporting.models import Entry
from reporting.services import round_open

D = Decimal


@dataclass
class World:
    round: Round
    framework: Framework
    quantitative: Indicator  # A (district) / B (district) * 100, thresholds 80..100
    central: Indicator  # A / B central, owned by the bureau
    pass_fail: Indicator  # yes/no variable
    milestone: Indicator
    rubric: Indicator
    round_12: Indicator  # only in another round

    def entry(self, office, indicator) -> Entry:
        return Entry.objects.get(office=office, indicator=indicator, round=self.round)


def passed_working_moment(at):
    """``at``, or the same time on the last working day before it: a deadline that has passed whatever today is.

    A deadline on a weekend or holiday counts on the next working day (``Round.due_at``), so "yesterday" on
    a Monday would not have passed yet; tests that need a passed deadline take this one.
    """
    while not thaicalendar.is_working_day(at):
        at -= timedelta(days=1)
    return at


def open_world(*, bureau=None, opens=timedelta(days=-1), closes=timedelta(days=5), extra_quantitative: int = 0) -> World:
    now = timezone.now()
    if closes < timedelta(0):
        closes = passed_working_moment(now + closes) - now
    year_number = thaicalendar.fiscal_year_of(now)
    year, _ = FiscalYear.objects.get_or_create(year=year_number)
    first, last = year.bounds
    round_ = Round.objects.create(
        fiscal_year=year, months=6, name="รอบทดสอบ", period_end=min(max(now.date(), first), last),
        opens_at=now + opens, deadline=now + closes, certification_deadline=now + closes + timedelta(days=20),
    )
    other = Round.objects.create(
        fiscal_year=year, months=12, period_end=last, opens_at=now + timedelta(days=300),
        deadline=now + timedelta(days=330), certification_deadline=now + timedelta(days=360),
    )
    fw = Framework.objects.create(fiscal_year=year, code="T", name="กรอบทดสอบ", status=Framework.Status.PUBLISHED)
    g = Group.objects.create(framework=fw, code="1", name="มิติทดสอบ", level_name="มิติ", weight=D(100))

    def quantitative(code, *, source=Variable.Source.DISTRICT, order=0):
        indicator = Indicator.objects.create(
            framework=fw, group=g, code=code, name=f"ตัวชี้วัด {code}", weight=D(10), method=Indicator.Method.QUANTITATIVE,
            formula="A / B * 100", unit="ร้อยละ", target=D(90), owner=bureau, order=order,
        )
        Variable.objects.create(indicator=indicator, code="A", name="จำนวนที่ผ่าน", unit="โรง", kind=Variable.Kind.INTEGER,
                                minimum=D(0), source=source, order=1)
        Variable.objects.create(indicator=indicator, code="B", name="จำนวนทั้งหมด", unit="โรง", kind=Variable.Kind.INTEGER,
                                minimum=D(0), source=source, order=2)
        Threshold.objects.bulk_create([Threshold(indicator=indicator, level=n, value=D(v))
                                       for n, v in enumerate((80, 85, 90, 95, 100), start=1)])
        return indicator

    q = quantitative("1.1", order=1)
    central = quantitative("1.2", source=Variable.Source.CENTRAL, order=2)
    pf = Indicator.objects.create(framework=fw, group=g, code="1.3", name="ส่งเอกสารการตรวจสอบ", weight=D(10), order=3,
                                  method=Indicator.Method.PASS_FAIL, formula="A", unit="ร้อยละ", owner=bureau)
    Variable.objects.create(indicator=pf, code="A", name="ส่งเอกสารแล้ว", unit="ส่งแล้วกรอก 1 / ไม่ส่งกรอก 0",
                            kind=Variable.Kind.YES_NO, minimum=D(0), maximum=D(1))
    ms = Indicator.objects.create(framework=fw, group=g, code="1.4", name="ขั้นตอน", weight=D(10), order=4,
                                  method=Indicator.Method.MILESTONE, unit="ระดับ", owner=bureau)
    MilestoneStep.objects.bulk_create([MilestoneStep(indicator=ms, number=n, description=f"ขั้น {n}", sub_items=2 if n == 4 else 1)
                                       for n in range(1, 6)])
    rb = Indicator.objects.create(framework=fw, group=g, code="1.5", name="ระดับคุณภาพ", weight=D(10), order=5,
                                  method=Indicator.Method.RUBRIC, unit="ระดับ", owner=bureau)
    RubricLevel.objects.bulk_create([RubricLevel(indicator=rb, code=c, name=n, score=D(s))
                                     for c, n, s in (("basic", "Basic", 3), ("advance", "Advance", 4),
                                                     ("significance", "Significance", 5))])
    later = quantitative("1.6", order=6)
    later.variables.get(code="B").rounds.set([other])
    for n in range(extra_quantitative):
        quantitative(f"9.{n + 1}", order=100 + n)
    round_open(round_=round_)
    return World(round_, fw, q, central, pf, ms, rb, later)
