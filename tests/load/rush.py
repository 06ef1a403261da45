"""The deadline rush: every district saves at once while bureaus certify, on the production setup.

``make bench-rush`` (or ``.venv/bin/python -m tests.load.rush``) runs the full form and prints
Markdown for docs/benchmarks.md; tests/load/test_rush.py runs a short form in ``make test``.

1. Seed: ``districts`` district offices with one reporter each, ``bureaus`` bureaus with one
   certifier each, a round open now with a framework of ``indicators`` quantitative indicators
   (A / B × 100, two district variables) owned by the bureaus in turn, opened for every district.
2. Serve: ``collectstatic``, then gunicorn (``--workers 4 --threads 2``, as docs/operations.md says
   for this machine), a Celery worker and beat, all with DEBUG=false, JSON logs and Redis as broker,
   and wait until /health/ says the database, Redis and the worker (its heartbeat) are all fine.
3. Rush: Locust (tests/load/locustfile.py), headless, every user at once.
4. Check the database against what every client was told (``verify``): every acknowledged save is
   there, once, with its values and its audit rows; nothing is there that nobody was told; every
   acknowledged certification is one status event; and the server logged no error.

Needs PostgreSQL and Redis (``KRS_LOAD_BROKER``, default ``redis://127.0.0.1:6379/13``).
"""

from __future__ import annotations

import json
import math
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "krs-load-2569"  # noqa: S105 (throwaway accounts in a throwaway database)
BROKER = os.environ.get("KRS_LOAD_BROKER", "redis://127.0.0.1:6379/13")
KINDS = ["login page", "login", "entry page", "save (htmx)", "queue", "certify"]


# --- 1. Seed --------------------------------------------------------------------------------------------


@dataclass
class Seeded:
    round_id: int
    districts: list[str]
    bureaus: list[str]
    entries: int


