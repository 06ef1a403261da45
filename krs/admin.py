"""The Django admin for offices, users and the calendar's exceptions."""

from __future__ import annotations

import base64
import hashlib

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from krs import permissions
from krs.forms import OfficeImportForm
from krs.imports import ImportFileError, ImportRejected, offices_import_apply, offices_import_preview
from krs.models import CalendarDay, Heartbeat, Office, User

_IMPORT_SESSION_KEY = "krs_office_import"

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

    def _import_context(self, request: HttpRequest, **extra) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": _("นำเข้าจากไฟล์"), **extra}

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a file and see what it would do; nothing is saved here."""
        if not permissions.may_configure(request.user):
            raise PermissionDenied
        form = OfficeImportForm(request.POST or None, request.FILES or None)
        context = self._import_context(request, form=form)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                plan = offices_import_preview(content=content)
            except ImportFileError as exc:
                context["file_error"] = str(exc)
            else:
                digest = hashlib.sha256(content).hexdigest()
                # The confirmed import re-reads these very bytes from the session and validates them
                # again: nothing about the data travels through the form.
                request.session[_IMPORT_SESSION_KEY] = {
                    "digest": digest, "name": upload.name, "content": base64.b64encode(content).decode("ascii"),
                }
                context.update(
                    plan=plan, digest=digest, filename=upload.name,
                    new_offices=plan.count("office", "new"), updated_offices=plan.count("office", "update"),
                    new_users=plan.count("user", "new"), updated_users=plan.count("user", "update"),
                )
        return TemplateResponse(request, "admin/krs/office/import.html", context)

    def import_confirm_view(self, request: HttpRequest) -> HttpResponse:
        """Apply the previewed file, all or nothing."""
        if not permissions.may_configure(request.user):
            raise PermissionDenied
        stored = request.session.get(_IMPORT_SESSION_KEY)
        if not stored or stored["digest"] != request.POST.get("digest"):
            messages.error(request, _("ไม่พบไฟล์ที่ตรวจสอบไว้ โปรดอัปโหลดไฟล์อีกครั้ง"))
            return redirect("admin:krs_office_import")
        content = base64.b64decode(stored["content"])
        try:
            result = offices_import_apply(content=content, site_url=request.build_absolute_uri("/"))
        except (ImportRejected, ImportFileError):
            messages.error(request, _("ข้อมูลในระบบเปลี่ยนไประหว่างตรวจสอบ ไฟล์นี้ยังนำเข้าไม่ได้ โปรดตรวจสอบอีกครั้ง"))
            return redirect("admin:krs_office_import")
        del request.session[_IMPORT_SESSION_KEY]
        messages.success(
            request,
            _("นำเข้าเรียบร้อย: หน่วยงานใหม่ %(no)s แก้ไข %(uo)s · ผู้ใช้ใหม่ %(nu)s แก้ไข %(uu)s (ส่งลิงก์ตั้งรหัสผ่านทางอีเมลแล้ว)")
            % {"no": result.offices_created, "uo": result.offices_updated,
               "nu": result.users_created, "uu": result.users_updated},
        )
        return redirect("admin:krs_office_changelist")


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ["username", "get_full_name", "email", "office", "role", "is_active"]
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
        (None, {"classes": ("wide",), "fields": ("username", "email", "office", "role", "usable_password", "password1", "password2")}),
    )


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "at"]
    readonly_fields = ["name", "at"]

    def has_add_permission(self, request) -> bool:
        return False
