"""Decisions on entries: every status change, with who made it, when and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reporting.models import Entry


class StatusEvent(models.Model):
    """One change of an entry's status, written by ``certification.workflow`` in the same transaction."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="status_events", verbose_name=_("รายการรายงานผล"))
    from_status = models.CharField(_("จากสถานะ"), max_length=20, choices=Entry.Status.choices)
    to_status = models.CharField(_("เป็นสถานะ"), max_length=20, choices=Entry.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("โดย")
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
