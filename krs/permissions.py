"""The permission rules, in one place: views call them, templates ask them, tests cover them.

Each rule takes the user first and answers a plain yes or no. Object rules for entries, files and
certification join this module as those apps arrive; they build on the role predicates here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from krs.models import Office, Role

if TYPE_CHECKING:
    from krs.models import User


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_district_reporter(user: User) -> bool:
    """A reporter of a district office (สพท.)."""
    return _active(user) and user.role == Role.DISTRICT_REPORTER and user.office is not None and user.office.is_district


def is_bureau_certifier(user: User) -> bool:
    """A certifier of a central bureau (สำนัก)."""
    return _active(user) and user.role == Role.BUREAU_CERTIFIER and user.office is not None and user.office.is_bureau


def is_administrator(user: User) -> bool:
    """กพร.สพฐ.: configures everything; a superuser counts as one."""
    return _active(user) and (user.is_superuser or user.role == Role.ADMINISTRATOR)


def is_executive(user: User) -> bool:
    """Reads national results, changes nothing."""
    return _active(user) and user.role == Role.EXECUTIVE


def may_report_for(user: User, office: Office) -> bool:
    """May the user enter values for this district office? Only its own reporters."""
    return is_district_reporter(user) and user.office_id == office.pk


def may_view_office(user: User, office: Office) -> bool:
    """May the user see this office's entries? Its own people, bureaus (for their indicators), admins, executives."""
    if not _active(user):
        return False
    if is_administrator(user) or is_executive(user) or is_bureau_certifier(user):
        return True
    return user.office_id == office.pk


def may_view_national_results(user: User) -> bool:
    return is_administrator(user) or is_executive(user)


def may_configure(user: User) -> bool:
    """May the user change fiscal years, rounds, indicators, offices and users?"""
    return is_administrator(user)


def may_use_admin_site(user: User) -> bool:
    # Staff status follows the administrator role (User.save), so the two cannot disagree.
    return is_administrator(user) and user.is_staff


# --- Entries (reporting) -----------------------------------------------------------------------------
# Entries are duck-typed here (krs imports no app): ``entry.office_id``, ``entry.indicator.owner_id``,
# ``entry.round`` with ``opens_at``/``deadline``/``certification_deadline``/``central_closes_at``, ``entry.status`` and
# ``entry.fix_deadline``; ``entry.Status`` is the model's own choices.


def may_view_entry(user: User, entry) -> bool:
    """The district itself, the bureau that owns the indicator, administrators and executives."""
    if not _active(user):
        return False
    if is_administrator(user) or is_executive(user):
        return True
    if is_bureau_certifier(user):
        return entry.indicator.owner_id == user.office_id
    return is_district_reporter(user) and user.office_id == entry.office_id


def entry_edit_block(entry, now) -> str | None:
    """Why the district may not change this entry's values now (Thai), or None when it may."""
    from django.utils.translation import gettext as _

    from krs.thaicalendar import format_thai_date

    status, round_ = entry.status, entry.round
    if status == entry.Status.CERTIFIED:
        return _("ตัวชี้วัดนี้รับรองผลแล้ว แก้ไขไม่ได้")
    if status == entry.Status.SYSTEM_NO_CENTRAL:
        return _("ระบบให้คะแนน 1.00000 เพราะ %(bureau)s ไม่ได้บันทึกข้อมูลส่วนกลางภายในกำหนด (ไม่ใช่ข้อมูลที่ สพท. กรอก)") % {
            "bureau": _owner_name(entry)}
    if status in (entry.Status.SYSTEM_UNREPORTED, entry.Status.SYSTEM_UNFIXED):
        return _("ระบบให้คะแนน 1.00000 แล้วเพราะไม่ได้ดำเนินการภายในกำหนด แก้ไขไม่ได้")
    if now < round_.opens_at:
        return _("รอบนี้ยังไม่เปิดให้บันทึกข้อมูล (เปิด %(date)s)") % {"date": format_thai_date(round_.opens_at)}
    if now <= round_.deadline or now <= round_.due_at:  # the deadline, moved off a holiday (no query before it)
        return None
    if status == entry.Status.REJECTED and entry.fix_deadline and now <= entry.fix_deadline:
        return None
    # The late window (a round with a late penalty): what was not reported on time may still be, with a penalty.
    late_until = round_.late_until
    if late_until and now <= late_until and (
        status == entry.Status.NOT_REPORTED
        or (status == entry.Status.AWAITING and entry.first_reported_at and entry.first_reported_at > round_.due_at)
    ):
        return None
    return _("ปิดรับรายงานรอบนี้แล้ว (กำหนดส่ง %(date)s)") % {"date": format_thai_date(round_.due_at)}


