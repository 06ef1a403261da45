"""Time the national results (the ranking of every district): `make bench` (see docs/benchmarks.md).

Two sizes, one after the other, on a throwaway database created here and dropped at the end (the same
machinery as bench/entry_page.py):

- 245 districts (183 สพป., 62 สพม.) × 60 indicators: 14,700 entries;
- 30,000 offices (3/4 สพป.) × 60 indicators: 1,800,000 entries — the same code if schools reported.

Each builds one published framework of 4 dimensions × 15 indicators (weights 25 and 5, two indicators
limited to สพม. so that weights are renormalised for สพป.), opens a round set-based (``round_open``) and
then gives the entries their statuses and scores with one UPDATE: by ``id % 6`` not reported, awaiting,
rejected, certified (two sixths, official score 1.00–5.00), scored by the system; one certified entry in
fifty has a late penalty of 0.10000.

Measured, logged in as an executive (Django's test Client, the whole middleware stack, in process):

- GET /reports/national/ — the ranking page (ranks every office, renders the first 250);
- GET /reports/national/ranking.xlsx — the ranking of every office as a file;
- the selector ``reports.national.national_ranking`` alone (no request, no template).

``BENCH_RUNS`` timed requests of each kind for 245 districts (default 20) and ``BENCH_BIG_RUNS`` for
30,000 (default 3), after one warm-up; ``BENCH_SCALES`` chooses the sizes (default "245,30000").
Prints Markdown on stdout, progress on stderr.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

# Importing it sets Django up (DJANGO_SETTINGS_MODULE, django.setup()) before anything here is used.
from bench.entry_page import analyze, like_a_server, log, machine, scenarios_in_turn, throwaway_database

GROUPS, PER_GROUP = 4, 15  # 60 indicators
SCALES = [int(n) for n in os.environ.get("BENCH_SCALES", "245,30000").split(",") if n.strip()]
RUNS = max(1, int(os.environ.get("BENCH_RUNS", "20")))
BIG_RUNS = max(1, int(os.environ.get("BENCH_BIG_RUNS", "3")))


def build(offices: int):
    """The offices, the framework, the round and its entries with statuses and scores; returns the round."""
    from indicators.models import FiscalYear, Framework, Group, Indicator, Round
    from krs import thaicalendar
    from krs.models import Office
    from reporting.models import Entry
    from reporting.services import round_open

    now = timezone.now()
    if offices == 245:
        primary = 183
    else:
        primary = offices * 3 // 4
    Office.objects.bulk_create(
        [Office(code=f"{'1' if n < primary else '2'}{n:06d}",
                kind=Office.Kind.PRIMARY if n < primary else Office.Kind.SECONDARY,
                short_name=f"หน่วยงานทดสอบ {n}", name_th=f"สำนักงานเขตพื้นที่การศึกษาทดสอบที่ {n}",
                name_en=f"Test office {n}")
         for n in range(offices)],
        batch_size=5000,
    )
    bureaus = Office.objects.bulk_create([
        Office(code=f"B{offices}-{n}", kind=Office.Kind.BUREAU, name_th=f"สำนักทดสอบที่ {n}") for n in range(1, 6)])
    year, _ = FiscalYear.objects.get_or_create(year=thaicalendar.fiscal_year_of(now))
    first, last = year.bounds
    round_ = Round.objects.create(
        fiscal_year=year, months=6, name=f"รอบทดสอบ {offices}", period_end=min(max(now.date(), first), last),
        opens_at=now - timedelta(days=30), deadline=now + timedelta(days=1),
        certification_deadline=now + timedelta(days=20),
    )
    framework = Framework.objects.create(fiscal_year=year, code=f"BENCH-{offices}", name="กรอบทดสอบ 60 ตัวชี้วัด",
                                         status=Framework.Status.PUBLISHED, published_at=now - timedelta(days=40))
    order = 0
    for g in range(1, GROUPS + 1):
        group = Group.objects.create(framework=framework, code=str(g), name=f"มิติทดสอบที่ {g}", level_name="มิติ",
                                     weight=Decimal(100 // GROUPS), order=g)
        indicators = []
        for n in range(1, PER_GROUP + 1):
            order += 1
            indicators.append(Indicator(
                framework=framework, group=group, code=f"{g}.{n}", name=f"ตัวชี้วัดทดสอบ {g}.{n}", weight=Decimal(5),
                method=Indicator.Method.PASS_FAIL, formula="A", order=order, owner=bureaus[order % 5],
                # Two indicators of the last dimension are for สพม. only: สพป. weights are renormalised.
                applies_to_primary=not (g == GROUPS and n > PER_GROUP - 2),
            ))
        Indicator.objects.bulk_create(indicators)
    started = time.perf_counter()
    opened = round_open(round_=round_)
    log(f"{offices:,} offices: round_open created {opened.created:,} entries in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    table = Entry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE {table} SET
              status = CASE id %% 6 WHEN 0 THEN %(not_reported)s WHEN 1 THEN %(awaiting)s WHEN 2 THEN %(rejected)s
                                   WHEN 5 THEN %(system)s ELSE %(certified)s END,
              official_score = CASE WHEN id %% 6 IN (3, 4) THEN 1 + (id %% 401) * 0.01
                                    WHEN id %% 6 = 5 THEN 1 ELSE NULL END,
              self_score = CASE WHEN id %% 6 IN (1, 2, 3, 4) THEN 1 + (id %% 401) * 0.01 ELSE NULL END,
              late_penalty = CASE WHEN id %% 6 IN (3, 4) AND id %% 50 = 3 THEN 0.1 ELSE 0 END,
              reported_at = CASE WHEN id %% 6 IN (1, 2, 3, 4) THEN %(reported)s ELSE NULL END
            WHERE round_id = %(round)s
        """, {"not_reported": Entry.Status.NOT_REPORTED, "awaiting": Entry.Status.AWAITING,
              "rejected": Entry.Status.REJECTED, "certified": Entry.Status.CERTIFIED,
              "system": Entry.Status.SYSTEM_UNREPORTED, "reported": now - timedelta(days=3), "round": round_.pk})
    log(f"{offices:,} offices: statuses and scores set in {time.perf_counter() - started:.1f} s")
    analyze()
    return round_, framework


