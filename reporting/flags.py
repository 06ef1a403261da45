""""New data" flags (มีข้อมูลใหม่, seed 000's symbols table): raised for one side when the other sends something.

A file, a message, a correction after rejection, a rejection: each raises one flag for the side that has
not seen it yet; opening the entry marks that side's flags seen, with who and when.
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from krs.notifications import notifications_read_for
from reporting.models import Flag, Side
from reporting.rules import entry_side

# Side is a TextChoices: "district" and Side.DISTRICT are the same key.
OTHER_SIDE = {Side.DISTRICT: Side.BUREAU, Side.BUREAU: Side.DISTRICT}


def flag_raise(*, entry, for_side: str, reason: str, by, at: datetime | None = None) -> Flag:
    """Tell ``for_side`` that the other side sent something new on the entry."""
    return Flag.objects.create(entry_id=entry.pk, for_side=for_side, reason=reason, raised_by=by,
                               raised_at=at or timezone.now())


def flags_seen(*, entry, user, at: datetime | None = None) -> int:
    """The user opened what is new on the entry: their side's flags are marked seen, with who and when.

    The user's own notifications that announced it (those linking to the entry's review page) become read
    too, so the bell no longer counts what has been opened; colleagues' bells are theirs to clear.
    """
    side = entry_side(user, entry)
    if side is None:
        return 0
    at = at or timezone.now()
    notifications_read_for(user=user, url=reverse("certification:review", args=[entry.pk]), now=at)
    return Flag.objects.filter(entry_id=entry.pk, for_side=side, seen_at__isnull=True).update(seen_by=user, seen_at=at)


def flagged_ids(entry_ids, side: str) -> set[int]:
    """Which of these entries have "new data" for this side (1 query)."""
    return set(
        Flag.objects.filter(entry_id__in=list(entry_ids), for_side=side, seen_at__isnull=True)
        .values_list("entry_id", flat=True).distinct()
    )
