"""Time the district's entry page and the save of one indicator: `make bench` (see docs/benchmarks.md).

Two scenarios, one after the other, on a throwaway database created here and dropped at the end:

- demo: the data of `seed_demo` (krs.demo and indicators.demo). The FY 2569 12-month round is moved to
  be open now (in the throwaway database only) and opened for every district; ``bkk1``
  (สพป.กรุงเทพมหานคร) reads its page and saves indicator 11.5 (two district variables).
- 60 indicators: 245 districts (183 สพป. and 62 สพม.) and a framework of 60 quantitative indicators with
  two district variables each, in a round open now: 14,700 entries. Every other district has typed its
  values; the measured district has saved 45 of its 60 indicators. It reads its page and saves 1.1.

Every request goes through Django's test Client — the whole middleware stack, in process, no web
server, no network — logged in as the district's reporter. Times are wall-clock per request,
including opening the database connection where a server would (SQLite: every request). SQL
queries are counted on one more request of each kind (CaptureQueriesContext), and peak memory is
tracemalloc's peak over one more request. Each save posts the entry's current version (read from the
database outside the timing) and flips a value, so every save writes.

The database: SQLite in ``KRS_VAR_DIR/bench/bench.sqlite3`` (deleted first), or, when DATABASE_URL is
set, a database ``bench_<name>`` on that server (dropped first if it exists, and at the end). The
database DATABASE_URL names (or var/krs.sqlite3) is never opened. ``BENCH_RUNS`` sets the number of timed
requests of each kind (default 100).

Run: ``make bench`` or ``.venv/bin/python -m bench.entry_page``. Prints Markdown on stdout, progress on stderr.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "krs.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

RUNS = max(1, int(os.environ.get("BENCH_RUNS", "100")))
WARMUP = 3
DISTRICTS_PRIMARY, DISTRICTS_SECONDARY = 183, 62  # 245 สพท.
GROUPS, PER_GROUP = 4, 15  # 60 indicators
REPORTED = 45  # of the measured district's 60
HTMX = {"HTTP_HX_REQUEST": "true"}


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- The throwaway database ---------------------------------------------------------------------------


def throwaway_name() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        path = Path(settings.VAR_DIR) / "bench" / "bench.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        return str(path)
    return f"bench_{db['NAME']}"


def configure() -> None:
    """As Django's test runner does, minus its template instrumentation (which would slow rendering)."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Only for creating the demo users quickly; logins below use force_login.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Before the first use of the connection: the test database settings are read from this dict.
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = throwaway_name()


@contextmanager
def throwaway_database():
    """Create and migrate the throwaway database, yield, and drop it whatever happened (every bench's main)."""
    configure()
    original = connection.settings_dict["NAME"]
    started = time.perf_counter()
    log(f"creating the throwaway database {settings.DATABASES['default']['TEST']['NAME']} and migrating")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    log(f"database ready in {time.perf_counter() - started:.1f} s")
    try:
        yield
    finally:
        connection.creation.destroy_test_db(original, verbosity=0, keepdb=False)


def scenarios_in_turn(sizes, run) -> list:
    """``run(size)`` for each size, flushing the database between them; their results, in order."""
    results = []
    for n, size in enumerate(sizes):
        if n:
            call_command("flush", interactive=False, verbosity=0)
        results += run(size)
    return results


# --- Measuring ----------------------------------------------------------------------------------------


def like_a_server() -> None:
    """Close the connection where a server would between requests (CONN_MAX_AGE=0: the SQLite default).

    The test Client keeps the connection across requests; a real server closes it after each request
    unless CONN_MAX_AGE keeps it (60 s for PostgreSQL in krs/settings.py), so the timed request opens it.
    """
    if connection.settings_dict.get("CONN_MAX_AGE") == 0:
        connection.close()


def analyze() -> None:
    """PostgreSQL: table statistics, as autovacuum would gather soon after the bulk inserts."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@dataclass
class Measured:
    scenario: str
    request: str
    rows: int
    times: list[float]
    queries: int
    peak: int
    size: int

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:  # nearest rank
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(scenario: str, request: str, rows: int, make: Callable[[], Callable], check: Callable) -> Measured:
    """``make()`` prepares one request (outside the timing) and returns the call that sends it."""
    for _ in range(WARMUP):
        check(make()())
    times = []
    for _ in range(RUNS):
        call = make()
        like_a_server()
        start = time.perf_counter()
        response = call()
        times.append(time.perf_counter() - start)
        check(response)
    call = make()
    like_a_server()
    with CaptureQueriesContext(connection) as captured:
        check(call())
    queries = len(captured)  # now: the next request's start clears the connection's query log
    call = make()
    like_a_server()
    gc.collect()
    tracemalloc.start()
    try:
        response = call()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    check(response)
    result = Measured(scenario, request, rows, times, queries, peak, len(response.content))
    log(f"{scenario} · {request}: median {result.median * 1000:.1f} ms, {result.queries} queries")
    return result


def bench_district(scenario: str, user, round_, entry, rows: int, values: tuple[dict, dict]) -> list[Measured]:
    """GET the district's page and POST the save of ``entry``, alternating between the two ``values``."""
    from reporting.models import Entry

    client = Client()
    client.force_login(user)
    page = reverse("reporting:entry_page", args=[round_.pk])
    save = reverse("reporting:entry_save", args=[entry.pk])

    def check_page(response) -> None:
        assert response.status_code == 200, response.status_code
        shown = response.content.decode().count('data-testid="entry"')
        assert shown == rows, f"{shown} indicators on the page, expected {rows}"

    def check_save(response) -> None:
        assert response.status_code == 200, response.status_code
        assert "X-KRS-Status" not in response, response.content.decode()[:2000]
        assert 'data-testid="saved"' in response.content.decode(), response.content.decode()[:2000]

    flip = [0]

    def make_save():
        flip[0] ^= 1
        data = {"version": Entry.objects.values_list("version", flat=True).get(pk=entry.pk), **values[flip[0]]}
        return lambda: client.post(save, data, **HTMX)

    return [
        measure(scenario, "GET entry page", rows, lambda: lambda: client.get(page), check_page),
        measure(scenario, "POST save (htmx)", rows, make_save, check_save),
    ]


