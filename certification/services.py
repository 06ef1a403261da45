"""Writes of certification besides status changes: "new data" flags and the messages between the two sides.

Status changes are ``certification/workflow.py``'s alone.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import Flag, Message, Side
from krs import permissions

OTHER_SIDE = {Side.DISTRICT: Side.BUREAU, Side.BUREAU: Side.DISTRICT, "district": Side.BUREAU, "bureau": Side.DISTRICT}
MESSAGE_MAX = 4000


class MessageRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def flag_raise(*, entry, for_side: str, reason: str, by, at: datetime | None = None) -> Flag:
    """Tell ``for_side`` that the other side sent something new on the entry."""
    return Flag.objects.create(entry_id=entry.pk, for_side=for_side, reason=reason, raised_by=by,
                               raised_at=at or timezone.now())


def flags_seen(*, entry, user, at: datetime | None = None) -> int:
    """The user opened what is new on the entry: their side's flags are marked seen, with who and when."""
    side = permissions.entry_side(user, entry)
    if side is None:
        return 0
    return Flag.objects.filter(entry_id=entry.pk, for_side=side, seen_at__isnull=True).update(
        seen_by=user, seen_at=at or timezone.now())


def message_post(*, entry, user, body: str, at: datetime | None = None) -> Message:
    """Post a message on the entry's thread; it is new data for the other side."""
    side = permissions.entry_side(user, entry)
    if side is None:
        raise MessageRefused(_("ส่งข้อความได้เฉพาะ สพท. เจ้าของรายการและสำนักเจ้าของตัวชี้วัด"))
    body = (body or "").strip()
    if not body:
        raise MessageRefused(_("พิมพ์ข้อความก่อนส่ง"))
    if len(body) > MESSAGE_MAX:
        raise MessageRefused(_("ข้อความยาวเกิน %(max)d ตัวอักษร") % {"max": MESSAGE_MAX})
    at = at or timezone.now()
    with transaction.atomic():
        message = Message.objects.create(entry_id=entry.pk, side=side, by=user, at=at, body=body)
        flag_raise(entry=entry, for_side=OTHER_SIDE[side], reason=Flag.Reason.MESSAGE, by=user, at=at)
    return message
