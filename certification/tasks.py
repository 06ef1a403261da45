"""Celery tasks of certification: thin, idempotent."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="certification.tasks.awaiting_digest")
def awaiting_digest() -> int:
    """Once a day: tell each bureau's certifiers how many entries await them (one mail each, not one per entry)."""
    from certification.services import awaiting_digest_send

    return awaiting_digest_send()


@shared_task(name="certification.tasks.deadline_sweep", ignore_result=True)
def deadline_sweep() -> int:
    """Every KRS_SWEEP_SECONDS: open and close rounds, score what was not reported (certification/deadlines.py)."""
    from certification.deadlines import sweep
    from certification.models import SweepRun

    return sweep(trigger=SweepRun.Trigger.BEAT).changed
