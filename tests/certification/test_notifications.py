"""Notifications: a rejection tells the district (page and e-mail, after commit, once); bureaus get one daily digest."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from certification.services import awaiting_digest_send
from krs.models import Notification, Role
from krs.notifications import notify
from krs.tasks import send_notification
from reporting import workflow
from reporting.models import Entry
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker():
    """Run what would be queued for the Celery worker right here (the worker itself is tested in tests/krs)."""
    with mock.patch("krs.tasks.send_notification.delay", side_effect=lambda pk: send_notification.apply(args=[pk])):
        yield


def test_a_rejection_notifies_the_districts_reporters_once_after_commit(
        entry, district, district_user, certifier, worker, django_capture_on_commit_callbacks):
    colleague = make_user("district1b", district, Role.DISTRICT_REPORTER)
    make_user("district1c", district, Role.DISTRICT_REPORTER, is_active=False)
    deadline = timezone.now() + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.entry_reject(entry=entry, by=certifier, comment="ตัวหารไม่ตรงกับ DMC", fix_deadline=deadline)
    notes = Notification.objects.order_by("user__username")
    assert [n.user for n in notes] == [district_user, colleague]
    assert all(n.kind == "rejected" and "ตัวหารไม่ตรงกับ DMC" in n.body and "แก้ไขได้ถึง" in n.body for n in notes)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([district_user.email, colleague.email])
    assert "ตัวหารไม่ตรงกับ DMC" in mail.outbox[0].body and f"/certification/entries/{entry.pk}/" in mail.outbox[0].body
    # A second delivery of the same task (a redelivered message, two workers) sends nothing more.
    for note in notes:
        assert send_notification.apply(args=[note.pk]).result is False
    assert len(mail.outbox) == 2


def test_nothing_is_sent_when_the_decision_is_rolled_back(entry, certifier, district_user, worker,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.entry_reject(entry=entry, by=certifier, comment="เหตุผล")
    assert len(callbacks) == 1  # queued for after the commit, not sent inside the transaction
    assert mail.outbox == []


def test_a_failed_send_releases_the_claim_for_a_retry(entry, certifier, district_user, django_capture_on_commit_callbacks):
    workflow.entry_reject(entry=entry, by=certifier, comment="เหตุผล")
    note = Notification.objects.get()
    with mock.patch("krs.tasks.send_mail", side_effect=OSError("smtp down")):
        send_notification.apply(args=[note.pk])
    note.refresh_from_db()
    assert note.emailed_at is None  # free to be sent by the retry
    assert send_notification.apply(args=[note.pk]).result is True
    assert len(mail.outbox) == 1


def test_the_bureau_gets_one_digest_a_day_not_a_mail_per_entry(world, district, other_district, bureau, certifier,
                                                                worker, django_capture_on_commit_callbacks):
    colleague = make_user("certifier1b", bureau, Role.BUREAU_CERTIFIER)
    Entry.objects.filter(round=world.round, indicator=world.quantitative).update(
        status=Entry.Status.AWAITING, self_score=Decimal(4), reported_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert awaiting_digest_send() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert awaiting_digest_send() == 0  # the same day again: nothing
    assert sorted(m.to[0] for m in mail.outbox) == sorted([certifier.email, colleague.email])
    assert "2 รายการ" in mail.outbox[0].subject
    tomorrow = timezone.now() + timedelta(days=1)
    assert awaiting_digest_send(now=tomorrow) == 2


def test_the_notifications_page_shows_the_unread_count_and_marks_them_read(client, entry, certifier, district_user):
    workflow.entry_reject(entry=entry, by=certifier, comment="ตัวหารไม่ตรงกับ DMC")
    client.force_login(district_user)
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="unread-count">1<' in home
    page = client.get(reverse("notifications")).content.decode()
    assert "ตัวหารไม่ตรงกับ DMC" in page and "ยังไม่อ่าน" in page
    client.post(reverse("notifications"))
    assert 'data-testid="unread-count"' not in client.get(reverse("home")).content.decode()
    client.force_login(certifier)
    assert "ตัวหารไม่ตรงกับ DMC" not in client.get(reverse("notifications")).content.decode()


def test_opening_the_flag_a_rejection_announced_marks_that_notification_read(client, entry, district_user,
                                                                            certifier):
    colleague = make_user("district1b", entry.office, Role.DISTRICT_REPORTER)
    workflow.entry_reject(entry=entry, by=certifier, comment="ตัวหารผิด")
    reminder_url = reverse("reporting:entry_page", args=[entry.round_id])
    notify(users=[district_user], kind=Notification.Kind.REMINDER, key="reminder:test", subject="อีก 3 วัน", body="",
           url=reminder_url)
    client.force_login(district_user)
    assert 'data-testid="unread-count">2<' in client.get(reverse("home")).content.decode()
    client.post(reverse("certification:flag_seen", args=[entry.pk]))
    # The bell counts only the reminder; the colleague's own bell is left as it was.
    assert 'data-testid="unread-count">1<' in client.get(reverse("home")).content.decode()
    unread = Notification.objects.filter(read_at__isnull=True)
    assert sorted((n.user.username, n.url) for n in unread) == sorted([
        (district_user.username, reminder_url), (colleague.username, reverse("certification:review", args=[entry.pk])),
    ])
