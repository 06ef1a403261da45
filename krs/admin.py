"""The Django admin for offices, users and the calendar's exceptions."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from krs.models import CalendarDay, Heartbeat, Office, User

admin.site.site_header = _("KRS · ตั้งค่าระบบรายงานผลตัวชี้วัด")
admin.site.site_title = _("KRS ตั้งค่าระบบ")
admin.site.index_title = _("ตั้งค่าระบบ")


@admin.register(Office)
class OfficeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_th", "name_en", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_th", "name_en", "short_name"]
    ordering = ["kind", "code"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ["username", "get_full_name", "email", "office", "role", "is_active"]
    list_filter = ["role", "office__kind", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "office__code", "office__name_th"]
    autocomplete_fields = ["office"]
    list_select_related = ["office"]
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
