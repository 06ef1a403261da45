"""The Celery application and, in one place, every periodic schedule."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "krs.settings")

app = Celery("krs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from krs.logs import connect_celery_signals  # noqa: E402

connect_celery_signals()


@app.on_after_finalize.connect
def _schedule(sender: Celery, **kwargs) -> None:
    # The heartbeat proves the scheduler and a worker are alive (its time shows on the admin's
    # home page). The deadline sweep opens and closes rounds (reporting/deadlines.py), on the same clock.
    sender.add_periodic_task(settings.KRS_SWEEP_SECONDS, sender.signature("krs.tasks.heartbeat"), name="heartbeat")
    sender.add_periodic_task(settings.KRS_SWEEP_SECONDS, sender.signature("certification.tasks.deadline_sweep"),
                             name="deadline sweep")
    # Each morning (07:30 Thai time, before office hours) every bureau with entries awaiting certification
    # gets one digest per certifier instead of a mail per entry; the digest is once per day by its key.
    sender.add_periodic_task(crontab(hour=7, minute=30), sender.signature("certification.tasks.awaiting_digest"),
                             name="awaiting certification digest")
