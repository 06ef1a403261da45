"""The rules of evidence files: seeing a file follows seeing its entry; deleted files only administrators see.

Each answers yes/no, or why not in Thai (None when allowed).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from krs.models import User
from krs.permissions import is_active_user, is_administrator
from reporting.models import Entry
from reporting.rules import entry_edit_block, entry_side, may_view_entry


def attach_block(user: User, entry, now) -> str | None:
    """Why the user may not attach a file to this entry now (Thai), or None when they may.

    The district attaches while it may change the entry's values (seed 000: evidence goes with the
    report); the owning bureau may attach at any time (a form to fill in, a note on its decision).
    """
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
    if attachment.deleted_at is not None:
        return _("ไฟล์นี้ถูกลบแล้ว")
    if not is_active_user(user) or attachment.uploaded_by_id != user.pk:
        return _("ลบได้เฉพาะผู้แนบไฟล์")
    if attachment.registered_at is not None:
        return _("สำนักลงทะเบียนรับไฟล์นี้แล้ว ลบไม่ได้")
    if attachment.entry.status == Entry.Status.CERTIFIED:
        return _("ตัวชี้วัดนี้รับรองผลแล้ว ลบไฟล์ไม่ได้")
    return None
