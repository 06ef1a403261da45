"""The review page, the files fragment and the inbox use the same number of queries for 2 files as for 40."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attachments.models import Attachment
from reporting.models import Entry

pytestmark = pytest.mark.django_db


def add_files(entries, user, count):
    Attachment.objects.bulk_create(
        [
            Attachment(
                entry=entry,
                key=f"k/{entry.pk}/{n}",
                original_name=f"{n}.pdf",
                description="หลักฐาน",
                size=10,
                kind="pdf",
                content_type="application/pdf",
                sha256="0" * 64,
                side="district",
                uploaded_by=user,
                uploaded_at=timezone.now(),
            )
            for entry in entries
            for n in range(count)
        ]
    )


def queries(client, url) -> int:
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("count", [2, 40])
def test_the_review_page_and_the_fragment_do_not_grow_with_files(
    client, certifier, district_user, entry, count
):
    add_files([entry], district_user, count)
    client.force_login(certifier)
    # Review: session + user (2), the entry, the indicator and its 6 prefetches (7), values, steps,
    # value changes, status events, messages, flags, the allowed kinds, the files, the menu's unread count,
    # the previous round (its values are one more query when there is one).
    assert queries(client, reverse("certification:review", args=[entry.pk])) == 20
    # Fragment: session + user, the entry, the allowed kinds, the files.
    assert queries(client, reverse("attachments:entry_files", args=[entry.pk])) == 5


@pytest.mark.parametrize("count", [1, 20])
def test_the_inbox_does_not_grow_with_files(client, certifier, district_user, world, district, count):
    add_files(Entry.objects.filter(office=district, round=world.round), district_user, count)
    client.force_login(certifier)
    # Session + user, the rounds, the count, the page of files with their entries and people, the menu's unread count.
    assert queries(client, reverse("attachments:inbox")) == 6