def seed(*, districts: int, bureaus: int, indicators: int, second_reporters: int = 0) -> Seeded:
    """The offices, accounts, framework and open round of the rush (bulk inserts; a few seconds for 245).

    The first ``second_reporters`` districts have two reporters who save the same entries at the same
    time: the optimistic lock (the entry's version) must turn one of two racing saves into a conflict.
    """
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.utils import timezone

    from indicators.models import FiscalYear, Framework, Group, Indicator, Round, Threshold, Variable
    from krs import thaicalendar
    from krs.models import Office, Role, User
    from reporting.services import round_open

    now = timezone.now()
    offices = [Office(code=f"L{n:03d}", kind=Office.Kind.PRIMARY if n % 4 else Office.Kind.SECONDARY,
                      short_name=f"สพท.ทดสอบ {n}", name_th=f"สำนักงานเขตพื้นที่การศึกษาทดสอบ เขต {n}",
                      name_en=f"Load Test Educational Service Area Office {n}") for n in range(1, districts + 1)]
    offices += [Office(code=f"LB{n:02d}", kind=Office.Kind.BUREAU, short_name=f"สำนักทดสอบ {n}",
                       name_th=f"สำนักทดสอบที่ {n}", name_en=f"Load Test Bureau {n}") for n in range(1, bureaus + 1)]
    Office.objects.bulk_create(offices)
    # One hash for every account: hashing 260 passwords one by one would take a minute for nothing. The
    # production hasher, whatever this process uses (the tests' is MD5, which the servers do not accept).
    hasher = PBKDF2PasswordHasher()
    hashed = hasher.encode(PASSWORD, hasher.salt())
    users = [User(username=f"load-{o.code.lower()}", office=o, first_name="ผู้ใช้", last_name=o.code, password=hashed,
                  role=Role.BUREAU_CERTIFIER if o.kind == Office.Kind.BUREAU else Role.DISTRICT_REPORTER,
                  email=f"load-{o.code.lower()}@example.go.th")
             for o in Office.objects.filter(code__startswith="L").order_by("code")]
    users += [User(username=f"load-{o.code.lower()}-b", office=o, first_name="ผู้ใช้คนที่สอง", last_name=o.code,
                   password=hashed, role=Role.DISTRICT_REPORTER, email=f"load-{o.code.lower()}-b@example.go.th")
              for o in Office.objects.filter(code__startswith="L").exclude(kind=Office.Kind.BUREAU)
              .order_by("code")[:second_reporters]]
    User.objects.bulk_create(users)
    owners = list(Office.objects.filter(code__startswith="LB").order_by("code"))

    year, _ = FiscalYear.objects.get_or_create(year=thaicalendar.fiscal_year_of(now))
    first, last = year.bounds
    round_ = Round.objects.create(
        fiscal_year=year, months=6, name="รอบทดสอบภาระ (load test)", period_end=min(max(now.date(), first), last),
        opens_at=now - timedelta(days=1), deadline=now + timedelta(hours=2), certification_deadline=now + timedelta(days=20),
    )
    framework = Framework.objects.create(fiscal_year=year, code="LOAD", name="กรอบทดสอบภาระ",
                                         status=Framework.Status.PUBLISHED, published_at=now)
    group = Group.objects.create(framework=framework, code="1", name="มิติทดสอบ", level_name="มิติ", weight=Decimal(100))
    thresholds = []
    for n in range(1, indicators + 1):
        indicator = Indicator.objects.create(
            framework=framework, group=group, code=f"1.{n}", order=n, weight=Decimal(1), owner=owners[(n - 1) % len(owners)],
            name=f"ร้อยละของสถานศึกษาที่ดำเนินการครบถ้วน (ตัวชี้วัดทดสอบ 1.{n})",
            method=Indicator.Method.QUANTITATIVE, formula="A / B * 100", unit="ร้อยละ", target=Decimal(90),
        )
        for order, code in enumerate("AB", 1):
            Variable.objects.create(indicator=indicator, code=code, name=f"ตัวแปร {code}", unit="โรง", order=order,
                                    kind=Variable.Kind.INTEGER, minimum=Decimal(0), source=Variable.Source.DISTRICT)
        thresholds += [Threshold(indicator=indicator, level=level, value=Decimal(value))
                       for level, value in enumerate((60, 70, 80, 90, 100), start=1)]
    Threshold.objects.bulk_create(thresholds)
    opened = round_open(round_=round_)
    return Seeded(round_id=round_.pk, entries=opened.total,
                  districts=[u.username for u in users if u.role == Role.DISTRICT_REPORTER],
                  bureaus=[u.username for u in users if u.role == Role.BUREAU_CERTIFIER])


# --- 2. Serve -------------------------------------------------------------------------------------------


