"""The bureau's desk: the messages between a district and the bureau on an entry.

An entry's status events, flags and the deadline sweep's runs are ``reporting.models``'.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reporting.models import Entry, Side


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
