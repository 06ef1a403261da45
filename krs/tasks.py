"""Celery tasks of the core: thin wrappers, idempotent."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="krs.tasks.heartbeat")
def heartbeat() -> str:
    """Record that the scheduler fired and a worker ran it (an upsert, safe to run twice)."""
    from krs.models import Heartbeat

    now = timezone.now()
    Heartbeat.objects.update_or_create(name="beat", defaults={"at": now})
    return now.isoformat()


@shared_task(name="krs.tasks.ping")
def ping(token: str) -> str:
    """Echo a token back: lets a test or an operator see that a worker consumes tasks."""
    return f"pong:{token}"
