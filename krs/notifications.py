"""Notifications: create them once each (by key), and e-mail each once through Celery after commit."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from krs.models import Notification
from krs.tasks import send_notification


def notify(*, users, kind: str, key: str, subject: str, body: str, url: str = "",
           now: datetime | None = None) -> list[Notification]:
    """Tell each user; a key already used for that user creates nothing (so a retried job sends nothing twice).

    The e-mails are queued only when the caller's transaction commits: a rolled-back decision sends nothing.
    """
    now = now or timezone.now()
    wanted = {f"{key}:u{user.pk}": user for user in users if user.is_active}
    if not wanted:
        return []
    existing = set(Notification.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
    created = Notification.objects.bulk_create(
        [Notification(user=user, kind=kind, key=k, subject=subject[:200], body=body, url=url, created_at=now)
         for k, user in wanted.items() if k not in existing],
        ignore_conflicts=True,
    )
    keys = [n.key for n in created]

    def enqueue() -> None:
        for pk in Notification.objects.filter(key__in=keys, emailed_at__isnull=True).values_list("pk", flat=True):
            send_notification.delay(pk)

    if keys:
        transaction.on_commit(enqueue)
    return created


def notifications_read_for(*, user, url: str, now: datetime | None = None) -> int:
    """The user opened what these notifications pointed at: their unread ones linking to ``url`` become read."""
    return Notification.objects.filter(user=user, url=url, read_at__isnull=True).update(read_at=now or timezone.now())
