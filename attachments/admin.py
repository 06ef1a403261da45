"""Admin: which kinds of file may be attached (editable), and every file with its audit (read-only, deleted ones too)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from attachments.models import Attachment, AttachmentEvent, FileKind


@admin.register(FileKind)
class FileKindAdmin(admin.ModelAdmin):
    list_display = ["code", "extensions", "allowed"]
    list_editable = ["allowed"]
    ordering = ["code"]

    # Every kind keeps its row (they are recreated after each migrate): switch "allowed" off instead.
    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("นามสกุลไฟล์"))
    def extensions(self, obj: FileKind) -> str:
        return obj.extensions


class AttachmentEventInline(admin.TabularInline):
    model = AttachmentEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "action", "side", "by"]
    ordering = ["-at", "-pk"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class DeletedFilter(admin.SimpleListFilter):
    title = _("การลบ")
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", _("ยังไม่ถูกลบ")), ("yes", _("ลบแล้ว"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Files are evidence: nobody edits or removes them here; deleted ones stay visible to administrators."""

    list_display = [
        "original_name",
        "description",
        "entry",
        "side",
        "uploaded_by",
        "uploaded_at",
        "registered_at",
        "deleted_at",
        "download",
    ]
    list_filter = [
        "side",
        "kind",
        DeletedFilter,
        ("registered_at", admin.EmptyFieldListFilter),
        "entry__round",
    ]
    search_fields = [
        "original_name",
        "description",
        "sha256",
        "entry__office__code",
        "entry__indicator__code",
    ]
    list_select_related = ["entry__office", "entry__indicator", "entry__round__fiscal_year", "uploaded_by"]
    date_hierarchy = "uploaded_at"
    inlines = [AttachmentEventInline]
    fields = [
        "entry",
        "description",
        "original_name",
        "download",
        "size",
        "kind",
        "content_type",
        "sha256",
        "key",
        "side",
        "uploaded_by",
        "uploaded_at",
        "registered_by",
        "registered_at",
        "deleted_by",
        "deleted_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("ดาวน์โหลด"))
    def download(self, obj: Attachment) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("attachments:download", args=[obj.pk]), _("ดาวน์โหลด")
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Viewing only: the change form renders read-only.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
