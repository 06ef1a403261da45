"""Celery tasks of the bureau's desk: thin, idempotent."""

from __future__ import annotations

from celery import shared_task

from certification.services import awaiting_digest_send


@shared_task(name="certification.tasks.awaiting_digest")
def awaiting_digest() -> int:
    """Once a day: tell each bureau's certifiers how many entries await them (one mail each, not one per entry)."""
    return awaiting_digest_send()
