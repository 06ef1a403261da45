"""Two deadline sweeps at the same moment, on PostgreSQL, in two threads with their own connections.

Both really run: one takes the lease and does the work, the other records a skipped run. Below the
lease, two workers closing the same round at once are kept apart by the round's row lock: every
entry is scored once, with one event each.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections

from indicators.models import Round
from reporting import deadlines
from reporting.models import Entry, StatusEvent, SweepRun
from tests.conftest import require
from tests.reporting.factories import open_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _postgres_only():
    if os.environ.get("KRS_EXPECT_DB") == "sqlite":
        pytest.skip("this pass runs on SQLite on purpose")
    require(connection.vendor == "postgresql", "this test needs DATABASE_URL=postgres://…")


def _at_once(target, *args_list):
    start = threading.Barrier(len(args_list))
    results: list = [None] * len(args_list)
    errors: list[BaseException] = []

    def run(index, args):
        try:
            start.wait()
            results[index] = target(*args)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, args)) for i, args in enumerate(args_list)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def _closed_world(district, other_district, bureau):
    world = open_world(bureau=bureau, opens=timedelta(days=-10), closes=timedelta(days=-1))
    deadlines.open_rounds(world.round.opens_at)  # opened (its entries exist), not yet closed
    return world


def test_two_sweeps_at_once_one_does_the_work(district, other_district, bureau, monkeypatch):
    _postgres_only()
    world = _closed_world(district, other_district, bureau)
    # The central-only indicator (1.2) waits for the bureau's window, still open.
    total = Entry.objects.filter(round=world.round).exclude(indicator=world.central).count()
    now = world.round.deadline + timedelta(minutes=1)
    # The lease holder takes a moment before its first step, so the two sweeps surely overlap.
    slow_open = deadlines.open_rounds

    def open_slowly(at):
        time.sleep(0.5)
        return slow_open(at)

    monkeypatch.setattr(deadlines, "STEPS", (("open", open_slowly), *deadlines.STEPS[1:]))

    runs = _at_once(lambda: deadlines.sweep(now=now), (), ())
    assert sorted(run.outcome for run in runs) == [SweepRun.Outcome.DONE, SweepRun.Outcome.SKIPPED]
    done = next(run for run in runs if run.outcome == SweepRun.Outcome.DONE)
    assert {"step": "close", "round_id": world.round.pk, "round": world.round.label, "count": total} in done.steps
    assert Entry.objects.filter(round=world.round, status=Entry.Status.SYSTEM_UNREPORTED).count() == total
    assert StatusEvent.objects.filter(to_status=Entry.Status.SYSTEM_UNREPORTED).count() == total


def test_two_workers_closing_the_same_round_score_each_entry_once(district, other_district, bureau):
    """Below the lease: the round's row lock and the ``closed_at`` marker keep two close steps apart."""
    _postgres_only()
    world = _closed_world(district, other_district, bureau)
    total = Entry.objects.filter(round=world.round).exclude(indicator=world.central).count()
    now = world.round.deadline + timedelta(minutes=1)

    results = _at_once(deadlines.close_rounds, (now,), (now + timedelta(microseconds=1),))
    counts = sorted(sum(change.count for change in changes) for changes in results)
    assert counts == [0, total]
    assert StatusEvent.objects.filter(to_status=Entry.Status.SYSTEM_UNREPORTED).count() == total
    assert Round.objects.get(pk=world.round.pk).closed_at is not None


def test_two_workers_closing_the_bureaus_window_score_each_central_entry_once(district, other_district, bureau):
    """The central step too: the round's row lock and ``central_closed_at`` keep two workers apart."""
    _postgres_only()
    world = _closed_world(district, other_district, bureau)
    Round.objects.filter(pk=world.round.pk).update(central_deadline=world.round.deadline)
    total = Entry.objects.filter(round=world.round, indicator=world.central).count()
    now = world.round.deadline + timedelta(minutes=1)

    results = _at_once(deadlines.close_central, (now,), (now + timedelta(microseconds=1),))
    counts = sorted(sum(change.count for change in changes) for changes in results)
    assert counts == [0, total] and total == 2
    assert StatusEvent.objects.filter(to_status=Entry.Status.SYSTEM_NO_CENTRAL).count() == total
    assert Round.objects.get(pk=world.round.pk).central_closed_at is not None
