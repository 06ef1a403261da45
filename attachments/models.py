"""Evidence files on entries (seed 000 section 4), the kinds that may be attached, and the audit of each file.

A file's bytes live in Django's default storage under a generated key; the row keeps everything people
read (description, original name, who, when) and what proves the bytes are the ones attached (size,
SHA-256). Files are never deleted from storage: deleting is a mark, seen by administrators.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from attachments.filetypes import KINDS
from reporting.models import Entry


class FileKind(models.Model):
    """One kind of file that may be attached; administrators switch kinds on and off (admin site).

    What a kind is (how its content is recognised) is code in ``attachments/filetypes.py``; this table
    only says which of those kinds are accepted. Every kind has its row, created allowed after each
    migrate (``attachments.apps``); rows are switched off, never deleted.
    """

    code = models.CharField(
        _("ชนิดไฟล์"), max_length=10, unique=True, choices=[(k.code, k.label) for k in KINDS.values()]
    )
    allowed = models.BooleanField(_("อนุญาตให้แนบ"), default=True)

    class Meta:
        verbose_name = _("ชนิดไฟล์ที่แนบได้")
        verbose_name_plural = _("ชนิดไฟล์ที่แนบได้")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.get_code_display()

    @property
    def extensions(self) -> str:
        return ", ".join(f".{e}" for e in KINDS[self.code].extensions)


class Side(models.TextChoices):
    """Which side of an entry acted: the district that reports it or the bureau that owns the indicator."""

    DISTRICT = "district", _("สพท.")
    BUREAU = "bureau", _("สำนัก")
    OTHER = "other", _("ผู้ดูแลระบบ/ผู้บริหาร")


class Attachment(models.Model):
    """An evidence file attached to an entry (so to its district, indicator and round)."""

    entry = models.ForeignKey(
        Entry, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("รายการรายงานผล")
    )
    # Where the bytes are in storage: generated, never derived from the user's file name.
    key = models.CharField(_("ที่เก็บไฟล์"), max_length=200, unique=True, editable=False)
    original_name = models.CharField(_("ชื่อไฟล์"), max_length=255)
    description = models.CharField(_("คำอธิบายไฟล์"), max_length=300)
    # The named place the file was attached in (seed 004's evidence list: ``Indicator.evidence_slots``);
    # blank for a file outside any slot.
    slot = models.CharField(_("ช่องเอกสาร"), max_length=20, blank=True, default="")
    size = models.PositiveBigIntegerField(_("ขนาด (ไบต์)"))
    kind = models.CharField(_("ชนิดไฟล์"), max_length=10, choices=[(k.code, k.label) for k in KINDS.values()])
    content_type = models.CharField(_("ประเภทเนื้อหา"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    side = models.CharField(_("ฝ่ายที่แนบ"), max_length=10, choices=Side.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("ผู้แนบไฟล์")
    )
    uploaded_at = models.DateTimeField(_("วันที่ส่ง"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ลงทะเบียนรับโดย"),
    )
    registered_at = models.DateTimeField(_("ลงทะเบียนรับเมื่อ"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ลบโดย"),
    )
    deleted_at = models.DateTimeField(_("ลบเมื่อ"), null=True, blank=True)

    class Meta:
        verbose_name = _("เอกสารประกอบ")
        verbose_name_plural = _("เอกสารประกอบ")
        ordering = ["entry", "uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty"),
            models.CheckConstraint(
                condition=Q(registered_at__isnull=True, registered_by__isnull=True)
                | Q(registered_at__isnull=False, registered_by__isnull=False),
                name="attachment_registered_by_and_at",
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True, deleted_by__isnull=True)
                | Q(deleted_at__isnull=False, deleted_by__isnull=False),
                name="attachment_deleted_by_and_at",
            ),
        ]
        indexes = [models.Index(fields=["entry", "uploaded_at"], name="attachment_entry_time")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_registered(self) -> bool:
        return self.registered_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class AttachmentEvent(models.Model):
    """The audit of a file: attached, downloaded, receipt registered, deleted; who, when and from which side.

    An "added" event from one side is what the "new data" flag (มีข้อมูลใหม่) of the other side is
    built from, so ``entry`` and ``side`` are kept on the event itself.
    """

    class Action(models.TextChoices):
        ADDED = "added", _("แนบไฟล์")
        DOWNLOADED = "downloaded", _("ดาวน์โหลด")
        REGISTERED = "registered", _("ลงทะเบียนรับ")
        DELETED = "deleted", _("ลบไฟล์")

    attachment = models.ForeignKey(
        Attachment, on_delete=models.PROTECT, related_name="events", verbose_name=_("ไฟล์")
    )
    entry = models.ForeignKey(
        Entry, on_delete=models.PROTECT, related_name="+", verbose_name=_("รายการรายงานผล")
    )
    action = models.CharField(_("การกระทำ"), max_length=12, choices=Action.choices)
    side = models.CharField(_("ฝ่าย"), max_length=10, choices=Side.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("โดย")
    )
    at = models.DateTimeField(_("เมื่อ"))

    class Meta:
        verbose_name = _("ประวัติไฟล์")
        verbose_name_plural = _("ประวัติไฟล์")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["entry", "at"], name="attachment_event_entry_at")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.attachment}"
