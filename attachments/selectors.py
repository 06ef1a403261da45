"""Reads of evidence files: the list on an entry (for one entry or a whole page of them) and a bureau's inbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from attachments.models import Attachment, Side
from attachments.rules import attach_block, attachment_delete_block, may_register_attachment
from attachments.services import MAX_FILES_PER_ATTACH, allowed_kinds, human_size
from krs import permissions
from reporting.models import Flag


@dataclass
class FileRow:
    attachment: Attachment
    may_delete: bool
    may_register: bool

    @property
    def size_text(self) -> str:
        return human_size(self.attachment.size)

    @property
    def slot_label(self) -> str:
        """The name of the slot the file was attached in ("" for none)."""
        return str(dict(self.attachment.entry.indicator.evidence_slots).get(self.attachment.slot, ""))


@dataclass
class FilesBlock:
    """The files of one entry as one user sees them, and whether that user may attach more now."""

    entry: object
    rows: list[FileRow] = field(default_factory=list)
    attach_block: str | None = None
    may_attach: bool = False
    accept: str = ""
    kinds_text: str = ""
    max_files: int = MAX_FILES_PER_ATTACH

    @property
    def max_bytes(self) -> int:
        return settings.KRS_MAX_UPLOAD_BYTES

    @property
    def max_size_text(self) -> str:
        return human_size(settings.KRS_MAX_UPLOAD_BYTES)

    @property
    def count(self) -> int:
        return sum(1 for row in self.rows if not row.attachment.is_deleted)

    @property
    def slots(self) -> list[Slot]:
        """The indicator's named places for evidence with the files in each (seed 004's list); [] when it has none."""
        found = [Slot(code, label) for code, label in self.entry.indicator.evidence_slots]
        by_code = {slot.code: slot for slot in found}
        for row in self.rows:
            slot = by_code.get(row.attachment.slot)
            if slot is not None and not row.attachment.is_deleted:
                slot.count += 1
        return found


@dataclass
class Slot:
    code: str
    label: str
    count: int = 0


def _visible(user) -> QuerySet[Attachment]:
    files = Attachment.objects.select_related("uploaded_by", "registered_by", "deleted_by")
    if not permissions.is_administrator(user):
        files = files.filter(deleted_at__isnull=True)
    return files.order_by("uploaded_at", "pk")


def files_for_entries(entries, user, *, now: datetime | None = None) -> dict[int, FilesBlock]:
    """Each entry's files block, for a page of entries the user may see (2 queries whatever the count).

    Each entry needs ``indicator`` (with ``owner_id``) and ``round`` loaded, as the permission rules read them.
    """
    now = now or timezone.now()
    entries = list(entries)
    kinds = allowed_kinds()
    accept = ",".join(f".{ext}" for kind in kinds for ext in kind.extensions)
    kinds_text = ", ".join(gettext(kind.label) for kind in kinds)
    blocks = {}
    for entry in entries:
        block = attach_block(user, entry, now)
        blocks[entry.pk] = FilesBlock(
            entry=entry, attach_block=block, may_attach=block is None, accept=accept, kinds_text=kinds_text
        )
    by_pk = {entry.pk: entry for entry in entries}
    for attachment in _visible(user).filter(entry_id__in=list(by_pk)):
        attachment.entry = by_pk[attachment.entry_id]
        blocks[attachment.entry_id].rows.append(
            FileRow(
                attachment=attachment,
                may_delete=attachment_delete_block(user, attachment) is None,
                may_register=may_register_attachment(user, attachment),
            )
        )
    return blocks


def entry_files(entry, user, *, now: datetime | None = None) -> FilesBlock:
    """One entry's files block (2 queries)."""
    return files_for_entries([entry], user, now=now)[entry.pk]


def bureau_inbox(bureau, *, round_=None, registered: bool = False) -> QuerySet[Attachment]:
    """Files districts sent on the bureau's indicators, oldest first: waiting for receipt, or already registered."""

    new_data = Exists(Flag.objects.filter(entry=OuterRef("entry"), for_side="bureau", seen_at__isnull=True))
    files = Attachment.objects.annotate(new_data=new_data).filter(
        entry__indicator__owner=bureau,
        side=Side.DISTRICT,
        deleted_at__isnull=True,
        registered_at__isnull=not registered,
    ).select_related(
        "entry__office", "entry__indicator", "entry__round__fiscal_year", "uploaded_by", "registered_by"
    )
    if round_ is not None:
        files = files.filter(entry__round=round_)
    return files.order_by("-registered_at", "-pk") if registered else files.order_by("uploaded_at", "pk")


@dataclass
class Inbox:
    """Files waiting for the bureau's receipt: how many, and the oldest of them."""

    total: int
    files: list[Attachment]


def bureau_inbox_head(bureau, *, round_, limit: int) -> Inbox:
    """The oldest ``limit`` files of the round waiting for the bureau's receipt, and how many wait (2 queries)."""
    waiting = bureau_inbox(bureau, round_=round_)
    return Inbox(waiting.count(), list(waiting[:limit]))
