"""The deadline rush in short (20 districts, 4 of them with two reporters, 3 bureaus, 15 s): nothing a client
was told is lost or doubled.

The full form (245 districts) is ``make bench-rush``; docs/benchmarks.md has its numbers. This one runs in
``make test`` on the PostgreSQL pass, with the same gunicorn + Celery worker + beat + Redis setup.
"""

from __future__ import annotations

import importlib.util
import os
import socket

import pytest
from django.db import connection

from tests.conftest import port_open, require

pytestmark = [pytest.mark.load, pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery_worker,
              pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_short_rush_keeps_exactly_what_every_client_was_told(tmp_path):
    if os.environ.get("KRS_EXPECT_DB") == "sqlite":
        pytest.skip("this pass runs on SQLite on purpose (the servers need the test database over the network)")
    require(connection.vendor == "postgresql", "the rush needs DATABASE_URL=postgres://…")
    require(port_open("127.0.0.1", 6379), "Redis is not reachable at 127.0.0.1:6379")
    require(all(importlib.util.find_spec(name) for name in ("gunicorn", "locust")), "gunicorn and locust are installed")
    from tests.load.rush import KINDS, Servers, rush, seed, verify

    seeded = seed(districts=20, bureaus=3, indicators=6, second_reporters=4)
    with Servers(workdir=tmp_path, port=free_port(), gunicorn_workers=2) as servers:
        run = rush(servers=servers, seeded=seeded, seconds=15, spawn_rate=25)
    server_log = servers.log("gunicorn", since_mark=True) + servers.log("worker", since_mark=True)
    verdict = verify(run.told, seeded.round_id, server_log)

    assert verdict.ok, "\n".join(verdict.problems[:20]) + "\n" + run.output[-2000:]
    by_kind = {s.name: s for s in run.stats}
    assert set(KINDS) <= set(by_kind), run.output[-2000:]
    assert all(s.failures == 0 for s in run.stats) and not run.errors, run.output[-3000:]
    assert by_kind["login"].requests == 27  # every user logged in once
    assert verdict.saves >= 20 and verdict.certified >= 1
    assert '"logger": "krs.request"' in server_log  # the web process logged JSON lines with request ids


def test_the_check_catches_a_lost_a_doubled_and_an_unaudited_save(district, bureau):
    """verify() itself: a database that disagrees with what clients were told is reported, each way."""
    from tests.load.rush import verify
    from tests.reporting.factories import open_world

    world = open_world(bureau=bureau)
    entry = world.entry(district, world.quantitative)
    a, b = (f"v{world.quantitative.variables.get(code=code).pk}" for code in "AB")
    told = [{"kind": "save", "user": "x", "entry": entry.pk, "version": 1, "values": {a: "90", b: "100"}}]
    problems = verify(told, world.round.pk, "").problems  # told "saved", but nothing is in the database
    assert any("version 0 in the database" in p for p in problems) and any("audit versions" in p for p in problems)
    lost = {**told[0], "user": "y", "values": {a: "91", b: "100"}}  # two different saves both told version 1
    assert any("told saved with different values" in p for p in verify(told + [lost], world.round.pk, "").problems)
    skipped = {**told[0], "version": 2}  # version 2 told, version 1 never
    assert any("not 1..n" in p for p in verify([skipped], world.round.pk, "").problems)
    assert verify([], world.round.pk, "").ok
    assert not verify([], world.round.pk, '{"logger": "krs.request", "status": 500}').ok


def test_the_tables_split_the_run_at_the_last_login():
    from tests.load.rush import tables

    timings = {  # (started, milliseconds, failed)
        "login": [[100.0, 2000, False], [100.5, 4000, False]],  # everyone is in at 104.5
        "save (htmx)": [[103.0, 100, False], [105.0, 100, False], [106.0, 300, True]],
    }
    whole, steady = tables(timings)
    by_kind = {s.name: s for s in whole}
    assert by_kind["save (htmx)"].requests == 3 and by_kind["save (htmx)"].failures == 1
    assert by_kind["Aggregated"].requests == 5 and by_kind["Aggregated"].per_second == pytest.approx(5 / 6.3)
    assert by_kind["login"].p50 == 2000 and by_kind["login"].p99 == 4000  # nearest rank
    after = {s.name: s for s in steady}
    assert set(after) == {"save (htmx)", "Aggregated"} and after["save (htmx)"].requests == 2


def test_a_killed_gunicorn_worker_fails_the_check(district, bureau):
    from tests.load.rush import verify
    from tests.reporting.factories import open_world

    world = open_world(bureau=bureau)
    log = "[2026-11-22 06:15:01 +0700] [4242] [CRITICAL] WORKER TIMEOUT (pid:4250)"
    assert not verify([], world.round.pk, log).ok


def test_the_check_accepts_a_second_reporter_saving_the_same_values(district, bureau, district_user):
    """The second save of identical values changes nothing and keeps the version: told "saved", rightly."""
    from reporting.services import entry_save_values
    from tests.load.rush import verify
    from tests.reporting.factories import open_world

    world = open_world(bureau=bureau)
    entry = world.entry(district, world.quantitative)
    a, b = (f"v{world.quantitative.variables.get(code=code).pk}" for code in "AB")
    first = entry_save_values(entry=entry, user=district_user, raw={a: "90", b: "100"}, expected_version=0)
    again = entry_save_values(entry=entry, user=district_user, raw={a: "90", b: "100"}, expected_version=1)
    assert first.entry.version == again.entry.version == 1
    told = [{"kind": "save", "user": district_user.username, "entry": entry.pk, "version": 1, "values": {a: "90", b: "100"}},
            {"kind": "save", "user": "second-reporter", "entry": entry.pk, "version": 1, "values": {a: "90", b: "100"}}]
    assert verify(told, world.round.pk, "").problems == []


def test_server_times_come_from_the_json_request_log():
    from tests.load.rush import server_times

    log = "\n".join([
        '{"logger": "krs.request", "method": "POST", "path": "/reporting/entries/7/save/", "status": 200, "duration_ms": 40.0}',
        '{"logger": "krs.request", "method": "POST", "path": "/reporting/entries/8/save/", "status": 200, "duration_ms": 60.0}',
        '{"logger": "django.request", "message": "Not Found"}',
        "[2026-11-22 06:18:00 +0700] [9684] [INFO] Starting gunicorn",
    ])
    assert "| save (htmx) | 2 | 40 | 60 | 60 | 60 |" in server_times(log)
