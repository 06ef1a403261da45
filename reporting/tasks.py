"""Celery tasks of the Entry's life: thin, idempotent. Task names are kept from where they were first
scheduled, so a running beat and queued messages find them."""

from __future__ import annotations

from celery import shared_task

from reporting.deadlines import sweep
from reporting.models import SweepRun


@shared_task(name="certification.tasks.deadline_sweep", ignore_result=True)
def deadline_sweep() -> int:
    """Every KRS_SWEEP_SECONDS: open and close rounds, score what was not reported (reporting/deadlines.py)."""
    return sweep(trigger=SweepRun.Trigger.BEAT).changed