def database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Servers:
    """gunicorn, a Celery worker and beat on this machine, as production runs them; stopped on exit."""

    def __init__(self, *, workdir: Path, port: int, gunicorn_workers: int = 4, threads: int = 2):
        self.workdir, self.port = workdir, port
        self.gunicorn_workers, self.threads = gunicorn_workers, threads
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")}
        self.env.update({
            "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url(), "CELERY_BROKER_URL": BROKER, "CELERY_RESULT_BACKEND": "",
            "KRS_VAR_DIR": str(workdir / "var"), "KRS_LOG_FORMAT": "json", "KRS_SWEEP_SECONDS": "10",
            "BEHIND_TLS_PROXY": "true", "SECURE_SSL_REDIRECT": "true",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        })

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _start(self, name: str, args: list[str]) -> None:
        log = open(self.workdir / f"{name}.log", "w", encoding="utf-8")
        self.processes.append((name, subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                                      start_new_session=True)))

    def __enter__(self) -> Servers:
        from celery import Celery

        (self.workdir / "var").mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=self.env, check=True)
        Celery(broker=BROKER).control.purge()  # nothing left from an earlier run
        self._start("gunicorn", [sys.executable, "-m", "gunicorn", "krs.wsgi", "--workers", str(self.gunicorn_workers),
                                 "--threads", str(self.threads), "--bind", f"127.0.0.1:{self.port}", "--timeout", "60"])
        self._start("worker", [sys.executable, "-m", "celery", "-A", "krs", "worker", "--concurrency=1", "--loglevel=INFO",
                               "--hostname=load@%h", "--without-gossip", "--without-mingle"])
        self._start("beat", [sys.executable, "-m", "celery", "-A", "krs", "beat", "--loglevel=INFO",
                             "-s", str(self.workdir / "beat-schedule")])
        try:
            self.wait_healthy()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def wait_healthy(self, timeout: float = 120) -> dict:
        """/health/ answers 200: the database, Redis and a heartbeat the worker wrote after beat sent it."""
        deadline, last = time.monotonic() + timeout, "no answer"
        while time.monotonic() < deadline:
            for name, process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited ({process.returncode}): {self.log(name)[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/health/", timeout=5) as answer:
                    return json.loads(answer.read())
            except urllib.error.HTTPError as exc:  # 503 while the heartbeat is missing
                last = exc.read().decode()[:500]
            except OSError as exc:  # refused while gunicorn starts
                last = str(exc)
            time.sleep(1)
        raise RuntimeError(f"/health/ not ok after {timeout:.0f} s: {last}")

    def mark(self) -> None:
        """From now on, ``log(..., since_mark=True)`` reads only what is written after this point."""
        self.marks = {name: (self.workdir / f"{name}.log").stat().st_size for name, _ in self.processes}

    def log(self, name: str, *, since_mark: bool = False) -> str:
        path = self.workdir / f"{name}.log"
        if not path.exists():
            return ""
        with open(path, "rb") as f:
            f.seek(getattr(self, "marks", {}).get(name, 0) if since_mark else 0)
            return f.read().decode("utf-8", errors="replace")

    def __exit__(self, *exc) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# --- 3. Rush --------------------------------------------------------------------------------------------


@dataclass
class Stat:
    name: str
    requests: int
    failures: int
    per_second: float
    p50: float
    p95: float
    p99: float
    max: float


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least ``fraction`` of them at or below it."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summarize(name: str, rows: list[list], window: float) -> Stat:
    """(start time, milliseconds, failed) rows of one kind of request → its count, rate over the run, percentiles."""
    ordered = sorted(ms for _start, ms, _failed in rows)
    return Stat(name, len(rows), sum(1 for *_, failed in rows if failed), len(rows) / max(window, 1e-3),
                percentile(ordered, 0.50), percentile(ordered, 0.95), percentile(ordered, 0.99), ordered[-1])


@dataclass
class Run:
    stats: list[Stat]  # the whole run, per kind of request
    steady: list[Stat]  # only requests sent after the last login finished: the rush with everyone in
    told: list[dict]  # what the clients were told (locustfile.record)
    output: str  # Locust's own summary, with its error report

    @property
    def errors(self) -> list[str]:
        """Locust's error report: each distinct failure with its count."""
        if "Error report" not in self.output:
            return []
        lines = self.output.split("Error report", 1)[1].splitlines()
        return [line.strip() for line in lines if line.strip() and line.strip()[0].isdigit()]


def tables(timings: dict[str, list[list]]) -> tuple[list[Stat], list[Stat]]:
    """Stats per kind (and "Aggregated") over the whole run, and over the part after every login finished."""
    def table(rows_by_name):
        every = [row for rows in rows_by_name.values() for row in rows]
        if not every:
            return []
        # The run: from the first request sent to the last answer received.
        window = max(start + ms / 1000 for start, ms, _ in every) - min(start for start, _ms, _ in every)
        return [*(summarize(name, rows, window) for name, rows in rows_by_name.items() if rows),
                summarize("Aggregated", every, window)]

    logins = timings.get("login", [])
    everyone_in = max((start + ms / 1000 for start, ms, _ in logins), default=0)
    after = {name: [row for row in rows if row[0] >= everyone_in] for name, rows in timings.items()}
    return table(timings), table(after)


def rush(*, servers: Servers, seeded: Seeded, seconds: int, spawn_rate: int) -> Run:
    """Locust against the servers, every user started at once; what it measured and what clients were told."""
    work = servers.workdir
    accounts = work / "accounts.json"
    accounts.write_text(json.dumps({"districts": [{"username": u} for u in seeded.districts],
                                    "bureaus": [{"username": u} for u in seeded.bureaus], "password": PASSWORD}))
    records = work / "records.jsonl"
    env = {**os.environ, "KRS_LOAD_ACCOUNTS": str(accounts), "KRS_LOAD_RECORDS": str(records),
           "KRS_LOAD_BUREAUS": str(len(seeded.bureaus))}
    users = len(seeded.districts) + len(seeded.bureaus)
    servers.mark()  # the 503s of /health/ while the worker starts are not the rush's
    result = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "tests" / "load" / "locustfile.py"), "--headless",
         "--host", servers.url, "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s", "--stop-timeout", "30",
         "--only-summary", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + 180,
    )
    timings_file = Path(f"{records}.timings.json")
    timings = json.loads(timings_file.read_text(encoding="utf-8")) if timings_file.exists() else {}
    told = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()] if records.exists() else []
    whole, steady = tables(timings)
    return Run(whole, steady, told, result.stdout + result.stderr)