def executive():
    from krs.models import Office, Role, User

    user = User.objects.filter(username="bench-executive").first()
    if user is None:
        office = Office.objects.create(code="ADM-BENCH", kind=Office.Kind.ADMINISTRATION, name_th="กพร.สพฐ. (ทดสอบ)")
        user = User(username="bench-executive", office=office, role=Role.EXECUTIVE)
        user.set_unusable_password()
        user.save()
    return user


def timed(name: str, runs: int, call, check) -> dict:
    """One warm-up, ``runs`` timed calls, then one more with its queries counted and one under tracemalloc."""
    check(call())
    times = []
    for _ in range(runs):
        like_a_server()
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
        check(result)
    like_a_server()
    with CaptureQueriesContext(connection) as captured:
        result = call()
    queries = len(captured)
    like_a_server()
    gc.collect()
    tracemalloc.start()
    try:
        result = call()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = len(result.content) if hasattr(result, "content") else 0
    median = statistics.median(times)
    log(f"{name}: median {median * 1000:.0f} ms, {queries} queries")
    return {"request": name, "median": median, "min": min(times), "max": max(times), "queries": queries,
            "peak": peak, "size": size, "runs": runs}


def scenario(offices: int) -> list[dict]:
    from reports import common, national

    round_, framework = build(offices)
    runs = RUNS if offices <= 1000 else BIG_RUNS
    client = Client()
    client.force_login(executive())
    params = {"round": round_.pk, "framework": framework.pk}
    page = reverse("reports:national")
    xlsx = reverse("reports:national_export", args=["ranking", "xlsx"])

    def check_page(response) -> None:
        assert response.status_code == 200, response.status_code
        rows = response.content.decode().count('data-testid="rank-row"')
        assert rows == min(offices, 250), rows

    def check_file(response) -> None:
        assert response.status_code == 200, response.status_code
        assert response.content.startswith(b"PK"), response.content[:100]

    def selector():
        filters = common.report_filters(round_id=round_.pk, framework_id=framework.pk)
        return national.national_ranking(filters)

    def check_selector(ranking) -> None:
        assert len(ranking.rows) == offices, len(ranking.rows)
        assert all(row.overall is not None for row in ranking.rows)

    results = [
        timed(f"{offices:,} · GET ranking page", runs, lambda: client.get(page, params), check_page),
        timed(f"{offices:,} · GET ranking.xlsx", runs, lambda: client.get(xlsx, params), check_file),
        timed(f"{offices:,} · national_ranking()", runs, selector, check_selector),
    ]
    for result in results:
        result["offices"] = offices
    return results


def report(results: list[dict], about: list[tuple[str, str]]) -> str:
    lines = [f"- {name}: {value}" for name, value in about]
    lines += [
        f"- runs: {RUNS} timed requests of each kind for 245 districts, {BIG_RUNS} for 30,000 offices, after one warm-up",
        "",
        "| offices × 60 indicators | what | median ms | min ms | max ms | SQL queries | peak memory MiB | response KiB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['offices']:,} | {r['request'].split(' · ', 1)[1]} | {r['median'] * 1000:,.0f} | {r['min'] * 1000:,.0f} | "
            f"{r['max'] * 1000:,.0f} | {r['queries']} | {r['peak'] / 1024 / 1024:,.1f} | "
            f"{(r['size'] / 1024) if r['size'] else 0:,.1f} |"
        )
    return "\n".join(lines)


def main() -> int:
    started = time.perf_counter()
    with throwaway_database():
        about = [(name, value) for name, value in machine() if name != "runs"]
        results = scenarios_in_turn(SCALES, scenario)
    print(report(results, about))
    log(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
