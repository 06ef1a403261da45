"""The one place where an entry's status changes (design.md), each change with its audit event.

Every function runs inside the caller's transaction (they are called with the entry locked), moves
the entry only from the statuses it names, and writes a ``StatusEvent``. A call whose entry is not in
one of those statuses changes nothing and returns False, so calling twice is harmless.

Reporting calls ``entry_mark_reported`` / ``entry_mark_unreported`` when a save completes or empties
an entry; certifying and rejecting are the bureaus' (issue 6 adds their pages).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from certification.models import StatusEvent
from reporting.models import Entry

Status = Entry.Status


def _move(entry: Entry, *, to: str, allowed: tuple[str, ...], by, comment: str = "", at: datetime | None = None,
          **fields) -> bool:
    at = at or timezone.now()
    previous = entry.status
    if previous not in allowed:
        return False
    with transaction.atomic():
        updated = Entry.objects.filter(pk=entry.pk, status=previous).update(status=to, updated_at=at, **fields)
        if not updated:
            return False
        StatusEvent.objects.create(entry=entry, from_status=previous, to_status=to, by=by, at=at, comment=comment)
    entry.status = to
    for name, value in fields.items():
        setattr(entry, name, value)
    return True


def entry_mark_reported(*, entry: Entry, by, at: datetime | None = None) -> bool:
    """Everything the district enters has a value: not reported (or rejected and corrected) → awaiting."""
    at = at or timezone.now()
    return _move(entry, to=Status.AWAITING, allowed=(Status.NOT_REPORTED, Status.REJECTED), by=by, at=at, reported_at=at)


def entry_mark_unreported(*, entry: Entry, by, at: datetime | None = None) -> bool:
    """A value was emptied before certification: awaiting → not reported."""
    return _move(entry, to=Status.NOT_REPORTED, allowed=(Status.AWAITING,), by=by, at=at, reported_at=None)


def entry_certify(*, entry: Entry, by, comment: str = "", at: datetime | None = None) -> bool:
    """Awaiting → certified: the self-assessed score becomes the official one."""
    return _move(entry, to=Status.CERTIFIED, allowed=(Status.AWAITING,), by=by, comment=comment, at=at,
                 official_score=entry.self_score)


def entry_reject(*, entry: Entry, by, comment: str, fix_deadline: datetime | None = None,
                 at: datetime | None = None) -> bool:
    """Awaiting → rejected, with the reason and, when a fix is wanted, the deadline for it."""
    return _move(entry, to=Status.REJECTED, allowed=(Status.AWAITING,), by=by, comment=comment, at=at,
                 fix_deadline=fix_deadline)
