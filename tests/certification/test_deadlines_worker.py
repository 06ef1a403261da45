"""A real Celery beat and worker, against Redis and PostgreSQL, close a round whose deadline has passed.

Nothing here calls the sweep: beat schedules it (every KRS_SWEEP_SECONDS, 5 here), the worker runs it
on the test database, and the test only watches the database until the round is closed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from indicators.models import Round
from reporting.models import Entry, SweepRun
from reporting.selectors import central_only_indicators
from tests.conftest import port_open, require
from tests.krs.test_celery_worker import stop
from tests.reporting.factories import open_world

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("KRS_TEST_SWEEP_BROKER", "redis://127.0.0.1:6379/14")


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    full_env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env.update(env)
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "krs", *args], cwd=ROOT, env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_beat_and_a_worker_close_a_round_past_its_deadline(district, other_district, bureau, tmp_path):
    if os.environ.get("KRS_EXPECT_DB") == "sqlite":
        pytest.skip("this pass runs on SQLite on purpose (the worker needs the test database over the network)")
    require(connection.vendor == "postgresql", "this test needs DATABASE_URL=postgres://…")
    require(port_open("127.0.0.1", 6379), "Redis is not reachable at 127.0.0.1:6379")
    world = open_world(bureau=bureau, opens=timedelta(days=-10), closes=timedelta(minutes=-1))
    # Entries whose inputs are all central wait for the bureau's window, not the district's deadline.
    central_only = central_only_indicators(world.round.pk)
    total = Entry.objects.filter(round=world.round).exclude(indicator__in=central_only).count()
    waiting = Entry.objects.filter(round=world.round, indicator__in=central_only).count()
    assert total and waiting and not Entry.objects.filter(status=Entry.Status.SYSTEM_UNREPORTED).exists()

    Celery(broker=BROKER).control.purge()  # no task left over from an earlier run
    env = {
        "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": BROKER, "CELERY_RESULT_BACKEND": "",
        "KRS_VAR_DIR": str(tmp_path), "KRS_SWEEP_SECONDS": "5",
    }
    worker = _start(["worker", "--pool=solo", "--concurrency=1", "--without-heartbeat", "--without-gossip",
                     "--without-mingle", "--hostname=sweep-test@%h", "--loglevel=INFO"], env)
    beat = _start(["beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")], env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and Round.objects.get(pk=world.round.pk).closed_at is None:
            time.sleep(1)
    finally:
        beat_output, worker_output = stop(beat), stop(worker)

    assert Round.objects.get(pk=world.round.pk).closed_at is not None, worker_output + beat_output
    assert Entry.objects.filter(round=world.round, status=Entry.Status.SYSTEM_UNREPORTED).count() == total
    assert Entry.objects.filter(round=world.round, indicator__in=central_only,
                                status=Entry.Status.NOT_REPORTED).count() == waiting
    run = SweepRun.objects.filter(changed__gt=0).get()
    assert run.trigger == SweepRun.Trigger.BEAT and run.outcome == SweepRun.Outcome.DONE
    assert "certification.tasks.deadline_sweep" in beat_output
    assert "Traceback" not in worker_output, worker_output