# --- Scenario (a): the demo data --------------------------------------------------------------------


def seed_demo() -> None:
    """What `manage.py seed_demo` loads (each project app's ``demo.seed()``), without its DEBUG guard."""
    from django.apps import apps

    from krs.management.commands.seed_demo import PROJECT_APPS

    for config in apps.get_app_configs():
        if config.name in PROJECT_APPS and importlib.util.find_spec(f"{config.name}.demo") is not None:
            importlib.import_module(f"{config.name}.demo").seed()


def scenario_demo() -> list[Measured]:
    from indicators.models import Round, Variable
    from krs.models import User
    from reporting.models import Entry
    from reporting.services import round_open

    started = time.perf_counter()
    seed_demo()
    now = timezone.now()
    round_ = Round.objects.get(fiscal_year__year=2569, months=12)
    # The demo's rounds are dated in FY 2569; this one is moved to be open now, here only.
    Round.objects.filter(pk=round_.pk).update(
        opens_at=now - timedelta(days=1), deadline=now + timedelta(days=5), certification_deadline=now + timedelta(days=25)
    )
    round_.refresh_from_db()
    opened = round_open(round_=round_)
    analyze()
    user = User.objects.get(username="bkk1")
    entry = Entry.objects.get(office=user.office, round=round_, indicator__framework__code="AGR-2569", indicator__code="11.5")
    a, b = (Variable.objects.get(indicator_id=entry.indicator_id, code=code) for code in "AB")
    rows = Entry.objects.filter(office=user.office, round=round_).count()
    log(f"demo: seeded and opened {round_} ({opened.total} entries, {rows} for bkk1) "
        f"in {time.perf_counter() - started:.1f} s")
    values = ({f"v{a.pk}": "1", f"v{b.pk}": "1"}, {f"v{a.pk}": "0", f"v{b.pk}": "1"})
    return bench_district("demo data", user, round_, entry, rows, values)


# --- Scenario (b): 60 indicators, 245 districts ----------------------------------------------------------


