"""Writes of the bureau's desk besides status changes: the messages between the two sides, the daily digest.

Status changes are ``reporting.workflow``'s alone; "new data" flags are ``reporting.flags``'.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import Message
from krs.models import Office, Role, User
from krs.notifications import notify
from krs.thaicalendar import format_thai_date
from reporting.flags import OTHER_SIDE, flag_raise
from reporting.models import Entry, Flag
from reporting.rules import entry_side

MESSAGE_MAX = 4000


class MessageRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def message_post(*, entry, user, body: str, at: datetime | None = None) -> Message:
    """Post a message on the entry's thread; it is new data for the other side."""
    side = entry_side(user, entry)
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


def awaiting_digest_send(*, now: datetime | None = None) -> int:
    """Notify every certifier of each bureau with entries awaiting certification; once per bureau and day.

    One aggregate query over all entries, then one notification per certifier: the key carries the
    date, so a second run on the same day (two beats, a retry) creates and sends nothing.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    waiting = (
        Entry.objects.filter(status=Entry.Status.AWAITING, indicator__owner__isnull=False).order_by()
        .values("indicator__owner_id").annotate(n=Count("pk"), oldest=Min("reported_at"))
    )
    waiting = list(waiting)
    bureaus = Office.objects.in_bulk([row["indicator__owner_id"] for row in waiting])
    sent = 0
    for row in waiting:
        bureau = bureaus[row["indicator__owner_id"]]
        users = User.objects.filter(office=bureau, role=Role.BUREAU_CERTIFIER, is_active=True)
        body = _("%(bureau)s มีรายการรอการรับรองผล %(n)d รายการ รายการที่รอนานที่สุดรายงานเมื่อ %(oldest)s") % {
            "bureau": bureau.name_th, "n": row["n"], "oldest": format_thai_date(row["oldest"]) if row["oldest"] else "–"}
        sent += len(notify(
            users=users, kind="awaiting_digest", key=f"digest:{today.isoformat()}:b{bureau.pk}",
            subject=_("รายการรอการรับรองผล %(n)d รายการ") % {"n": row["n"]}, body=body,
            url=reverse("certification:queue") + "?status=awaiting", now=now,
        ))
    return sent