# --- 4. Check -------------------------------------------------------------------------------------------


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    saves: int = 0
    conflicts: int = 0
    refused: int = 0
    certified: int = 0
    certify_refused: int = 0
    entries_saved: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(told: list[dict], round_id: int, server_log: str) -> Verdict:
    """The database holds exactly what the clients were told: no lost, no doubled value; the audit matches."""
    from indicators.numbers import format_value
    from reporting.models import Entry, StatusEvent, Value, ValueChange

    verdict = Verdict()
    saves: dict[int, list[dict]] = defaultdict(list)
    certified: dict[int, int] = defaultdict(int)
    for item in told:
        if item["kind"] == "save":
            saves[item["entry"]].append(item)
        elif item["kind"] == "conflict":
            verdict.conflicts += 1
        elif item["kind"] == "refused":
            verdict.refused += 1
        elif item["kind"] == "certify":
            if item["ok"]:
                certified[item["entry"]] += 1
            else:
                verdict.certify_refused += 1
    verdict.saves = sum(len(v) for v in saves.values())
    verdict.entries_saved = len(saves)
    verdict.certified = sum(certified.values())
    problems = verdict.problems

    entries = {e.pk: e for e in Entry.objects.filter(round_id=round_id).select_related("indicator")}
    values = defaultdict(dict)
    for v in Value.objects.filter(entry__round_id=round_id).select_related("variable"):
        values[v.entry_id][f"v{v.variable_id}"] = v.value
    changes = defaultdict(list)
    for c in ValueChange.objects.filter(entry__round_id=round_id).select_related("changed_by"):
        changes[c.entry_id].append(c)
    events = defaultdict(list)
    for e in StatusEvent.objects.filter(entry__round_id=round_id, to_status=Entry.Status.CERTIFIED):
        events[e.entry_id].append(e)

    for pk, entry in entries.items():
        acked = sorted(saves.get(pk, []), key=lambda s: s["version"])
        # Two reporters of one district may send the same values: the second save changes nothing, keeps
        # the version and is (rightly) told "saved". So one version may be acknowledged more than once,
        # but only with the same values; different values under one version would be a lost update.
        by_ack: dict[int, list[dict]] = defaultdict(list)
        for save in acked:
            by_ack[save["version"]].append(save)
        versions = sorted(by_ack)
        if versions != list(range(1, len(versions) + 1)):
            problems.append(f"entry {pk}: acknowledged versions {versions} are not 1..n")
        for version, same in by_ack.items():
            if any(save["values"] != same[0]["values"] for save in same):
                problems.append(f"entry {pk} v{version}: told saved with different values {[s['values'] for s in same]}")
        if entry.version != len(versions):
            problems.append(f"entry {pk}: version {entry.version} in the database, {len(versions)} acknowledged")
        expected = {name: Decimal(text) for name, text in acked[-1]["values"].items()} if acked else {}
        if values.get(pk, {}) != expected:
            problems.append(f"entry {pk}: database holds {values.get(pk, {})}, the last acknowledged save sent {expected}")
        by_version = defaultdict(list)
        for change in changes.get(pk, []):
            by_version[change.version].append(change)
        if sorted(by_version) != versions:
            problems.append(f"entry {pk}: audit versions {sorted(by_version)} ≠ acknowledged {versions}")
        codes = {f"v{v.pk}": v.code for v in entry.indicator.variables.all()}
        for version, same in by_ack.items():
            audited = {c.field: c.new_value for c in by_version.get(version, [])}
            users = {c.changed_by.username for c in by_version.get(version, [])}
            for name, text in same[0]["values"].items():
                if codes[name] in audited and audited[codes[name]] != format_value(Decimal(text)):
                    problems.append(f"entry {pk} v{version}: audit says {codes[name]}={audited[codes[name]]}, sent {text}")
            if not audited or len(users) != 1 or not users <= {save["user"] for save in same}:
                problems.append(f"entry {pk} v{version}: audit rows {audited} by {users}, "
                                f"saved by {[save['user'] for save in same]}")
        n_events, n_told = len(events.get(pk, [])), certified.get(pk, 0)
        if n_events != n_told or (entry.status == Entry.Status.CERTIFIED) != (n_told == 1):
            problems.append(f"entry {pk}: {n_events} certification events, status {entry.status}, {n_told} acknowledged")
    unknown = (set(saves) | set(certified)) - set(entries)
    if unknown:
        problems.append(f"acknowledged entries not in the round: {sorted(unknown)[:10]}")
    # Django's lines are JSON; gunicorn's own ("[CRITICAL] WORKER TIMEOUT", a killed worker) are text.
    errors = [line for line in server_log.splitlines()
              if '"level": "ERROR"' in line or '"level": "CRITICAL"' in line or "Traceback" in line
              or "[CRITICAL]" in line or "[ERROR]" in line]
    if errors:
        problems.append(f"{len(errors)} error lines in the server log, first: {errors[0][:500]}")
    server_errors = [line for line in server_log.splitlines() if '"logger": "krs.request"' in line and '"status": 5' in line]
    if server_errors:
        problems.append(f"{len(server_errors)} responses 5xx, first: {server_errors[0][:300]}")
    return verdict