def scenario_sixty() -> list[Measured]:
    from indicators.models import FiscalYear, Framework, Group, Indicator, Round, Threshold, Variable
    from krs import thaicalendar
    from krs.models import Office, Role, User
    from reporting.models import Entry, Value
    from reporting.services import entry_save_values, round_open

    started = time.perf_counter()
    now = timezone.now()
    offices = [
        Office(code=f"1{n:03d}", kind=Office.Kind.PRIMARY, short_name=f"สพป.จังหวัดทดสอบ เขต {n}",
               name_th=f"สำนักงานเขตพื้นที่การศึกษาประถมศึกษาจังหวัดทดสอบ เขต {n}",
               name_en=f"Test Province Primary Educational Service Area Office {n}")
        for n in range(1, DISTRICTS_PRIMARY + 1)
    ] + [
        Office(code=f"2{n:03d}", kind=Office.Kind.SECONDARY, short_name=f"สพม.จังหวัดทดสอบ เขต {n}",
               name_th=f"สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาจังหวัดทดสอบ เขต {n}",
               name_en=f"Test Province Secondary Educational Service Area Office {n}")
        for n in range(1, DISTRICTS_SECONDARY + 1)
    ] + [
        Office(code=f"B{n:02d}", kind=Office.Kind.BUREAU, short_name=f"สำนักทดสอบ {n}", name_th=f"สำนักทดสอบที่ {n}",
               name_en=f"Test Bureau {n}")
        for n in range(1, 6)
    ]
    Office.objects.bulk_create(offices)
    bureaus = list(Office.objects.filter(kind=Office.Kind.BUREAU).order_by("code"))
    district = Office.objects.get(code="1001")
    user = User(username="bench-district", office=district, role=Role.DISTRICT_REPORTER, first_name="ผู้รายงาน",
                last_name="ทดสอบ", email="bench-district@example.go.th")
    user.set_unusable_password()
    user.save()

    year = FiscalYear.objects.create(year=thaicalendar.fiscal_year_of(now))
    first, last = year.bounds
    round_ = Round.objects.create(
        fiscal_year=year, months=6, name="รอบ 6 เดือน (benchmark)", period_end=min(max(now.date(), first), last),
        opens_at=now - timedelta(days=1), deadline=now + timedelta(days=5), certification_deadline=now + timedelta(days=25),
    )
    framework = Framework.objects.create(fiscal_year=year, code="BENCH-60", name="กรอบทดสอบ 60 ตัวชี้วัด",
                                         status=Framework.Status.PUBLISHED, published_at=now)
    thresholds, order = [], 0
    for g in range(1, GROUPS + 1):
        group = Group.objects.create(framework=framework, code=str(g), name=f"มิติทดสอบที่ {g}", level_name="มิติ",
                                     weight=Decimal(100 // GROUPS), order=g)
        for n in range(1, PER_GROUP + 1):
            order += 1
            code = f"{g}.{n}"
            indicator = Indicator.objects.create(
                framework=framework, group=group, code=code, order=order, weight=Decimal(5), owner=bureaus[order % 5],
                name=f"ร้อยละของสถานศึกษาในสังกัดที่ดำเนินการตามมาตรฐานที่กำหนดได้ครบถ้วนและทันเวลา (ตัวชี้วัดทดสอบ {code})",
                method=Indicator.Method.QUANTITATIVE, formula="A / B * 100", unit="ร้อยละ", target=Decimal(90),
            )
            for v, name in enumerate(("จำนวนสถานศึกษาที่ดำเนินการได้ครบถ้วนและทันเวลา", "จำนวนสถานศึกษาทั้งหมดในสังกัด"), 1):
                Variable.objects.create(indicator=indicator, code="AB"[v - 1], name=name, unit="โรง", order=v,
                                        kind=Variable.Kind.INTEGER, minimum=Decimal(0), source=Variable.Source.DISTRICT)
            thresholds += [Threshold(indicator=indicator, level=level, value=Decimal(value))
                           for level, value in enumerate((80, 85, 90, 95, 100), start=1)]
    Threshold.objects.bulk_create(thresholds)
    opened = round_open(round_=round_)

    # Everyone else has typed their values (written directly: only the table sizes matter for them).
    variables = {}
    for variable in Variable.objects.filter(indicator__framework=framework):
        variables.setdefault(variable.indicator_id, []).append(variable)
    others = Entry.objects.filter(round=round_).exclude(office=district).values_list("pk", "indicator_id")
    Value.objects.bulk_create(
        [Value(entry_id=pk, variable=variable, value=Decimal(80 if variable.code == "A" else 100))
         for pk, indicator_id in others for variable in variables[indicator_id]],
        batch_size=2000,
    )
    Entry.objects.filter(round=round_).exclude(office=district).update(status=Entry.Status.AWAITING)

    # The measured district has saved 45 of its 60 indicators through the service, as the page would.
    own = list(Entry.objects.filter(round=round_, office=district).order_by("indicator__order"))
    for n, entry in enumerate(own[:REPORTED]):
        a, b = variables[entry.indicator_id]
        entry_save_values(entry=entry, user=user, raw={f"v{a.pk}": str(70 + n % 31), f"v{b.pk}": "100"},
                          expected_version=0)
    analyze()
    entry = own[0]
    a, b = variables[entry.indicator_id]
    log(f"60 indicators: built {Office.objects.filter(kind__in=[Office.Kind.PRIMARY, Office.Kind.SECONDARY]).count()} "
        f"districts, {opened.total} entries, {Value.objects.count()} values in {time.perf_counter() - started:.1f} s")
    values = ({f"v{a.pk}": "90", f"v{b.pk}": "100"}, {f"v{a.pk}": "91", f"v{b.pk}": "100"})
    return bench_district("60 indicators", user, round_, entry, len(own), values)


# --- Report -------------------------------------------------------------------------------------------


def machine() -> list[tuple[str, str]]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = "?"
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kib = next((int(line.split()[1]) for line in f if line.startswith("MemTotal:")), 0)
            memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError):
        pass
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version} (file)"
    return [
        ("database", database),
        ("CPU", f"{cpu}, {cpus} CPUs (nproc), {memory} RAM"),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("runs", f"{RUNS} timed requests of each kind after {WARMUP} warm-up requests"),
    ]


def report(results: list[Measured], about: list[tuple[str, str]]) -> str:
    lines = [f"- {name}: {value}" for name, value in about]
    lines += [
        "",
        "| scenario | request | indicators on the page | median ms | p95 ms | min ms | SQL queries "
        "| peak memory KiB | response KiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.scenario} | {r.request} | {r.rows} | {r.median * 1000:.1f} | {r.p95 * 1000:.1f} | "
            f"{min(r.times) * 1000:.1f} | {r.queries} | {r.peak / 1024:,.0f} | {r.size / 1024:,.1f} |"
        )
    return "\n".join(lines)


def main() -> int:
    started = time.perf_counter()
    with throwaway_database():
        about = machine()
        results = scenarios_in_turn([scenario_demo, scenario_sixty], lambda scenario: scenario())
    print(report(results, about))
    log(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
