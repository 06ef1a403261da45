"""Offices, users and their roles, and the admin-edited exceptions to the Thai working calendar."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Office(models.Model):
    """A district office (สพป./สพม.), a central bureau (สำนัก) or the administration (กพร.สพฐ.)."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", _("สพป. (เขตพื้นที่การศึกษาประถมศึกษา)")
        SECONDARY = "secondary", _("สพม. (เขตพื้นที่การศึกษามัธยมศึกษา)")
        BUREAU = "bureau", _("สำนักส่วนกลาง")
        ADMINISTRATION = "administration", _("ผู้ดูแลระบบ (กพร.สพฐ.)")

    DISTRICT_KINDS = (Kind.PRIMARY, Kind.SECONDARY)

    code = models.CharField(_("รหัสหน่วยงาน"), max_length=20, unique=True)
    name_th = models.CharField(_("ชื่อภาษาไทย"), max_length=200)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=200, blank=True)
    short_name = models.CharField(_("ชื่อย่อ"), max_length=60, blank=True)
    kind = models.CharField(_("ประเภท"), max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(_("ใช้งาน"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("หน่วยงาน")
        verbose_name_plural = _("หน่วยงาน")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["primary", "secondary", "bureau", "administration"]),
                name="office_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_th}"

    @property
    def is_district(self) -> bool:
        return self.kind in self.DISTRICT_KINDS

    @property
    def is_bureau(self) -> bool:
        return self.kind == self.Kind.BUREAU

    @property
    def localized_name(self) -> str:
        """The name in the active language (English pages show the English name when there is one)."""

        return self.display_name(get_language())

    def display_name(self, language: str | None = None) -> str:
        """The name in the given language, falling back to Thai."""
        if language == "en" and self.name_en:
            return self.name_en
        return self.name_th


class Role(models.TextChoices):
    DISTRICT_REPORTER = "district_reporter", _("ผู้รายงานผล สพท.")
    BUREAU_CERTIFIER = "bureau_certifier", _("ผู้รับรองผล สำนัก")
    ADMINISTRATOR = "administrator", _("ผู้ดูแลระบบ")
    EXECUTIVE = "executive", _("ผู้บริหาร (ดูอย่างเดียว)")


# Which kinds of office each role may belong to: a reporter works for a district, a certifier for a
# bureau; administrators and executives sit in the administration (executives may also be bureau heads).
ROLE_OFFICE_KINDS: dict[str, tuple[str, ...]] = {
    Role.DISTRICT_REPORTER: Office.DISTRICT_KINDS,
    Role.BUREAU_CERTIFIER: (Office.Kind.BUREAU,),
    Role.ADMINISTRATOR: (Office.Kind.ADMINISTRATION,),
    Role.EXECUTIVE: (Office.Kind.ADMINISTRATION, Office.Kind.BUREAU),
}


class KrsUserManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().select_related("office")


class User(AbstractUser):
    """A person who signs in: one office, one role. Superusers may have none (for setup only)."""

    office = models.ForeignKey(
        Office, verbose_name=_("หน่วยงาน"), on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    role = models.CharField(_("บทบาท"), max_length=30, choices=Role.choices, blank=True)
    phone = models.CharField(_("โทรศัพท์"), max_length=40, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = KrsUserManager()

    class Meta:
        verbose_name = _("ผู้ใช้")
        verbose_name_plural = _("ผู้ใช้")
        constraints = [
            # Anyone who is not a superuser has an office and a role.
            models.CheckConstraint(
                condition=Q(is_superuser=True) | (Q(office__isnull=False) & ~Q(role="")),
                name="user_has_office_and_role",
            )
        ]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    def clean(self) -> None:
        super().clean()
        if self.email:
            self.email = self.email.strip().lower()
        if not self.is_superuser and (self.office_id is None or not self.role):
            raise ValidationError(_("ผู้ใช้ทุกคนต้องมีหน่วยงานและบทบาท"))
        if self.office_id and self.role:
            allowed = ROLE_OFFICE_KINDS.get(self.role, ())
            if self.office.kind not in allowed:
                raise ValidationError(
                    {"role": _("บทบาท “%(role)s” ใช้กับหน่วยงานประเภท “%(kind)s” ไม่ได้")
                     % {"role": self.get_role_display(), "kind": self.office.get_kind_display()}}
                )

    def save(self, *args, **kwargs) -> None:
        # The admin site is the administrators' workplace: staff status follows the role, so nobody
        # has to remember a second switch (superusers keep theirs).
        if not self.is_superuser:
            self.is_staff = self.role == Role.ADMINISTRATOR
        super().save(*args, **kwargs)

    def has_perm(self, perm: str, obj=None) -> bool:
        from krs.permissions import is_administrator  # lazy: krs.permissions imports this module (circular)

        # Administrators configure everything (docs/roles.md); model permissions are not curated per person.
        return is_administrator(self) or super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        from krs.permissions import is_administrator  # lazy: circular, as in has_perm

        return is_administrator(self) or super().has_module_perms(app_label)

    @property
    def is_district_reporter(self) -> bool:
        return self.role == Role.DISTRICT_REPORTER

    @property
    def is_bureau_certifier(self) -> bool:
        return self.role == Role.BUREAU_CERTIFIER

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMINISTRATOR

    @property
    def is_executive(self) -> bool:
        return self.role == Role.EXECUTIVE


class CalendarDay(models.Model):
    """An exception to the Thai government calendar that admins edit.

    The defaults (``krs.thaicalendar.holiday_names``: the ``holidays`` package, less Labour Day, plus the
    days it does not know) cover the fixed and lunar holidays; the cabinet also declares extra days off
    (วันหยุดพิเศษ) each year, and occasionally a weekend that is worked. An entry here overrides the
    defaults for its date: a holiday adds a day off, or renames a default one; a working day removes one.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("วันหยุดราชการ (เพิ่ม หรือตั้งชื่อวันหยุด)")
        WORKING_DAY = "working", _("วันทำงาน (ยกเลิกวันหยุด)")

    date = models.DateField(_("วันที่"), unique=True)
    kind = models.CharField(_("ประเภท"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("ชื่อวัน/เหตุผล"), max_length=200,
                            help_text=_("วันหยุด: ชื่อที่แสดงในปฏิทิน; วันทำงาน: เหตุผลที่ยกเลิกวันหยุด"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("วันหยุด/วันทำงานเพิ่มเติม")
        verbose_name_plural = _("วันหยุด/วันทำงานเพิ่มเติม")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Heartbeat(models.Model):
    """The last time a periodic job ran: shows admins that the worker and the scheduler are alive."""

    name = models.CharField(max_length=60, unique=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("สัญญาณการทำงานของงานเบื้องหลัง")
        verbose_name_plural = _("สัญญาณการทำงานของงานเบื้องหลัง")

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"


class Notification(models.Model):
    """Something a user should know (a rejection, entries awaiting certification, a deadline reminder).

    Shown on the notifications page with an unread count, and e-mailed once by a Celery task after
    the transaction that created it commits. ``key`` makes each notification once-only: creating the
    same key again (a job run twice, a retried request) creates nothing.
    """

    class Kind(models.TextChoices):
        REJECTED = "rejected", _("ไม่รับรอง")
        AWAITING_DIGEST = "awaiting_digest", _("รายการรอการรับรองผล")
        REMINDER = "reminder", _("เตือนกำหนดส่ง")
        CERTIFICATION_OVERDUE = "cert_overdue", _("เลยกำหนดรับรองผล")

    user = models.ForeignKey("krs.User", on_delete=models.CASCADE, related_name="notifications", verbose_name=_("ผู้รับ"))
    kind = models.CharField(_("เรื่อง"), max_length=20, choices=Kind.choices)
    key = models.CharField(_("รหัสกันซ้ำ"), max_length=160, unique=True)
    subject = models.CharField(_("หัวเรื่อง"), max_length=200)
    body = models.TextField(_("ข้อความ"))
    url = models.CharField(_("ลิงก์"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("เมื่อ"))
    read_at = models.DateTimeField(_("อ่านเมื่อ"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("ส่งอีเมลเมื่อ"), null=True, blank=True)

    class Meta:
        verbose_name = _("การแจ้งเตือน")
        verbose_name_plural = _("การแจ้งเตือน")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.subject
