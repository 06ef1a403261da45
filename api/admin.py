"""Administrators issue, name, scope and revoke API tokens here; every call is listed, read-only.

Issuing shows the token once, on the page that answers the save (never in a message or the session):
only its SHA-256 digest is kept.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api.models import ApiCall, ApiToken
from api.services import token_set_secret, tokens_revoke
from krs.thaiforms import THAI_DATE_FIELDS


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "scope", "office", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    autocomplete_fields = ["user", "office"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at", "revoked_by"]
    actions = ["revoke"]
    formfield_overrides = THAI_DATE_FIELDS  # expires_at is typed as วว/ดด/ปปปป (พ.ศ.) and ชช:นน

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "user", "scope", "office", "expires_at"]
        return ["name", "prefix", "user", "scope", "office", "expires_at", "created_by", "created_at", "last_used_at",
                "revoked_at", "revoked_by"]

    def get_readonly_fields(self, request, obj=None):
        # Who a token acts for and what it may do are fixed at issue: to change them, issue a new one.
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "user", "scope", "office"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            request._issued_secret = token_set_secret(obj)
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "_issued_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "token": obj, "secret": secret,
                   "title": _("คัดลอกโทเคนเดี๋ยวนี้")}
        response = TemplateResponse(request, "admin/api/token_issued.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("เพิกถอนโทเคนที่เลือก (ใช้ไม่ได้ทันที)"))
    def revoke(self, request, queryset):
        count = tokens_revoke(ids=queryset.values_list("pk", flat=True), by=request.user, now=timezone.now())
        self.message_user(request, ngettext("เพิกถอนแล้ว %(n)d โทเคน", "เพิกถอนแล้ว %(n)d โทเคน", count) % {"n": count},
                          messages.SUCCESS)


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = ["at", "token", "user", "method", "path", "status", "address"]
    list_filter = ["method", "status"]
    search_fields = ["path", "token__name", "token__prefix", "user__username"]
    list_select_related = ["token", "user"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
