"""Decisions on entries: every status change, with who made it, when and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reporting.models import Entry


class StatusEvent(models.Model):
    """One change of an entry's status, written by ``certification.workflow`` in the same transaction."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="status_events", verbose_name=_("รายการรายงานผล"),
                              db_index=False)  # the (entry, at) index leads with it
    from_status = models.CharField(_("จากสถานะ"), max_length=20, choices=Entry.Status.choices)
    to_status = models.CharField(_("เป็นสถานะ"), max_length=20, choices=Entry.Status.choices)
    # Not indexed: nobody looks events up by person, and the sweep writes a million events (by = NULL) at once.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("โดย"),
        db_index=False,
    )
    at = models.DateTimeField(_("เมื่อ"))
    comment = models.TextField(_("ความเห็น"), blank=True)

    class Meta:
        verbose_name = _("การเปลี่ยนสถานะ")
        verbose_name_plural = _("การเปลี่ยนสถานะ")
        ordering = ["entry", "-at", "-pk"]
        indexes = [models.Index(fields=["entry", "at"], name="status_event_entry_at")]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Side(models.TextChoices):
    """The two sides of an entry: the district that reports it and the bureau that owns its indicator."""

    DISTRICT = "district", _("สพท.")
    BUREAU = "bureau", _("สำนัก")


class Flag(models.Model):
    """"New data" (มีข้อมูลใหม่) for one side: the other side sent something (seed 000's symbols table).

    One row per thing sent; the side sees the flag while any of its rows is unseen. Clicking the flag
    marks them seen with who and when — the evidence seed 000 asks for.
    """

    class Reason(models.TextChoices):
        FILE = "file", _("ไฟล์ใหม่")
        MESSAGE = "message", _("ข้อความใหม่")
        CORRECTED = "corrected", _("แก้ไขข้อมูลหลังไม่รับรอง")
        REJECTED = "rejected", _("ไม่รับรอง")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="flags", verbose_name=_("รายการรายงานผล"))
    for_side = models.CharField(_("แจ้งถึง"), max_length=10, choices=Side.choices)
    reason = models.CharField(_("เรื่อง"), max_length=12, choices=Reason.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("จาก")
    )
    raised_at = models.DateTimeField(_("เมื่อ"))
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("เปิดดูโดย"),
    )
    seen_at = models.DateTimeField(_("เปิดดูเมื่อ"), null=True, blank=True)

    class Meta:
        verbose_name = _("การแจ้งข้อมูลใหม่")
        verbose_name_plural = _("การแจ้งข้อมูลใหม่")
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["entry", "for_side", "seen_at"], name="flag_entry_side_seen")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} → {self.get_for_side_display()}"


class Message(models.Model):
    """A message between the district and the bureau on an entry, in one thread per entry."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="messages", verbose_name=_("รายการรายงานผล"))
    side = models.CharField(_("ฝ่าย"), max_length=10, choices=Side.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("โดย"))
    at = models.DateTimeField(_("เมื่อ"))
    body = models.TextField(_("ข้อความ"), max_length=4000)

    class Meta:
        verbose_name = _("ข้อความ")
        verbose_name_plural = _("ข้อความ")
        ordering = ["entry", "at", "pk"]
        indexes = [models.Index(fields=["entry", "at"], name="message_entry_at")]

    def __str__(self) -> str:
        return self.body[:60]


class SweepRun(models.Model):
    """One run of the deadline sweep (certification.deadlines): when, who started it, what it changed, errors."""

    class Trigger(models.TextChoices):
        BEAT = "beat", _("ตามกำหนดเวลา (Celery beat)")
        BUTTON = "button", _("ผู้ดูแลระบบกดปุ่ม")
        COMMAND = "command", _("คำสั่ง run_deadline_sweep")

    class Outcome(models.TextChoices):
        RUNNING = "running", _("กำลังทำงาน")
        DONE = "done", _("เสร็จ")
        FAILED = "failed", _("มีข้อผิดพลาด")
        SKIPPED = "skipped", _("ข้าม (มีรอบอื่นกำลังทำงาน)")

    started_at = models.DateTimeField(_("เริ่มเมื่อ"))
    finished_at = models.DateTimeField(_("เสร็จเมื่อ"), null=True, blank=True)
    trigger = models.CharField(_("สั่งโดย"), max_length=10, choices=Trigger.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("ผู้สั่ง")
    )
    outcome = models.CharField(_("ผล"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    # [{"step": "close", "round_id": 3, "round": "รอบ 12 เดือน ปี 2569", "count": 120}, …]: only steps that changed something.
    steps = models.JSONField(_("สิ่งที่เปลี่ยน"), default=list, blank=True)
    changed = models.PositiveIntegerField(_("จำนวนที่เปลี่ยน"), default=0)
    errors = models.TextField(_("ข้อผิดพลาด"), blank=True)

    class Meta:
        verbose_name = _("การทำงานตามกำหนดเวลา")
        verbose_name_plural = _("การทำงานตามกำหนดเวลา")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["-started_at"], name="sweep_run_started")]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"

    @property
    def took(self):
        """How long the run took (a timedelta), or None while it runs."""
        return self.finished_at - self.started_at if self.finished_at else None


class SweepLease(models.Model):
    """The one row that lets a single sweep run at a time, across workers and databases.

    A sweep takes it with a conditional UPDATE (free, or its lease expired after a crash) and gives it
    back at the end; a second sweep that finds it taken records a skipped run and does nothing.
    """

    holder = models.ForeignKey(SweepRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("สิทธิ์การทำงานตามกำหนดเวลา")
        verbose_name_plural = _("สิทธิ์การทำงานตามกำหนดเวลา")

    def __str__(self) -> str:
        return f"{self.holder_id or '-'} until {self.expires_at or '-'}"
