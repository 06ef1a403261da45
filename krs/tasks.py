"""Celery tasks of the core: thin wrappers, idempotent."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from krs.models import Heartbeat, Notification


@shared_task(name="krs.tasks.heartbeat")
def heartbeat() -> str:
    """Record that the scheduler fired and a worker ran it (an upsert, safe to run twice)."""

    now = timezone.now()
    Heartbeat.objects.update_or_create(name="beat", defaults={"at": now})
    return now.isoformat()


@shared_task(name="krs.tasks.ping")
def ping(token: str) -> str:
    """Echo a token back: lets a test or an operator see that a worker consumes tasks."""
    return f"pong:{token}"


@shared_task(name="krs.tasks.send_notification", bind=True, max_retries=5, default_retry_delay=60)
def send_notification(self, notification_id: int) -> bool:
    """E-mail one notification, once: the row is claimed by a conditional update before sending.

    Two workers given the same id send one mail; a failed send releases the claim and retries.
    """


    now = timezone.now()
    if not Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=now):
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    if not notification.user.email:
        return False
    link = f"{settings.KRS_SITE_URL.rstrip('/')}{notification.url}" if notification.url else ""
    try:
        send_mail(notification.subject, f"{notification.body}\n\n{link}".strip(), None, [notification.user.email])
    except Exception as exc:
        Notification.objects.filter(pk=notification_id, emailed_at=now).update(emailed_at=None)
        raise self.retry(exc=exc) from exc
    return True
