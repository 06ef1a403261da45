"""Writes of evidence files: attach (all or nothing), register receipt, delete (a mark), each audited.

The views check who may act (``krs.permissions``); these functions check the file itself and keep
the database and the storage in step: a file is either stored with its row and its event, or neither.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from attachments.filetypes import KINDS, Kind, Refused, clean_name, identify
from attachments.models import Attachment, AttachmentEvent, FileKind, Side
from krs.thaicalendar import format_thai_date
from reporting.flags import OTHER_SIDE, flag_raise
from reporting.models import Entry, Flag
from reporting.rules import entry_side

logger = logging.getLogger(__name__)

MAX_FILES_PER_ATTACH = 10
DESCRIPTION_MAX = 300


class AttachRefused(Exception):
    """Nothing was attached; ``errors`` are the sentences to show, one per problem (Thai)."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


class AttachmentStateError(Exception):
    """The file is no longer in a state that allows the action (someone acted first)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def allowed_kinds() -> list[Kind]:
    """The kinds administrators allow, in display order (1 query)."""
    codes = set(FileKind.objects.filter(allowed=True).values_list("code", flat=True))
    return [kind for code, kind in KINDS.items() if code in codes]


def side_of(user, entry) -> str:
    return entry_side(user, entry) or Side.OTHER


def human_size(size: int) -> str:
    """1 234 567 → "1.2 MB": how big a file is, for people."""
    if size < 1024:
        return _("%(n)d ไบต์") % {"n": size}
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _sha256(fileobj) -> str:
    digest = hashlib.sha256()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


@dataclass
class _Checked:
    name: str
    kind: Kind
    size: int
    sha256: str
    file: object


def _check(
    uploads, *, allowed: list[Kind], existing: dict[str, Attachment]
) -> tuple[list[_Checked], list[str]]:
    max_bytes = settings.KRS_MAX_UPLOAD_BYTES
    codes = [k.code for k in allowed]
    checked: list[_Checked] = []
    errors: list[str] = []
    seen: dict[str, str] = {}
    for upload in uploads:
        name = clean_name(upload.name or "")
        size = upload.size or 0
        if size == 0:
            errors.append(_("%(name)s: ไฟล์ว่าง (0 ไบต์) ตรวจว่าเลือกไฟล์ถูก") % {"name": name})
            continue
        if size > max_bytes:
            errors.append(
                _("%(name)s: ไฟล์ใหญ่ %(size)s เกินขนาดที่แนบได้ %(max)s: ย่อไฟล์หรือแยกเป็นหลายไฟล์")
                % {"name": name, "size": human_size(size), "max": human_size(max_bytes)}
            )
            continue
        try:
            kind = identify(name, upload.file, allowed=codes)
        except Refused as exc:
            errors.append(f"{name}: {exc.message}")
            continue
        digest = _sha256(upload.file)
        if digest in existing:
            earlier = existing[digest]
            errors.append(
                _("%(name)s: ไฟล์นี้แนบไว้แล้วเมื่อ %(date)s ในชื่อ “%(earlier)s”")
                % {
                    "name": name,
                    "date": format_thai_date(earlier.uploaded_at),
                    "earlier": earlier.original_name,
                }
            )
            continue
        if digest in seen:
            errors.append(
                _("%(name)s: เป็นไฟล์เดียวกับ %(other)s ที่เลือกมาพร้อมกัน") % {"name": name, "other": seen[digest]}
            )
            continue
        seen[digest] = name
        checked.append(_Checked(name=name, kind=kind, size=size, sha256=digest, file=upload.file))
    return checked, errors


def _new_key(entry) -> str:
    # Nothing of the user's name goes into the key: no path traversal, no collisions, no guessing.
    return f"evidence/{entry.round.fiscal_year_id}/{entry.round_id}/{entry.office_id}/{uuid.uuid4().hex}"


def attachments_add(
    *, entry, user, uploads, description: str, slot: str = "", now: datetime | None = None
) -> list[Attachment]:
    """Attach every upload to the entry with the description, or none of them (AttachRefused says why).

    ``slot`` is one of the indicator's named places for evidence (``Indicator.evidence_slots``, seed 004's
    list), or blank; a file put in a slot without a description is described by the slot's name.
    A storage or database failure half-way removes the files already stored and re-raises: no row
    without its file, no file without its row.
    """
    now = now or timezone.now()
    description = " ".join((description or "").split())
    errors = []
    slots = dict(entry.indicator.evidence_slots)
    slot = (slot or "").strip()
    if slot and slot not in slots:
        errors.append(_("เลือกช่องเอกสารจากรายการของตัวชี้วัดนี้"))
    elif slot and not description:
        description = str(slots[slot])
    if not description:
        errors.append(_("พิมพ์คำอธิบายไฟล์ก่อนแนบ เช่น “คำสั่งแต่งตั้งคณะทำงาน”"))
    elif len(description) > DESCRIPTION_MAX:
        errors.append(_("คำอธิบายไฟล์ยาวเกิน %(max)d ตัวอักษร") % {"max": DESCRIPTION_MAX})
    uploads = list(uploads)
    if not uploads:
        errors.append(_("เลือกไฟล์ที่ต้องการแนบก่อน"))
    elif len(uploads) > MAX_FILES_PER_ATTACH:
        errors.append(_("แนบได้ครั้งละไม่เกิน %(max)d ไฟล์") % {"max": MAX_FILES_PER_ATTACH})
    if errors:
        raise AttachRefused(errors)
    existing = {a.sha256: a for a in Attachment.objects.filter(entry=entry, deleted_at__isnull=True)}
    checked, errors = _check(uploads, allowed=allowed_kinds(), existing=existing)
    if errors:
        raise AttachRefused(errors)

    storage = storages["default"]
    side = side_of(user, entry)
    stored: list[str] = []
    created: list[Attachment] = []
    try:
        with transaction.atomic():
            for item in checked:
                key = storage.save(_new_key(entry), File(item.file))
                stored.append(key)
                attachment = Attachment.objects.create(
                    entry=entry,
                    key=key,
                    original_name=item.name,
                    description=description,
                    slot=slot,
                    size=item.size,
                    kind=item.kind.code,
                    content_type=item.kind.mime,
                    sha256=item.sha256,
                    side=side,
                    uploaded_by=user,
                    uploaded_at=now,
                )
                _audit(attachment, AttachmentEvent.Action.ADDED, side=side, by=user, at=now)
                created.append(attachment)
            if side != Side.OTHER:
                # Files from one side are "new data" for the other (seed 000's symbols table): one flag per attach.
                flag_raise(entry=entry, for_side=OTHER_SIDE[side], reason=Flag.Reason.FILE, by=user, at=now)
    except BaseException:
        for key in stored:
            try:
                storage.delete(key)
            except Exception:  # the original error matters more; this one is logged for a clean-up
                logger.exception("could not remove stored file %s after a failed attach", key)
        raise
    return created


def _audit(attachment: Attachment, action: str, *, side: str, by, at: datetime) -> None:
    AttachmentEvent.objects.create(
        attachment=attachment, entry_id=attachment.entry_id, action=action, side=side, by=by, at=at
    )


def _change(
    attachment: Attachment, *, still: Q, refused: str, action: str, side: str, by, at: datetime, **fields
) -> Attachment:
    """Set ``fields`` only if the file is ``still`` as expected (so of two clicks one wins, the other is told), audited."""
    with transaction.atomic():
        if not Attachment.objects.filter(still, pk=attachment.pk).update(**fields):
            raise AttachmentStateError(refused)
        _audit(attachment, action, side=side, by=by, at=at)
    for name, value in fields.items():
        setattr(attachment, name, value)
    return attachment


def attachment_register(*, attachment: Attachment, user, now: datetime | None = None) -> Attachment:
    """Register receipt (ลงทะเบียนรับ) of a file, once."""
    now = now or timezone.now()
    return _change(
        attachment,
        still=Q(registered_at__isnull=True, deleted_at__isnull=True),
        refused=_("ไฟล์นี้ลงทะเบียนรับแล้ว หรือผู้แนบลบไปแล้ว"),
        action=AttachmentEvent.Action.REGISTERED,
        side=Side.BUREAU,
        by=user,
        at=now,
        registered_by=user,
        registered_at=now,
    )


def attachment_delete(*, attachment: Attachment, user, now: datetime | None = None) -> Attachment:
    """Mark a file deleted (it stays in storage, for administrators), unless it was registered or certified since."""
    now = now or timezone.now()
    return _change(
        attachment,
        still=Q(deleted_at__isnull=True, registered_at__isnull=True)
        & ~Q(entry__status=Entry.Status.CERTIFIED),
        refused=_("ลบไม่ได้แล้ว: สำนักลงทะเบียนรับไฟล์นี้ หรือรับรองผลตัวชี้วัดนี้ไปก่อน"),
        action=AttachmentEvent.Action.DELETED,
        side=attachment.side,
        by=user,
        at=now,
        deleted_by=user,
        deleted_at=now,
    )


def attachment_downloaded(*, attachment: Attachment, user, now: datetime | None = None) -> None:
    """Record that someone downloaded the file (evidence that the other side opened it)."""
    _audit(
        attachment,
        AttachmentEvent.Action.DOWNLOADED,
        side=side_of(user, attachment.entry),
        by=user,
        at=now or timezone.now(),
    )
