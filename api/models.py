"""API tokens that administrators issue to linked systems and people, and the log of every call made with one.

A token acts as its user (a bureau's service account, a district reporter, an executive), so the
project's permission rules apply unchanged; the token narrows them: ``scope`` read or write, and
optionally one ``office``. Only the SHA-256 digest of the secret is stored; the secret is shown once,
when the token is issued (api/services.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from krs import permissions
from krs.models import Office


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("อ่านอย่างเดียว")
        WRITE = "write", _("อ่านและบันทึกข้อมูล")

    name = models.CharField(_("ชื่อโทเคน"), max_length=120, help_text=_("เช่น ระบบการใช้จ่ายเงิน สคส."))
    # The first characters of the token as issued ("krs_AbCd1234"): shown in lists so people can tell
    # tokens apart, useless for signing in.
    prefix = models.CharField(_("ขึ้นต้นด้วย"), max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens",
                             verbose_name=_("ทำงานในนามผู้ใช้"))
    scope = models.CharField(_("สิทธิ์"), max_length=10, choices=Scope.choices, default=Scope.READ)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("จำกัดเฉพาะหน่วยงาน"),
        help_text=_("ว่าง = ทุกหน่วยงานที่ผู้ใช้มีสิทธิ์; สพท. = เฉพาะรายการของเขตนั้น; สำนัก = เฉพาะตัวชี้วัดของสำนักนั้น"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("ออกโดย"))
    created_at = models.DateTimeField(_("ออกเมื่อ"), auto_now_add=True)
    expires_at = models.DateTimeField(_("หมดอายุเมื่อ"), null=True, blank=True, help_text=_("ว่าง = ไม่หมดอายุ"))
    revoked_at = models.DateTimeField(_("เพิกถอนเมื่อ"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("เพิกถอนโดย"), editable=False)
    last_used_at = models.DateTimeField(_("ใช้ล่าสุดเมื่อ"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("โทเคน API")
        verbose_name_plural = _("โทเคน API")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE

    def clean(self) -> None:


        user, office = (self.user if self.user_id else None), self.office
        if user is None or office is None:
            return
        if permissions.is_district_reporter(user):
            allowed = office.pk == user.office_id
        elif permissions.is_bureau_certifier(user):
            allowed = office.pk == user.office_id or office.is_district
        else:
            allowed = office.is_district or office.is_bureau
        if not allowed:
            raise ValidationError({"office": _("จำกัดโทเคนของผู้ใช้นี้ไว้ที่หน่วยงานนี้ไม่ได้: ผู้รายงานผลใช้ได้เฉพาะเขตของตน "
                                               "ผู้รับรองผลใช้ได้เฉพาะสำนักของตนหรือ สพท.")})

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at) and self.user.is_active


class ApiCall(models.Model):
    """One request made with a token: who (the token and its user), when, what, and how it ended."""

    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="calls", verbose_name=_("โทเคน"),
                              db_index=False)  # the (token, at) index leads with it
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("ในนามผู้ใช้"))
    at = models.DateTimeField(_("เมื่อ"))
    method = models.CharField(_("วิธี"), max_length=10)
    path = models.CharField(_("ที่อยู่"), max_length=500)
    status = models.PositiveSmallIntegerField(_("ผล (HTTP)"))
    address = models.GenericIPAddressField(_("ที่อยู่ IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("การเรียกใช้ API")
        verbose_name_plural = _("การเรียกใช้ API")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["token", "at"], name="apicall_token_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.method} {self.path} → {self.status}"