def _owner_name(entry) -> str:
    from django.utils.translation import gettext as _

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
    from django.utils.translation import gettext as _

    from krs.thaicalendar import format_thai_date

    round_ = entry.round
    if entry.status == entry.Status.CERTIFIED:
        return _("ตัวชี้วัดนี้รับรองผลแล้ว แก้ไขไม่ได้")
    if entry.status in (entry.Status.SYSTEM_UNREPORTED, entry.Status.SYSTEM_UNFIXED, entry.Status.SYSTEM_NO_CENTRAL):
        return _("รายการนี้อยู่ในสถานะ “%(status)s” แล้ว: ค่าที่บันทึกตอนนี้จะไม่ถูกนับ จึงไม่รับบันทึก "
                 "หากมีเหตุผลอันควร ผู้ดูแลระบบเปิดให้แก้ไขได้") % {"status": entry.get_status_display()}
    if now < round_.opens_at:
        return _("รอบนี้ยังไม่เปิดให้บันทึกข้อมูล")
    if entry.status == entry.Status.REJECTED and entry.fix_deadline and now <= entry.fix_deadline:
        return None
    closes = round_.central_closes_at
    if now > closes:
        return _("เลยกำหนดส่งข้อมูลส่วนกลางของรอบนี้แล้ว (%(date)s): ค่าที่บันทึกตอนนี้จะไม่ถูกนับ จึงไม่รับบันทึก") % {
            "date": format_thai_date(closes, with_time=True)}
    return None


def may_enter_central_data(user: User, indicator) -> bool:
    """Central variables are entered only by the bureau that owns the indicator."""
    return is_bureau_certifier(user) and indicator.owner_id is not None and indicator.owner_id == user.office_id


# --- Evidence files (attachments) ----------------------------------------------------------------------
# Files are duck-typed too: ``attachment.entry``, ``uploaded_by_id``, ``side``, ``registered_at``,
# ``deleted_at``. Seeing a file follows seeing its entry; deleted files only administrators see.


def attach_block(user: User, entry, now) -> str | None:
    """Why the user may not attach a file to this entry now (Thai), or None when they may.

    The district attaches while it may change the entry's values (seed 000: evidence goes with the
    report); the owning bureau may attach at any time (a form to fill in, a note on its decision).
    """
    from django.utils.translation import gettext as _

    side = entry_side(user, entry)
    if side == "district":
        return entry_edit_block(entry, now)
    if side == "bureau":
        return None
    return _("แนบไฟล์ได้เฉพาะ สพท. เจ้าของรายการและสำนักเจ้าของตัวชี้วัด")


def may_view_attachment(user: User, attachment) -> bool:
    """Whoever may see the entry may see its files; a deleted file only administrators."""
    if attachment.deleted_at is not None and not is_administrator(user):
        return False
    return may_view_entry(user, attachment.entry)


def may_register_attachment(user: User, attachment) -> bool:
    """The owning bureau registers receipt (ลงทะเบียนรับ) of a file the district sent, once."""
    return (
        entry_side(user, attachment.entry) == "bureau"
        and attachment.side == "district"
        and attachment.registered_at is None
        and attachment.deleted_at is None
    )


def attachment_delete_block(user: User, attachment) -> str | None:
    """Why the user may not delete this file (Thai), or None: only its uploader, until registered or certified."""
    from django.utils.translation import gettext as _

    if attachment.deleted_at is not None:
        return _("ไฟล์นี้ถูกลบแล้ว")
    if not _active(user) or attachment.uploaded_by_id != user.pk:
        return _("ลบได้เฉพาะผู้แนบไฟล์")
    if attachment.registered_at is not None:
        return _("สำนักลงทะเบียนรับไฟล์นี้แล้ว ลบไม่ได้")
    if attachment.entry.status == attachment.entry.Status.CERTIFIED:
        return _("ตัวชี้วัดนี้รับรองผลแล้ว ลบไฟล์ไม่ได้")
    return None


def entry_side(user: User, entry) -> str | None:
    """Which side of the entry the user acts for: "district" (its reporters), "bureau" (the owning bureau), or None."""
    if is_district_reporter(user) and user.office_id == entry.office_id:
        return "district"
    if is_bureau_certifier(user) and entry.indicator.owner_id == user.office_id:
        return "bureau"
    return None
