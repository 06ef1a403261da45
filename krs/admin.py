"""The Django admin for offices, users and the calendar's exceptions."""

from __future__ import annotations

import logging

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from krs import permissions, thaicalendar
from krs.forms import OfficeImportConfirmForm, OfficeImportUploadForm
from krs.imports import (
    ImportRejected,
    max_file_bytes,
    max_rows,
    offices_import_apply,
    offices_import_discard,
    offices_import_preview,
    offices_import_stash,
    offices_import_unstash,
)
from krs.models import CalendarDay, Heartbeat, Office, User
from krs.thaicalendar import format_thai_date
from krs.thaiforms import THAI_DATE_FIELDS

logger = logging.getLogger(__name__)

admin.site.site_header = _("KRS · ตั้งค่าระบบรายงานผลตัวชี้วัด")
admin.site.site_title = _("KRS ตั้งค่าระบบ")
admin.site.index_title = _("ตั้งค่าระบบ")


@admin.register(Office)
class OfficeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_th", "name_en", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_th", "name_en", "short_name"]
    ordering = ["kind", "code"]
    change_list_template = "admin/krs/office/change_list.html"

    def get_urls(self):
        extra = [
            path("import/", self.admin_site.admin_view(self.import_view), name="krs_office_import"),
            path(
                "import/confirm/",
                self.admin_site.admin_view(require_POST(self.import_confirm_view)),
                name="krs_office_import_confirm",
            ),
        ]
        return extra + super().get_urls()

    def _check_import_permission(self, request: HttpRequest) -> None:
        # admin_view has already sent anyone without staff status to the login page; staff status
        # follows the administrator role, but the rule is asked here too rather than assumed.
        if not (permissions.may_use_admin_site(request.user) and permissions.may_configure(request.user)):
            raise PermissionDenied

    def _render_import(self, request: HttpRequest, **extra) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("นำเข้าหน่วยงานและผู้ใช้จากไฟล์"),
            "max_mb": max_file_bytes() // (1024 * 1024),
            "max_rows": max_rows(),
            **extra,
        }
        return TemplateResponse(request, "admin/krs/office/import.html", context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a file and see what it would do, row by row; nothing is saved here."""
        self._check_import_permission(request)
        if request.method != "POST":
            return self._render_import(request, form=OfficeImportUploadForm())
        form = OfficeImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render_import(request, form=form)
        upload = form.cleaned_data["file"]
        content = upload.read()
        preview = offices_import_preview(content=content, actor=request.user)
        confirm_form = None
        if preview.is_valid:
            digest = offices_import_stash(session=request.session, content=content, filename=upload.name)
            confirm_form = OfficeImportConfirmForm(initial={"digest": digest})
        else:
            offices_import_discard(session=request.session)
        return self._render_import(
            request, form=OfficeImportUploadForm(), preview=preview, confirm_form=confirm_form, filename=upload.name
        )

    def import_confirm_view(self, request: HttpRequest) -> HttpResponse:
        """Apply the previewed file, all or nothing, after checking it once more."""
        self._check_import_permission(request)
        form = OfficeImportConfirmForm(request.POST)
        stashed = None
        if form.is_valid():
            stashed = offices_import_unstash(session=request.session, digest=form.cleaned_data["digest"])
        if stashed is None:
            messages.error(request, _("ไม่พบไฟล์ที่ตรวจสอบไว้ หรือมีการอัปโหลดไฟล์อื่นหลังจากนั้น โปรดอัปโหลดไฟล์อีกครั้ง"))
            return redirect("admin:krs_office_import")
        content, filename = stashed
        try:
            result = offices_import_apply(
                content=content,
                actor=request.user,
                site_url=request.build_absolute_uri("/"),
                filename=filename,
                resend_links=form.cleaned_data["resend_links"],
            )
        except ImportRejected as rejected:
            offices_import_discard(session=request.session)
            messages.error(request, _("ข้อมูลในระบบเปลี่ยนไปหลังการตรวจสอบ ไฟล์นี้จึงมีข้อผิดพลาด ไม่มีข้อมูลใดถูกบันทึก"))
            return self._render_import(
                request, form=OfficeImportUploadForm(), preview=rejected.preview, filename=filename
            )
        except (DatabaseError, ValidationError):
            logger.exception("office import from %s failed and was rolled back", filename)
            messages.error(request, _("นำเข้าไม่สำเร็จ ระบบยกเลิกทั้งหมด ไม่มีข้อมูลใดถูกบันทึก โปรดลองอีกครั้ง"))
            return redirect("admin:krs_office_import")
        offices_import_discard(session=request.session)
        messages.success(request, _(
            "นำเข้าเรียบร้อย: หน่วยงานใหม่ %(no)s แก้ไข %(uo)s · ผู้ใช้ใหม่ %(nu)s แก้ไข %(uu)s · ส่งลิงก์ตั้งรหัสผ่าน %(sent)s ฉบับ"
        ) % {"no": result.offices_created, "uo": result.offices_updated, "nu": result.users_created,
             "uu": result.users_updated, "sent": result.emails_sent})
        if result.email_failures:
            messages.warning(request, _(
                "ส่งอีเมลไม่สำเร็จ %(count)s ราย: %(users)s ข้อมูลถูกบันทึกแล้ว นำเข้าไฟล์เดิมอีกครั้งโดยเลือก"
                " “ส่งลิงก์ตั้งรหัสผ่านอีกครั้ง” เพื่อส่งใหม่"
            ) % {"count": len(result.email_failures), "users": ", ".join(result.email_failures[:20])})
        return redirect("admin:krs_office_changelist")


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "email", "office", "role", "is_active"]
    list_filter = ["role", "office__kind", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "office__code", "office__name_th"]
    autocomplete_fields = ["office"]
    list_select_related = ["office"]
    readonly_fields = ["is_staff", "last_login", "date_joined"]  # staff status follows the role (User.save)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("ข้อมูลส่วนตัว"), {"fields": ("first_name", "last_name", "email", "phone")}),
        (_("หน่วยงานและบทบาท"), {"fields": ("office", "role")}),
        (_("สิทธิ์"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("วันเวลาสำคัญ"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",),
                "fields": ("username", "email", "office", "role", "usable_password", "password1", "password2")}),
    )

    @admin.display(description=_("ชื่อ-นามสกุล"), ordering="first_name")
    def full_name(self, obj):
        return obj.get_full_name()


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ["day", "kind", "name"]
    formfield_overrides = THAI_DATE_FIELDS  # typed and shown as วว/ดด/ปปปป (พ.ศ.)

    @admin.display(description=_("วันที่"), ordering="date")
    def day(self, obj):
        return format_thai_date(obj.date)

    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    change_list_template = "admin/krs/calendarday/change_list.html"

    def get_urls(self):
        extra = [path("year/", self.admin_site.admin_view(self.year_view), name="krs_calendarday_year")]
        return extra + super().get_urls()

    def year_view(self, request: HttpRequest) -> HttpResponse:
        """The government calendar of one year (พ.ศ.) as it counts: the defaults and the exceptions, read-only."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = thaicalendar.local_date(timezone.now())
        try:
            year = int(request.GET.get("year") or thaicalendar.be_year(today.year))
        except ValueError:
            year = thaicalendar.be_year(today.year)
        year = min(max(year, 2500), 2700)
        days = [
            {"date": day, "name": name, "source": source, "weekend": day.weekday() >= 5,
             "provisional": thaicalendar.PROVISIONAL in name}
            for day, name, source in thaicalendar.government_calendar(thaicalendar.ce_year(year))
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("ปฏิทินวันหยุดราชการ ปี %(year)s") % {"year": year},
            "year": year, "days": days,
            "closed": sum(1 for d in days if d["source"] != "working" and not d["weekend"]),
        }
        return TemplateResponse(request, "admin/krs/calendarday/year.html", context)


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "at"]
    readonly_fields = ["name", "at"]

    def has_add_permission(self, request) -> bool:
        return False
