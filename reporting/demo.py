"""The demo's reporting data: a round that is open today, so a demo district has something to enter.

The demo frameworks (indicators.demo) hold fiscal years 2552, 2565 and 2569, whose rounds are all in
the past by now. So that ``make run`` always shows a live entry page, this seeds the fiscal year of
*today* with the seed 000 indicators (AGR-2569 copied to that year and published) and three rounds
whose entry windows follow one another: the 6-month round opens on 1 October, the 9-month round the
day after the 6-month deadline, the 12-month round the day after the 9-month deadline. Whatever the
date, one round is open. The deadlines are the real ones (30 Apr, 16 Jul, 31 Oct at 16:30).

It then opens (``round_open``) every demo round that has started, FY 2569's included, so the round
switcher shows past rounds; and, in the open round, enters the central data of indicator 11.2 for the
demo districts (as สำนักการคลังและสินทรัพย์ would), so a district sees both a central value and
"ไม่มีข้อมูลส่วนกลาง" (11.4). The PMQA self-assessment of seed 004 is ``reporting.demo_pmqa``. Everything is
idempotent: running it again creates and changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from indicators.models import FiscalYear, Framework, Round
from indicators.services import framework_copy_to_year, framework_publish
from krs import thaicalendar
from krs.models import Office, Role, User
from reporting import demo_pmqa
from reporting.compute import entry_inputs, indicator_config
from reporting.models import Entry, StepValue, Value, ValueChange
from reporting.services import entries_write_inputs, round_open

BANGKOK = ZoneInfo("Asia/Bangkok")
SOURCE_FRAMEWORK = (2569, "AGR-2569")
# 11.2's central data for the demo districts: (schools reporting correctly, schools in the district).
CENTRAL_11_2 = {"1001": (Decimal(176), Decimal(182)), "1002": (Decimal(141), Decimal(160)),
                "2001": (Decimal(58), Decimal(60))}


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BANGKOK)


def _rounds(year: int):
    """(months, period end, opens at, deadline, certification deadline) with back-to-back entry windows."""
    ce = year - 543
    six, nine, twelve = date(ce, 4, 30), date(ce, 7, 16), date(ce, 10, 31)
    return (
        (6, date(ce, 3, 31), _at(date(ce - 1, 10, 1), 8, 30), _at(six, 16, 30), _at(date(ce, 5, 31), 16, 30)),
        (9, date(ce, 6, 30), _at(six + timedelta(days=1), 8, 30), _at(nine, 16, 30), _at(date(ce, 7, 31), 16, 30)),
        (12, date(ce, 9, 30), _at(nine + timedelta(days=1), 8, 30), _at(twelve, 16, 30), _at(date(ce, 11, 30), 16, 30)),
    )


@transaction.atomic
def seed() -> dict[str, int]:
    now = timezone.now()
    created = {"fiscal_years": 0, "rounds": 0, "frameworks": 0, "entries": 0, "central_values": 0}
    source = Framework.objects.filter(fiscal_year__year=SOURCE_FRAMEWORK[0], code=SOURCE_FRAMEWORK[1]).first()
    if source is None:
        return created
    year = thaicalendar.fiscal_year_of(now)
    if year != source.fiscal_year.year:
        fiscal_year, new = FiscalYear.objects.get_or_create(year=year)
        created["fiscal_years"] += new
        for months, period_end, opens_at, deadline, certification_deadline in _rounds(year):
            _round, new = Round.objects.get_or_create(
                fiscal_year=fiscal_year, months=months,
                defaults={"period_end": period_end, "opens_at": opens_at, "deadline": deadline,
                          "certification_deadline": certification_deadline,
                          "late_penalty_per_day": Decimal("0.05") if months == 12 else Decimal(0),
                          # A late window on the 12-month round, so the report-level penalty can be seen.
                          "late_until": deadline + timedelta(days=20) if months == 12 else None},
            )
            created["rounds"] += new
        framework = Framework.objects.filter(fiscal_year=fiscal_year, code=source.code).first()
        if framework is None:
            framework = framework_copy_to_year(framework=source, fiscal_year=fiscal_year)
            framework_publish(framework=framework)
            created["frameworks"] += 1
    created.update(demo_pmqa.seed(now))  # before the rounds open: it publishes PMQA in today's fiscal year
    for round_ in Round.objects.filter(opens_at__lte=now, fiscal_year__frameworks__code=source.code).distinct():
        created["entries"] += round_open(round_=round_).created
    created["central_values"] = _central_data(now)
    return created


def _central_data(now) -> int:
    """11.2's central values in the open rounds, entered as the owning bureau would (audited)."""
    clerk = User.objects.filter(office__code="B-FIN", role=Role.BUREAU_CERTIFIER).first()
    entries = list(
        Entry.objects.select_for_update(of=("self",))
        .filter(indicator__code="11.2", indicator__framework__code=SOURCE_FRAMEWORK[1],
                office__code__in=CENTRAL_11_2, round__opens_at__lte=now, round__deadline__gte=now,
                office__kind__in=[Office.Kind.PRIMARY, Office.Kind.SECONDARY])
        .select_related("round", "office")
    )
    if not entries:
        return 0
    indicators = {i.pk: i for i in indicator_config().filter(pk__in={e.indicator_id for e in entries})}
    items = []
    for entry in entries:
        indicator = indicators[entry.indicator_id]
        current = entry_inputs(entry, Value.objects.filter(entry=entry), StepValue.objects.filter(entry=entry))
        if any(value is not None for value in current.values.values()):
            continue
        new = current.copy()
        a, b = CENTRAL_11_2[entry.office.code]
        codes = {v.code: v.pk for v in indicator.variables.all()}
        new.values[codes["A"]], new.values[codes["B"]] = a, b
        items.append((entry, indicator, current, new))
    return len(entries_write_inputs(items, user=clerk, source=ValueChange.Source.SYSTEM, now=now)) if items else 0
