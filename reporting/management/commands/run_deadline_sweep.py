"""``python manage.py run_deadline_sweep``: run the deadline sweep once, now, and say what it changed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reporting.deadlines import STEP_LABELS, sweep
from reporting.models import SweepRun


class Command(BaseCommand):
    help = "Run the deadline sweep once (open and close rounds, score unreported entries 1.00000, reminders, snapshots)."

    def handle(self, *args, **options):
        run = sweep(trigger=SweepRun.Trigger.COMMAND)
        if run.outcome == SweepRun.Outcome.SKIPPED:
            raise CommandError("another sweep is running; nothing was done (try again when it has finished)")
        for change in run.steps:
            self.stdout.write(f"{STEP_LABELS[change['step']]} · {change['round']}: {change['count']}")
        self.stdout.write(f"{run.get_outcome_display()}: {run.changed} changed")
        if run.errors:
            raise CommandError(run.errors)