# --- The full form, for docs/benchmarks.md ---------------------------------------------------------------


def table(stats: list[Stat]) -> list[str]:
    lines = ["| request | requests | failures | requests/s | p50 ms | p95 ms | p99 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    order = {name: n for n, name in enumerate([*KINDS, "Aggregated"])}
    for s in sorted(stats, key=lambda s: order.get(s.name, 99)):
        name = "all requests" if s.name == "Aggregated" else s.name
        lines.append(f"| {name} | {s.requests:,} | {s.failures} | {s.per_second:.1f} | {s.p50:.0f} | {s.p95:.0f} | "
                     f"{s.p99:.0f} | {s.max:.0f} |")
    return lines


SERVER_KINDS = [  # (kind, method, path pattern) of the JSON request log, as the clients name them
    ("login page", "GET", r"^/accounts/login/$"), ("login", "POST", r"^/accounts/login/$"), ("home", "GET", r"^/$"),
    ("entry page (redirect)", "GET", r"^/reporting/$"), ("entry page", "GET", r"^/reporting/rounds/\d+/$"),
    ("save (htmx)", "POST", r"^/reporting/entries/\d+/save/$"),
    ("queue", "GET", r"^/certification/$"), ("certify", "POST", r"^/certification/entries/\d+/certify/$"),
    ("review page", "GET", r"^/certification/entries/\d+/$"),
]


def server_times(log: str) -> list[str]:
    """Per kind of request, the time gunicorn spent on it (the krs.request lines): work without the queueing."""
    import re

    found: dict[str, list[float]] = defaultdict(list)
    for line in log.splitlines():
        if not line.startswith("{") or '"krs.request"' not in line:
            continue
        entry = json.loads(line)
        for kind, method, pattern in SERVER_KINDS:
            if entry["method"] == method and re.match(pattern, entry["path"]):
                found[kind].append(entry["duration_ms"])
    lines = ["| request (server side) | requests | p50 ms | p95 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|---:|"]
    for kind, _method, _pattern in SERVER_KINDS:
        if found[kind]:
            ordered = sorted(found[kind])
            lines.append(f"| {kind} | {len(ordered):,} | {percentile(ordered, .5):.0f} | {percentile(ordered, .95):.0f} | "
                         f"{percentile(ordered, .99):.0f} | {ordered[-1]:.0f} |")
    return lines


def report(run: Run, verdict: Verdict, about: list[tuple[str, str]], server_log: str = "") -> str:
    lines = [f"- {name}: {value}" for name, value in about]
    lines += ["", "The whole run:", "", *table(run.stats)]
    if run.steady:
        lines += ["", "After the last login finished (everyone in, saving and certifying):", "", *table(run.steady)]
    if server_log:
        lines += ["", "The same requests as gunicorn timed them (from the request's arrival at Django to its answer: no "
                  "waiting for a thread):", "", *server_times(server_log)]
    if run.errors:
        lines += ["", "Failed requests (Locust's error report: count, request, reason):", "",
                  *(f"- `{error}`" for error in run.errors)]
    lines += ["", f"Acknowledged: {verdict.saves:,} saves of {verdict.entries_saved:,} entries, {verdict.conflicts} "
              f"version conflicts, {verdict.refused} saves refused (certified meanwhile), {verdict.certified:,} "
              f"certifications, {verdict.certify_refused} certifications refused. Database check: "
              + ("every acknowledged save and certification is there exactly once, with its audit rows; nothing else."
                 if verdict.ok else "FAILED: " + "; ".join(verdict.problems[:5]))]
    return "\n".join(lines)


def main() -> int:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=245)
    parser.add_argument("--bureaus", type=int, default=15)
    parser.add_argument("--indicators", type=int, default=15)
    parser.add_argument("--second-reporters", type=int, default=25, help="districts with two reporters saving at once")
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--spawn-rate", type=int, default=5,
                        help="users started per second: each logs in at once (a password hash, ~0.2 s of a core)")
    parser.add_argument("--workdir", help="keep the servers' logs and Locust's records here (default: a temporary folder)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("KRS_LOAD_PORT", "8140")))
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "krs.settings")
    import django

    django.setup()
    from django.db import connection

    from bench.entry_page import machine, throwaway_database

    if connection.vendor != "postgresql":
        print("[rush] skipped: the rush needs PostgreSQL, DATABASE_URL=postgres://… (it makes a throwaway "
              "database bench_<name> there) and Redis", file=sys.stderr)
        return 0
    with throwaway_database(), tempfile.TemporaryDirectory(prefix="krs-rush-") as tmp:
        if args.workdir:
            tmp = args.workdir
            Path(tmp).mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        seeded = seed(districts=args.districts, bureaus=args.bureaus, indicators=args.indicators,
                      second_reporters=args.second_reporters)
        print(f"[rush] seeded {args.districts} districts ({len(seeded.districts)} reporters), {len(seeded.bureaus)} bureaus, "
              f"{seeded.entries} entries in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        connection.close()  # the servers and Locust get the machine; this process only reads at the end
        with Servers(workdir=Path(tmp), port=args.port) as servers:
            print(f"[rush] servers healthy at {servers.url}; rushing for {args.seconds} s", file=sys.stderr)
            run = rush(servers=servers, seeded=seeded, seconds=args.seconds, spawn_rate=args.spawn_rate)
        verdict = verify(run.told, seeded.round_id,
                         servers.log("gunicorn", since_mark=True) + servers.log("worker", since_mark=True))
        about = [*machine()[:4], ("setup", f"gunicorn --workers {servers.gunicorn_workers} --threads {servers.threads}, "
                                           f"one Celery worker and beat on Redis, DEBUG=false, JSON logs, all on this machine"),
                 ("load", f"{args.districts} districts: {len(seeded.districts)} reporters ({args.second_reporters} districts "
                          f"with two, saving the same entries at once), {len(seeded.bureaus)} bureau certifiers "
                          f"(Locust, {args.spawn_rate} users started per second), {args.seconds} s; "
                          f"{args.indicators} indicators, {seeded.entries:,} entries")]
        print(report(run, verdict, about, servers.log("gunicorn", since_mark=True)))
        if not verdict.ok or run.errors:
            print(run.output[-3000:], file=sys.stderr)
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
