"""Time the deadline sweep closing a round: `make bench` (see docs/benchmarks.md).

Two sizes, one after the other, on a throwaway database created here and dropped at the end (the same
machinery as bench/entry_page.py):

- 245 districts × 60 indicators: 14,700 entries;
- 30,000 offices × 60 indicators: 1,800,000 entries — what the same system would face if schools reported.

In each, a round whose deadline has just passed is opened set-based (``round_open``); 20 % of the entries
are awaiting certification, 1 % rejected with a fix deadline that has passed, the rest not reported.
Then, timed by step:

1. the sweep that closes the round (close: 80 % of entries scored 1.00000 with their events; fix: the
   rejected ones; snapshot: every entry's weekly score);
2. the same sweep again, which finds nothing to do — what every minute costs once a round is closed.

``BENCH_SCALES`` chooses the sizes (default "245,30000"). Prints Markdown on stdout, progress on stderr.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from bench.entry_page import analyze, log, machine, scenarios_in_turn, throwaway_database  # sets Django up

INDICATORS = 60
SCALES = [int(n) for n in os.environ.get("BENCH_SCALES", "245,30000").split(",") if n.strip()]


def build(offices: int):
    """Offices (3/4 primary), one published framework of 60 quantitative indicators, a round past its deadline."""
    from indicators.models import FiscalYear, Framework, Group, Indicator, Round
    from krs import thaicalendar
    from krs.models import Office
    from reporting.models import Entry
    from reporting.services import round_open

    now = timezone.now()
    primary = offices * 3 // 4
    Office.objects.bulk_create(
        [Office(code=f"{'1' if n < primary else '2'}{n:06d}", kind=Office.Kind.PRIMARY if n < primary else Office.Kind.SECONDARY,
                short_name=f"หน่วยงานทดสอบ {n}", name_th=f"หน่วยงานทดสอบที่ {n}", name_en=f"Test office {n}")
         for n in range(offices)],
        batch_size=5000,
    )
    year, _ = FiscalYear.objects.get_or_create(year=thaicalendar.fiscal_year_of(now))
    first, last = year.bounds
    round_ = Round.objects.create(
        fiscal_year=year, months=6, name=f"รอบทดสอบ {offices}", period_end=min(max(now.date(), first), last),
        opens_at=now - timedelta(days=30), deadline=now - timedelta(minutes=1),
        certification_deadline=now + timedelta(days=20),
    )
    framework = Framework.objects.create(fiscal_year=year, code=f"BENCH-{offices}", name="กรอบทดสอบ",
                                         status=Framework.Status.PUBLISHED, published_at=now - timedelta(days=40))
    group = Group.objects.create(framework=framework, code="1", name="มิติทดสอบ", weight=Decimal(100))
    Indicator.objects.bulk_create([
        Indicator(framework=framework, group=group, code=f"1.{n}", name=f"ตัวชี้วัดทดสอบ {n}", weight=Decimal(1),
                  method=Indicator.Method.QUANTITATIVE, formula="A / B * 100", order=n)
        for n in range(1, INDICATORS + 1)
    ])
    started = time.perf_counter()
    opened = round_open(round_=round_)
    log(f"{offices:,} offices: round_open created {opened.created:,} entries in {time.perf_counter() - started:.1f} s")
    # 20 % awaiting (reported in time), 1 % rejected with a fix deadline that passed, the rest not reported.
    entries = Entry.objects.filter(round=round_)
    entries.filter(pk__in=entries.filter(indicator__order__lte=12).values("pk")).update(
        status=Entry.Status.AWAITING, self_score=Decimal("4.00000"), reported_at=now - timedelta(days=2),
        first_reported_at=now - timedelta(days=2))
    entries.filter(indicator__order=13, office__code__endswith="0").update(
        status=Entry.Status.REJECTED, fix_deadline=now - timedelta(seconds=30), reported_at=now - timedelta(days=3),
        first_reported_at=now - timedelta(days=3))
    # Opened earlier (as the sweep would have done at the opening time).
    Round.objects.filter(pk=round_.pk).update(opened_at=round_.opens_at)
    analyze()
    return round_, opened.total


def timed_sweep():
    """One sweep with each step timed (the steps wrapped, not changed); (run, {step: seconds}, total seconds)."""
    from reporting import deadlines

    times: dict[str, float] = {}
    original = deadlines.STEPS

    def timed(name, step):
        def run(now):
            started = time.perf_counter()
            try:
                return step(now)
            finally:
                times[name] = time.perf_counter() - started
        return run

    deadlines.STEPS = tuple((name, timed(name, step)) for name, step in original)
    try:
        started = time.perf_counter()
        run = deadlines.sweep()
        total = time.perf_counter() - started
    finally:
        deadlines.STEPS = original
    return run, times, total


def scenario(offices: int) -> list[str]:
    from reporting.models import Entry

    round_, total = build(offices)
    closing, closing_times, closing_total = timed_sweep()
    assert closing.outcome == "done", closing.errors
    scored = Entry.objects.filter(round=round_, status__in=["system_unreported", "system_unfixed"]).count()
    assert scored and not Entry.objects.filter(round=round_, status="not_reported").exists()
    log(f"{offices:,} offices: closing sweep {closing_total:.2f} s, {scored:,} entries scored")
    idle, idle_times, idle_total = timed_sweep()
    assert idle.changed == 0, idle.steps
    log(f"{offices:,} offices: idle sweep {idle_total * 1000:.0f} ms")
    counts = {change["step"]: change["count"] for change in closing.steps}

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:,.0f}"

    rows = []
    for name in ("close", "fix", "snapshot"):
        rows.append(f"| {offices:,} | {total:,} | closing | {name} | {counts.get(name, 0):,} | {ms(closing_times[name])} |")
    rows.append(f"| {offices:,} | {total:,} | closing | **whole sweep** | {closing.changed:,} | **{ms(closing_total)}** |")
    rows.append(f"| {offices:,} | {total:,} | idle (again) | whole sweep | 0 | {ms(idle_total)} |")
    return rows


def main() -> int:
    started = time.perf_counter()
    with throwaway_database():
        about = machine()
        rows = scenarios_in_turn(SCALES, scenario)
    lines = [f"- {name}: {value}" for name, value in about if name != "runs"]
    lines += ["", "| offices | entries | sweep | step | entries changed | ms |", "|---:|---:|---|---|---:|---:|", *rows]
    print("\n".join(lines))
    log(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
