"""The rules of an entry: who may see it, who acts for which side, and whether its values may change now.

Views, services and the API call them; each answers yes/no, or why not in Thai (None when allowed). The
role predicates they build on are ``krs.permissions``'.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from krs.models import User
from krs.permissions import (
    is_active_user,
    is_administrator,
    is_bureau_certifier,
    is_district_reporter,
    is_executive,
)
from krs.thaicalendar import format_thai_date
from reporting.models import Entry

Status = Entry.Status


def may_view_entry(user: User, entry) -> bool:
    """The district itself, the bureau that owns the indicator, administrators and executives (``entries_visible_to``)."""
    if not is_active_user(user):
        return False
    if is_administrator(user) or is_executive(user):
        return True
    if is_bureau_certifier(user):
        return entry.indicator.owner_id == user.office_id
    return is_district_reporter(user) and user.office_id == entry.office_id


def entries_visible_to(user: User) -> QuerySet[Entry]:
    """``may_view_entry`` as a queryset: the entries the pages fetch by id and the API reads from.

    Both say the same; tests/reporting/test_access.py checks they agree entry by entry for every role.
    """
    entries = Entry.objects.all()
    if not is_active_user(user):
        return entries.none()
    if is_administrator(user) or is_executive(user):
        return entries
    if is_bureau_certifier(user):
        return entries.filter(indicator__owner_id=user.office_id)
    if is_district_reporter(user):
        return entries.filter(office_id=user.office_id)
    return entries.none()


def entry_edit_block(entry, now) -> str | None:
    """Why the district may not change this entry's values now (Thai), or None when it may."""
    status, round_ = entry.status, entry.round
    if status == Status.CERTIFIED:
        return _("ตัวชี้วัดนี้รับรองผลแล้ว แก้ไขไม่ได้")
    if status == Status.SYSTEM_NO_CENTRAL:
        return _("ระบบให้คะแนน 1.00000 เพราะ %(bureau)s ไม่ได้บันทึกข้อมูลส่วนกลางภายในกำหนด (ไม่ใช่ข้อมูลที่ สพท. กรอก)") % {
            "bureau": _owner_name(entry)}
    if status in (Status.SYSTEM_UNREPORTED, Status.SYSTEM_UNFIXED):
        return _("ระบบให้คะแนน 1.00000 แล้วเพราะไม่ได้ดำเนินการภายในกำหนด แก้ไขไม่ได้")
    if now < round_.opens_at:
        return _("รอบนี้ยังไม่เปิดให้บันทึกข้อมูล (เปิด %(date)s)") % {"date": format_thai_date(round_.opens_at)}
    if now <= round_.deadline or now <= round_.due_at:  # the deadline, moved off a holiday (no query before it)
        return None
    if status == Status.REJECTED and entry.fix_deadline and now <= entry.fix_deadline:
        return None
    # The late window (a round with a late penalty): what was not reported on time may still be, with a penalty.
    late_until = round_.late_until
    if late_until and now <= late_until and (
        status == Status.NOT_REPORTED
        or (status == Status.AWAITING and entry.first_reported_at and entry.first_reported_at > round_.due_at)
    ):
        return None
    return _("ปิดรับรายงานรอบนี้แล้ว (กำหนดส่ง %(date)s)") % {"date": format_thai_date(round_.due_at)}


def _owner_name(entry) -> str:
    owner = entry.indicator.owner
    return owner.localized_name if owner is not None else _("สำนักเจ้าของตัวชี้วัด")


def central_edit_block(entry, now) -> str | None:
    """Why the owning bureau may not change this entry's central data now, or None.

    Central data can be entered from the round's opening until the bureaus' window ends
    (``round.central_closes_at``: its central-data deadline, else its certification deadline), whatever
    the district's deadline; after that only on an entry given back to fix, until its fix deadline. Never
    on a certified entry, nor on one the system has scored: a value that would not count is refused,
    not saved.
    """
    round_ = entry.round
    if entry.status == Status.CERTIFIED:
        return _("ตัวชี้วัดนี้รับรองผลแล้ว แก้ไขไม่ได้")
    if entry.status in (Status.SYSTEM_UNREPORTED, Status.SYSTEM_UNFIXED, Status.SYSTEM_NO_CENTRAL):
        return _("รายการนี้อยู่ในสถานะ “%(status)s” แล้ว: ค่าที่บันทึกตอนนี้จะไม่ถูกนับ จึงไม่รับบันทึก "
                 "หากมีเหตุผลอันควร ผู้ดูแลระบบเปิดให้แก้ไขได้") % {"status": entry.get_status_display()}
    if now < round_.opens_at:
        return _("รอบนี้ยังไม่เปิดให้บันทึกข้อมูล")
    if entry.status == Status.REJECTED and entry.fix_deadline and now <= entry.fix_deadline:
        return None
    closes = round_.central_closes_at
    if now > closes:
        return _("เลยกำหนดส่งข้อมูลส่วนกลางของรอบนี้แล้ว (%(date)s): ค่าที่บันทึกตอนนี้จะไม่ถูกนับ จึงไม่รับบันทึก") % {
            "date": format_thai_date(closes, with_time=True)}
    return None


def may_enter_central_data(user: User, indicator) -> bool:
    """Central variables are entered only by the bureau that owns the indicator."""
    return is_bureau_certifier(user) and indicator.owner_id is not None and indicator.owner_id == user.office_id


def entry_side(user: User, entry) -> str | None:
    """Which side of the entry the user acts for: "district" (its reporters), "bureau" (the owning bureau), or None."""
    if is_district_reporter(user) and user.office_id == entry.office_id:
        return "district"
    if is_bureau_certifier(user) and entry.indicator.owner_id == user.office_id:
        return "bureau"
    return None
